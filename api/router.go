// Package api is the HTTP face of the service: the JSON API under /api/v1,
// the pages behind the email links, and the operational endpoints.
package api

import (
	"log/slog"
	"net/http"
	"strings"
	"sync"

	"github.com/gin-gonic/gin"

	"github.com/nhs-staff-passport/passport/internal/credentials"
	"github.com/nhs-staff-passport/passport/internal/expiry"
	"github.com/nhs-staff-passport/passport/internal/jobs"
	"github.com/nhs-staff-passport/passport/internal/metrics"
	"github.com/nhs-staff-passport/passport/internal/moves"
	"github.com/nhs-staff-passport/passport/internal/store"
	"github.com/nhs-staff-passport/passport/internal/webhooks"
	"github.com/nhs-staff-passport/passport/models"
)

// Options wire the HTTP handler.
type Options struct {
	Logger  *slog.Logger
	Metrics *metrics.Metrics
	// Ready lists what /readyz checks.
	Ready []Check
	// DevMailbox, when set (development mode only), mounts /dev/mail and
	// /dev/mail.json.
	DevMailbox DevMailbox
	// Store and Credentials, when set, mount the JSON API under /api/v1.
	Store       *store.Store
	Credentials *credentials.Service
	// Moves, when set, mounts the move endpoints.
	Moves *moves.Service
	// Webhooks, when set, mounts the trusts' webhook endpoints.
	Webhooks *webhooks.Service
	// Deliveries, when set, mounts the operators' view of failed emails.
	Deliveries *jobs.Deliveries
	// IdentityCallbackSecret, when set, mounts the identity provider's
	// callback.
	IdentityCallbackSecret []byte
	// Email, when set, acknowledges enquiries.
	Email EmailQueue
	// LinkRequestsPerMinute bounds requests per client address to the
	// pages and endpoints behind email links, sign-in included (default
	// 60).
	LinkRequestsPerMinute int
	// PublicURL is the service's address as people reach it, for the links
	// in sign-in emails.
	PublicURL string
	// DevMode offers one-click sign-in as the demo users and lets the
	// portal's session cookie travel over plain HTTP.
	DevMode bool
	// Notices, when set, tells the trusts a revoked credential was shared
	// with at once (the daily job tells any it missed).
	Notices *expiry.Job
	// Recipients, when set, bounds the emails a sign-in form or a contact
	// form can send to one address.
	Recipients *jobs.RecipientLimit
	// TrustedProxies are the proxies in front of the service whose
	// X-Forwarded-For is believed; none by default (the connection's
	// address is the client's).
	TrustedProxies []string
}

func (o Options) linkRate() int {
	if o.LinkRequestsPerMinute > 0 {
		return o.LinkRequestsPerMinute
	}
	return 60
}

// handlers hold what the API's handlers use.
type handlers struct {
	store      *store.Store
	creds      *credentials.Service
	moves      *moves.Service
	deliveries *jobs.Deliveries
	webhooks   *webhooks.Service
	trustList  trustListCache
	email      EmailQueue
	notices    *expiry.Job
	recipients *jobs.RecipientLimit
	publicURL  string
	log        *slog.Logger
}

// NewHandler builds the router of an API process.
func NewHandler(o Options) http.Handler {
	r := newEngine(o, false)
	api := &handlers{store: o.Store, creds: o.Credentials, moves: o.Moves, deliveries: o.Deliveries, webhooks: o.Webhooks, email: o.Email,
		notices: o.Notices, recipients: o.Recipients, publicURL: o.PublicURL, log: o.Logger}
	if o.Store != nil && o.Credentials != nil {
		mountAPI(r, api)
	}
	if o.Store != nil && o.Moves != nil && o.Email != nil {
		mountPortal(r, &portal{handlers: api, links: o.Moves.Links, publicURL: o.PublicURL, dev: o.DevMode}, o.linkRate())
	}
	if o.Moves != nil {
		h := &handlers{store: o.Store, creds: o.Credentials, moves: o.Moves}
		limit := rateLimit(newPerClient(o.linkRate(), 20))
		pages := r.Group("/s", limit, guardForm())
		pages.GET("/:token", h.linkPage)
		pages.POST("/:token", h.linkAction)
		links := r.Group("/api/v1/links/:token", limit)
		links.GET("", h.linkJSON)
		links.POST("/accept", h.linkAccept)
		links.POST("/identity/simulate", h.linkSimulateIdentity)
		links.POST("/consent", h.linkConsent)
		links.POST("/decline", h.linkDecline)
		links.POST("/withdraw", h.linkWithdraw)
		if len(o.IdentityCallbackSecret) > 0 {
			r.POST("/api/v1/identity/callback", h.identityCallback(o.IdentityCallbackSecret))
		}
	}
	r.GET("/assets/*path", serveAssets)
	r.GET("/help", helpPage)
	r.GET("/help/:audience/:topic", helpPage)
	if o.Store != nil {
		h := &handlers{store: o.Store, email: o.Email, recipients: o.Recipients, publicURL: o.PublicURL}
		r.GET("/trusts", h.trustsListPage)
		contact := r.Group("/contact", rateLimit(newPerClient(10, 5)), guardForm())
		for _, kind := range []string{"staff", "trust"} {
			contact.GET("/"+kind, contactForm(kind))
			contact.POST("/"+kind, h.sendEnquiry(kind))
		}
	}
	if o.DevMailbox != nil {
		r.GET("/dev/mail", devMailHTML(o.DevMailbox))
		r.GET("/dev/mail.json", devMailJSON(o.DevMailbox))
	}
	if o.DevMode {
		mountPprof(r)
	}
	return r
}

// NewOpsHandler serves only /healthz, /readyz and /metrics, for worker
// processes.
func NewOpsHandler(o Options) http.Handler { return newEngine(o, true) }

// newEngine is the router every process serves; ops is a worker's own
// port (operational endpoints only).
func newEngine(o Options, ops bool) *gin.Engine {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	// Only the configured proxies' X-Forwarded-For is believed: rate
	// limits key on the client's address.
	if err := r.SetTrustedProxies(o.TrustedProxies); err != nil {
		panic("api: trusted proxies were not checked: " + err.Error()) // config.Validate checks them
	}
	r.HandleMethodNotAllowed = true
	r.ContextWithFallback = true
	r.Use(requestID(), accessLog(o.Logger, o.Metrics), recoverProblem(o.Logger), guardInput(), safeHeaders(strings.HasPrefix(o.PublicURL, "https://")))
	r.NoRoute(func(c *gin.Context) {
		writeProblem(c, Problem{Type: problemType + "not-found", Status: http.StatusNotFound, Detail: "There is nothing here."})
	})
	r.NoMethod(func(c *gin.Context) {
		writeProblem(c, Problem{Type: problemType + "method-not-allowed", Status: http.StatusMethodNotAllowed, Detail: "This address does not take that method."})
	})

	r.GET("/healthz", healthz)
	r.GET("/readyz", readyz(o.Ready))
	r.GET("/openapi.json", openAPI)
	if o.Metrics != nil {
		// The API's port faces the world: outside dev mode its metrics are
		// an operator's to read. (A worker's own port serves them open.)
		if !ops && o.Store != nil && !o.DevMode {
			r.GET("/metrics", authenticate(o.Store), allow(permOperate...), gin.WrapH(o.Metrics.Handler()))
		} else {
			r.GET("/metrics", gin.WrapH(o.Metrics.Handler()))
		}
	}
	return r
}

// mountAPI adds the JSON API. Each route names the roles that may use it.
func mountAPI(r *gin.Engine, h *handlers) {
	v1 := r.Group("/api/v1")
	v1.GET("/trusts", h.publicTrusts)
	v1.GET("/trusts/:ods/keys", h.trustKeys)
	v1.GET("/trusts/:ods/status/revocation", h.trustStatusList)
	v1.GET("/trusts/:ods/status/revocation/:list", h.trustStatusList)

	authed := v1.Group("", authenticate(h.store))
	authed.POST("/passports", allow(permPassports...), h.findOrCreatePassport)
	authed.GET("/passports/:id", allow(permPassports...), h.getPassport)
	authed.POST("/passports/:id/credentials", allow(permPassports...), h.issueCredential)
	authed.POST("/credentials/:id/revoke", allow(permPassports...), h.revokeCredential)
	authed.POST("/credentials/imports", allow(permPassports...), h.importCredentials)
	authed.GET("/credentials/imports/:id", allow(permPassports...), h.getImport)
	authed.POST("/verify", allow(models.RoleHR, models.RoleTrustAdmin, models.RoleOperator), h.verifyCredential)
	operator := allow(permOperate...)
	authed.POST("/trusts", operator, h.registerTrust)
	authed.GET("/enquiries", operator, h.listEnquiries)
	authed.POST("/enquiries/:id/answered", operator, h.answerEnquiry)
	authed.POST("/trusts/:ods/suspend", operator, h.suspendTrust)
	authed.POST("/trusts/:ods/reinstate", operator, h.reinstateTrust)

	if h.moves != nil {
		see := allow(permSeeMoves...)
		authed.POST("/moves", allow(permStartMoves...), h.startMove)
		authed.GET("/moves", see, h.listMoves)
		authed.POST("/rotations", allow(permStartMoves...), h.startRotation)
		authed.GET("/rotations/:id", allow(permStartMoves...), h.getRotation)
		authed.GET("/moves/:id", see, h.getMove)
		authed.GET("/moves/:id/events", see, h.moveEvents)
		authed.POST("/moves/:id/cancel", allow(permCancel...), h.cancelMove())
		authed.POST("/moves/:id/identity", allow(permIdentity...), h.recordIdentity)
		authed.POST("/moves/:id/records/no-record", allow(permRecords...), h.noRecord())
		authed.POST("/moves/:id/shares/:share/decision", allow(permDecide...), h.decideShare())
		authed.POST("/moves/:id/retry", allow(permRetry...), h.retryStep())
		authed.POST("/moves/:id/deadline", allow(permDeadline...), h.extendDeadline())
	}

	if h.deliveries != nil {
		authed.GET("/deliveries/failed", operator, h.failedDeliveries)
		authed.GET("/deliveries/retrying", operator, h.retryingDeliveries)
		authed.POST("/deliveries/retry", operator, h.retryDelivery)
	}

	trustStaff := allow(permSeeSettings...)
	trustAdmin := allow(permManageTrust...)
	settings := authed.Group("/trusts/:ods", ownTrust)
	settings.GET("/checklists", trustStaff, h.getChecklists)
	settings.PUT("/checklists/:group", trustAdmin, h.putChecklist)
	settings.GET("/policy", trustStaff, h.getPolicy)
	settings.GET("/training-names", trustStaff, h.getTrainingNames)
	settings.PUT("/training-names", allow(permPassports...), h.putTrainingNames)
	settings.PUT("/policy", trustAdmin, h.putPolicy)
	settings.POST("/keys/rotate", trustAdmin, h.rotateKey)
	if h.webhooks != nil {
		settings.POST("/webhooks", trustAdmin, h.addWebhook)
		settings.GET("/webhooks", trustStaff, h.listWebhooks)
		settings.DELETE("/webhooks/:id", trustAdmin, h.removeWebhook)
		if h.deliveries != nil {
			settings.GET("/webhooks/failures", trustStaff, h.failedWebhooks)
			settings.POST("/webhooks/failures/retry", trustAdmin, h.retryWebhook)
		}
	}
}

// mountPortal adds the people's pages under /portal. Each page and form
// asks the same permission as the API route it mirrors.
func mountPortal(r *gin.Engine, p *portal, perMinute int) {
	signIn := r.Group("/portal", rateLimit(newPerClient(perMinute, max(20, perMinute/10))), guardForm())
	signIn.GET("/sign-in", p.signInPage)
	signIn.POST("/sign-in", p.sendSignInLink)
	signIn.GET("/sign-in/:token", p.signInLinkPage)
	signIn.POST("/sign-in/:token", p.useSignInLink)
	if p.dev {
		signIn.POST("/demo-sign-in", p.devSignIn)
	}

	g := r.Group("/portal", limitBody(maxUpload+1<<20), guardForm(), p.requireUser)
	anyone := permission(models.Roles())
	page := func(grp *gin.RouterGroup, method, rel string, perm permission, h ...gin.HandlerFunc) {
		notePage(method, grp.BasePath()+rel, perm)
		grp.Handle(method, rel, append([]gin.HandlerFunc{p.allowPage(perm)}, h...)...)
	}
	get := func(grp *gin.RouterGroup, rel string, perm permission, h gin.HandlerFunc) {
		page(grp, http.MethodGet, rel, perm, h)
	}
	post := func(grp *gin.RouterGroup, rel string, perm permission, h gin.HandlerFunc) {
		page(grp, http.MethodPost, rel, perm, h)
	}
	get(g, "", anyone, p.dashboard)
	post(g, "/sign-out", anyone, p.signOut)
	get(g, "/moves", permSeeMoves, p.movesList)
	get(g, "/moves/:id", permSeeMoves, p.movePage)
	post(g, "/moves/:id/cancel", permCancel, p.cancelAction())
	post(g, "/moves/:id/identity", permIdentity, p.identityAction())
	post(g, "/moves/:id/shares/:share/decision", permDecide, p.decideAction())
	post(g, "/moves/:id/retry", permRetry, p.retryAction())
	post(g, "/moves/:id/deadline", permDeadline, p.deadlineAction())
	post(g, "/moves/:id/records/:type/no-record", permRecords, p.noRecordAction())
	get(g, "/start", permStartMoves, p.startPage)
	post(g, "/start", permStartMoves, p.startAction)
	get(g, "/rotations", permStartMoves, p.rotationsPage)
	post(g, "/rotations", permStartMoves, p.uploadRotation)
	get(g, "/rotations/:id", permStartMoves, p.rotationPage)
	get(g, "/rotations/:id/failures.csv", permStartMoves, p.rotationFailures)

	pp := g.Group("/passports")
	get(pp, "", permPassports, p.passportsPage)
	post(pp, "", permPassports, p.addPassport)
	get(pp, "/:id", permPassports, p.passportPage)
	get(pp, "/:id/record/:type", permPassports, p.recordPage)
	post(pp, "/:id/record/:type", permPassports, p.recordAction)
	get(pp, "/:id/credentials/:cid", permPassports, p.credentialPage)
	post(pp, "/:id/credentials/:cid/revoke", permPassports, p.revokeAction)
	imp := g.Group("/imports")
	get(imp, "", permPassports, p.importsPage)
	get(imp, "/:id", permPassports, p.importPage)
	get(imp, "/:id/failures.csv", permPassports, p.importFailures)
	post(imp, "/names", permPassports, p.addTrainingNameForm)
	post(imp, "/names/remove", permPassports, p.removeTrainingNameForm)
	// An import's file may be larger than the portal's other forms take
	// (outside the group, so its body limit is its own).
	post(r.Group("/portal", limitBody(maxImportUpload+1<<20), guardForm(), p.requireUser), "/imports", permPassports, p.uploadImport)

	get(g, "/settings", permSeeSettings, p.settingsPage)
	post(g, "/settings/policy", permManageTrust, p.savePolicyForm)
	post(g, "/settings/checklists/:group", permManageTrust, p.saveChecklistForm)
	post(g, "/settings/users", permManageTrust, p.inviteForm)
	post(g, "/settings/users/:id/remove", permManageTrust, p.removeUserForm)
	post(g, "/settings/keys", permManageTrust, p.createKeyForm)
	post(g, "/settings/keys/:prefix/revoke", permManageTrust, p.revokeKeyForm)
	if p.webhooks != nil {
		post(g, "/settings/webhooks", permManageTrust, p.addWebhookForm)
		post(g, "/settings/webhooks/:id/remove", permManageTrust, p.removeWebhookForm)
		if p.deliveries != nil {
			post(g, "/settings/webhooks/retry", permManageTrust, p.retryWebhookForm)
		}
	}

	get(g, "/operator", permOperate, p.operatorPage)
	post(g, "/operator/trusts", permOperate, p.registerTrustForm)
	post(g, "/operator/trusts/:ods/suspend", permOperate, p.suspendForm)
	post(g, "/operator/trusts/:ods/reinstate", permOperate, p.reinstateForm)
	if p.deliveries != nil {
		post(g, "/operator/deliveries/retry", permOperate, p.retryDeliveryForm)
	}
	post(g, "/operator/enquiries/:id/answered", permOperate, p.answerEnquiryForm)
}

// pageRoles is every portal page and form with the roles that reach it,
// noted as the router is built.
var pageRoles sync.Map // "METHOD /path" -> permission

func notePage(method, path string, perm permission) { pageRoles.Store(method+" "+path, perm) }

// PageRoles returns the roles that reach each portal page and form of the
// routers built so far ("GET /portal/moves/:id" -> roles): the portal's
// access matrix is generated from it.
func PageRoles() map[string][]models.Role {
	out := map[string][]models.Role{}
	pageRoles.Range(func(k, v any) bool {
		out[k.(string)] = v.(permission)
		return true
	})
	return out
}

// safeHeaders are sent with every answer: no content sniffing, JSON kept
// by no cache unless its handler says otherwise (public keys, the trust
// list), and, behind https, HSTS.
func safeHeaders(https bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		c.Header("X-Content-Type-Options", "nosniff")
		if strings.HasPrefix(c.Request.URL.Path, "/api/") {
			c.Header("Cache-Control", "no-store")
		}
		if https {
			c.Header("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
		}
		c.Next()
	}
}

// limitBody bounds a request's body.
func limitBody(n int64) gin.HandlerFunc {
	return func(c *gin.Context) {
		if c.Request.Body != nil {
			c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, n)
		}
		c.Next()
	}
}
