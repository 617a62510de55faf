// Package api is the HTTP face of the service: the JSON API under /api/v1,
// the pages behind the email links, and the operational endpoints.
package api

import (
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/nhs-staff-passport/passport/internal/credentials"
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
	// pages and endpoints behind email links (default 60).
	LinkRequestsPerMinute int
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
}

// NewHandler builds the router of an API process.
func NewHandler(o Options) http.Handler {
	r := newEngine(o)
	if o.Store != nil && o.Credentials != nil {
		mountAPI(r, &handlers{store: o.Store, creds: o.Credentials, moves: o.Moves, deliveries: o.Deliveries, webhooks: o.Webhooks})
	}
	if o.Moves != nil {
		h := &handlers{store: o.Store, creds: o.Credentials, moves: o.Moves}
		limit := rateLimit(newPerClient(o.linkRate(), 20))
		pages := r.Group("/s", limit)
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
	r.GET("/help", helpPage)
	r.GET("/help/:audience/:topic", helpPage)
	if o.Store != nil {
		h := &handlers{store: o.Store, email: o.Email}
		r.GET("/trusts", h.trustsListPage)
		contact := r.Group("/contact", rateLimit(newPerClient(10, 5)))
		for _, kind := range []string{"staff", "trust"} {
			contact.GET("/"+kind, contactForm(kind))
			contact.POST("/"+kind, h.sendEnquiry(kind))
		}
	}
	if o.DevMailbox != nil {
		r.GET("/dev/mail", devMailHTML(o.DevMailbox))
		r.GET("/dev/mail.json", devMailJSON(o.DevMailbox))
	}
	return r
}

// NewOpsHandler serves only /healthz, /readyz and /metrics, for worker
// processes.
func NewOpsHandler(o Options) http.Handler { return newEngine(o) }

func newEngine(o Options) *gin.Engine {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.HandleMethodNotAllowed = true
	r.ContextWithFallback = true
	r.Use(requestID(), accessLog(o.Logger, o.Metrics), recoverProblem(o.Logger))
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
		r.GET("/metrics", gin.WrapH(o.Metrics.Handler()))
	}
	return r
}

// mountAPI adds the JSON API. Each route names the roles that may use it.
func mountAPI(r *gin.Engine, h *handlers) {
	v1 := r.Group("/api/v1")
	v1.GET("/trusts", h.publicTrusts)
	v1.GET("/trusts/:ods/keys", h.trustKeys)
	v1.GET("/trusts/:ods/status/revocation", h.trustStatusList)

	authed := v1.Group("", authenticate(h.store))
	trustStaff := allow(models.RoleHR, models.RoleTrustAdmin)
	authed.POST("/passports", trustStaff, h.findOrCreatePassport)
	authed.GET("/passports/:id", trustStaff, h.getPassport)
	authed.POST("/passports/:id/credentials", trustStaff, h.issueCredential)
	authed.POST("/credentials/:id/revoke", trustStaff, h.revokeCredential)
	authed.POST("/verify", allow(models.RoleHR, models.RoleTrustAdmin, models.RoleOperator), h.verifyCredential)
	authed.POST("/trusts", allow(models.RoleOperator), h.registerTrust)
	authed.GET("/enquiries", allow(models.RoleOperator), h.listEnquiries)
	authed.POST("/enquiries/:id/answered", allow(models.RoleOperator), h.answerEnquiry)
	authed.POST("/trusts/:ods/suspend", allow(models.RoleOperator), h.suspendTrust)
	authed.POST("/trusts/:ods/reinstate", allow(models.RoleOperator), h.reinstateTrust)

	if h.moves != nil {
		anyRole := allow(models.RoleHR, models.RoleTrustAdmin, models.RoleOperator)
		authed.POST("/moves", trustStaff, h.startMove)
		authed.GET("/moves", anyRole, h.listMoves)
		authed.POST("/rotations", trustStaff, h.startRotation)
		authed.GET("/moves/:id", anyRole, h.getMove)
		authed.GET("/moves/:id/events", anyRole, h.moveEvents)
		authed.POST("/moves/:id/cancel", anyRole, h.cancelMove())
		authed.POST("/moves/:id/identity", trustStaff, h.recordIdentity)
		authed.POST("/moves/:id/shares/:share/decision", trustStaff, h.decideShare())
		authed.POST("/moves/:id/retry", allow(models.RoleTrustAdmin, models.RoleOperator), h.retryStep())
		authed.POST("/moves/:id/deadline", anyRole, h.extendDeadline())
	}

	if h.deliveries != nil {
		operator := allow(models.RoleOperator)
		authed.GET("/deliveries/failed", operator, h.failedDeliveries)
		authed.POST("/deliveries/retry", operator, h.retryDelivery)
	}

	trustAdmin := allow(models.RoleTrustAdmin)
	settings := authed.Group("/trusts/:ods", ownTrust)
	settings.GET("/checklists", trustStaff, h.getChecklists)
	settings.PUT("/checklists/:group", trustAdmin, h.putChecklist)
	settings.GET("/policy", trustStaff, h.getPolicy)
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
