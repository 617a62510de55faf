// Package web is the HTML side of the service: the portal for trusts'
// HR and operators, the pages behind the links in staff emails, help,
// the contact forms, the NHS.UK assets and, in development, the mailbox.
// It acts through the same services in internal/ as the JSON API and asks
// the same permission table (internal/access).
package web

import (
	"context"
	"log/slog"
	"net/http"
	"sync"

	"github.com/gin-gonic/gin"

	"github.com/nhs-staff-passport/passport/internal/access"
	"github.com/nhs-staff-passport/passport/internal/admin"
	"github.com/nhs-staff-passport/passport/internal/credentials"
	"github.com/nhs-staff-passport/passport/internal/edge"
	"github.com/nhs-staff-passport/passport/internal/expiry"
	"github.com/nhs-staff-passport/passport/internal/jobs"
	"github.com/nhs-staff-passport/passport/internal/moves"
	"github.com/nhs-staff-passport/passport/internal/store"
	"github.com/nhs-staff-passport/passport/internal/webhooks"
	"github.com/nhs-staff-passport/passport/models"
)

// Options wire the pages.
type Options struct {
	Logger *slog.Logger
	// DevMailbox, when set (development mode only), mounts /dev/mail and
	// /dev/mail.json.
	DevMailbox  DevMailbox
	Store       *store.Store
	Credentials *credentials.Service
	// Admin does what trust admins and operators change (made from Store,
	// Moves and Deliveries when not set).
	Admin *admin.Service
	// Moves, when set with Store and Email, mounts the portal; when set,
	// the pages behind the staff's links.
	Moves *moves.Service
	// Webhooks, when set, offers the trusts' webhook settings.
	Webhooks *webhooks.Service
	// Deliveries, when set, offers failed emails and webhooks again.
	Deliveries *jobs.Deliveries
	// Email queues sign-in links and enquiry acknowledgements.
	Email EmailQueue
	// LinkRequestsPerMinute bounds requests per client address to the
	// pages behind email links, sign-in included (default 60).
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
}

func (o Options) linkRate() int {
	if o.LinkRequestsPerMinute > 0 {
		return o.LinkRequestsPerMinute
	}
	return 60
}

// EmailQueue queues an email; *jobs.Enqueuer is one.
type EmailQueue interface {
	EnqueueEmail(ctx context.Context, key string, e jobs.Email) error
}

// handlers hold what the pages use.
type handlers struct {
	store      *store.Store
	creds      *credentials.Service
	admin      *admin.Service
	moves      *moves.Service
	deliveries *jobs.Deliveries
	webhooks   *webhooks.Service
	email      EmailQueue
	notices    *expiry.Job
	recipients *jobs.RecipientLimit
	publicURL  string
	log        *slog.Logger
}

// ProblemPage answers a browser with the service's problem page: a title
// and what to do. The router's input guards use it (edge.Options.Page).
func ProblemPage(c *gin.Context, status int, title, message string) {
	render(c, status, "problem", pageData{Title: title, Message: message})
}

// Mount adds the pages to r.
func Mount(r *gin.Engine, o Options) {
	if o.Admin == nil && o.Store != nil {
		o.Admin = &admin.Service{Store: o.Store, Moves: o.Moves, Deliveries: o.Deliveries}
	}
	h := &handlers{store: o.Store, creds: o.Credentials, admin: o.Admin, moves: o.Moves, deliveries: o.Deliveries, webhooks: o.Webhooks, email: o.Email,
		notices: o.Notices, recipients: o.Recipients, publicURL: o.PublicURL, log: o.Logger}
	if o.Store != nil && o.Moves != nil && o.Email != nil {
		mountPortal(r, &portal{handlers: h, links: o.Moves.Links, publicURL: o.PublicURL, dev: o.DevMode}, o.linkRate())
	}
	if o.Moves != nil {
		pages := r.Group("/s", edge.RateLimit(edge.NewPerClient(o.linkRate(), 20), ProblemPage), edge.GuardForm(ProblemPage))
		pages.GET("/:token", h.linkPage)
		pages.POST("/:token", h.linkAction)
	}
	r.GET("/assets/*path", serveAssets)
	r.GET("/help", helpPage)
	r.GET("/help/:audience/:topic", helpPage)
	if o.Store != nil {
		r.GET("/", h.homePage)
		r.GET("/trusts", h.trustsListPage)
		contact := r.Group("/contact", edge.RateLimit(edge.NewPerClient(10, 5), ProblemPage), edge.GuardForm(ProblemPage))
		for _, kind := range []string{"staff", "trust"} {
			contact.GET("/"+kind, contactForm(kind))
			contact.POST("/"+kind, h.sendEnquiry(kind))
		}
	}
	if o.DevMailbox != nil {
		r.GET("/dev/mail", devMailHTML(o.DevMailbox))
		r.GET("/dev/mail.json", devMailJSON(o.DevMailbox))
		r.GET("/dev/mail/:n", devMailBody(o.DevMailbox))
	}
}

// mountPortal adds the people's pages under /portal. Each page and form
// asks the same permission as the API route it mirrors.
func mountPortal(r *gin.Engine, p *portal, perMinute int) {
	signIn := r.Group("/portal", edge.RateLimit(edge.NewPerClient(perMinute, max(20, perMinute/10)), ProblemPage), edge.GuardForm(ProblemPage))
	signIn.GET("/sign-in", p.signInPage)
	signIn.POST("/sign-in", p.sendSignInLink)
	signIn.GET("/sign-in/:token", p.signInLinkPage)
	signIn.POST("/sign-in/:token", p.useSignInLink)
	if p.dev {
		signIn.POST("/demo-sign-in", p.devSignIn)
	}

	g := r.Group("/portal", edge.LimitBody(moves.MaxUpload+1<<20), edge.GuardForm(ProblemPage), p.requireUser)
	anyone := access.Anyone
	page := func(grp *gin.RouterGroup, method, rel string, perm access.Permission, h ...gin.HandlerFunc) {
		notePage(method, grp.BasePath()+rel, perm)
		grp.Handle(method, rel, append([]gin.HandlerFunc{p.allowPage(perm)}, h...)...)
	}
	get := func(grp *gin.RouterGroup, rel string, perm access.Permission, h gin.HandlerFunc) {
		page(grp, http.MethodGet, rel, perm, h)
	}
	post := func(grp *gin.RouterGroup, rel string, perm access.Permission, h gin.HandlerFunc) {
		page(grp, http.MethodPost, rel, perm, h)
	}
	get(g, "", anyone, p.dashboard)
	post(g, "/sign-out", anyone, p.signOut)
	get(g, "/moves", access.SeeMoves, p.movesList)
	get(g, "/moves/:id", access.SeeMoves, p.movePage)
	post(g, "/moves/:id/cancel", access.Cancel, p.cancelAction())
	post(g, "/moves/:id/identity", access.Identity, p.identityAction())
	post(g, "/moves/:id/shares/:share/decision", access.Decide, p.decideAction())
	post(g, "/moves/:id/retry", access.Retry, p.retryAction())
	post(g, "/moves/:id/deadline", access.Deadline, p.deadlineAction())
	post(g, "/moves/:id/records/:type/no-record", access.Records, p.noRecordAction())
	get(g, "/start", access.StartMoves, p.startPage)
	post(g, "/start", access.StartMoves, p.startAction)
	get(g, "/rotations", access.StartMoves, p.rotationsPage)
	post(g, "/rotations", access.StartMoves, p.uploadRotation)
	get(g, "/rotations/:id", access.StartMoves, p.rotationPage)
	get(g, "/rotations/:id/failures.csv", access.StartMoves, p.rotationFailures)

	pp := g.Group("/passports")
	get(pp, "", access.Passports, p.passportsPage)
	post(pp, "", access.Passports, p.addPassport)
	get(pp, "/:id", access.Passports, p.passportPage)
	get(pp, "/:id/record/:type", access.Passports, p.recordPage)
	post(pp, "/:id/record/:type", access.Passports, p.recordAction)
	get(pp, "/:id/credentials/:cid", access.Passports, p.credentialPage)
	post(pp, "/:id/credentials/:cid/revoke", access.Passports, p.revokeAction)
	imp := g.Group("/imports")
	get(imp, "", access.Passports, p.importsPage)
	get(imp, "/:id", access.Passports, p.importPage)
	get(imp, "/:id/failures.csv", access.Passports, p.importFailures)
	post(imp, "/names", access.Passports, p.addTrainingNameForm)
	post(imp, "/names/remove", access.Passports, p.removeTrainingNameForm)
	// An import's file may be larger than the portal's other forms take
	// (outside the group, so its body limit is its own).
	post(r.Group("/portal", edge.LimitBody(credentials.MaxImportUpload+1<<20), edge.GuardForm(ProblemPage), p.requireUser), "/imports", access.Passports, p.uploadImport)

	get(g, "/settings", access.SeeSettings, p.settingsPage)
	post(g, "/settings/policy", access.ManageTrust, p.savePolicyForm)
	post(g, "/settings/checklists/:group", access.ManageTrust, p.saveChecklistForm)
	post(g, "/settings/users", access.ManageTrust, p.inviteForm)
	post(g, "/settings/users/:id/remove", access.ManageTrust, p.removeUserForm)
	post(g, "/settings/keys", access.ManageTrust, p.createKeyForm)
	post(g, "/settings/keys/:prefix/revoke", access.ManageTrust, p.revokeKeyForm)
	if p.webhooks != nil {
		post(g, "/settings/webhooks", access.ManageTrust, p.addWebhookForm)
		post(g, "/settings/webhooks/:id/remove", access.ManageTrust, p.removeWebhookForm)
		if p.deliveries != nil {
			post(g, "/settings/webhooks/retry", access.ManageTrust, p.retryWebhookForm)
		}
	}

	get(g, "/operator", access.Operate, p.operatorPage)
	post(g, "/operator/trusts", access.Operate, p.registerTrustForm)
	post(g, "/operator/trusts/:ods/suspend", access.Operate, p.suspendForm)
	post(g, "/operator/trusts/:ods/reinstate", access.Operate, p.reinstateForm)
	if p.deliveries != nil {
		post(g, "/operator/deliveries/retry", access.Operate, p.retryDeliveryForm)
	}
	post(g, "/operator/enquiries/:id/answered", access.Operate, p.answerEnquiryForm)
}

// pageRoles is every portal page and form with the roles that reach it,
// noted as the router is built.
var pageRoles sync.Map // "METHOD /path" -> access.Permission

func notePage(method, path string, perm access.Permission) { pageRoles.Store(method+" "+path, perm) }

// PageRoles returns the roles that reach each portal page and form of the
// routers built so far ("GET /portal/moves/:id" -> roles): the portal's
// access matrix is generated from it.
func PageRoles() map[string][]models.Role {
	out := map[string][]models.Role{}
	pageRoles.Range(func(k, v any) bool {
		out[k.(string)] = v.(access.Permission)
		return true
	})
	return out
}

// tellMovesAtRecords lets the moves that wait on the actor's trust for
// these passports' records look again. Best effort: a move not told finds
// out at its next reminder.
func (h *handlers) tellMovesAtRecords(c *gin.Context, a models.Actor, passportIDs ...string) {
	if h.moves == nil || len(passportIDs) == 0 {
		return
	}
	if _, err := h.moves.RecordsChangedFor(c.Request.Context(), a, passportIDs); err != nil {
		_ = c.Error(err)
	}
}

// tellRevoked tells the trusts a revoked credential was shared with.
// Best effort: the daily job tells any it missed.
func (h *handlers) tellRevoked(c *gin.Context, credentialID string) {
	if h.notices == nil {
		return
	}
	if err := h.notices.Revoked(c.Request.Context(), credentialID); err != nil {
		_ = c.Error(err)
	}
}
