// Package api is the JSON API under /api/v1 and the operational endpoints
// (/healthz, /readyz, /metrics, /openapi.json). The pages are package web's;
// both act through the services in internal/ and ask the one permission
// table in internal/access.
package api

import (
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/nhs-staff-passport/passport/internal/access"
	"github.com/nhs-staff-passport/passport/internal/admin"
	"github.com/nhs-staff-passport/passport/internal/credentials"
	"github.com/nhs-staff-passport/passport/internal/edge"
	"github.com/nhs-staff-passport/passport/internal/expiry"
	"github.com/nhs-staff-passport/passport/internal/jobs"
	"github.com/nhs-staff-passport/passport/internal/metrics"
	"github.com/nhs-staff-passport/passport/internal/moves"
	"github.com/nhs-staff-passport/passport/internal/store"
	"github.com/nhs-staff-passport/passport/internal/webhooks"
	"github.com/nhs-staff-passport/passport/models"
)

// Options wire the JSON API.
type Options struct {
	Logger  *slog.Logger
	Metrics *metrics.Metrics
	// Ready lists what /readyz checks.
	Ready []Check
	// Store and Credentials, when set, mount the JSON API under /api/v1.
	Store       *store.Store
	Credentials *credentials.Service
	// Admin does what trust admins and operators change (made from Store
	// and Moves when not set).
	Admin *admin.Service
	// Moves, when set, mounts the move endpoints.
	Moves *moves.Service
	// Webhooks, when set, mounts the trusts' webhook endpoints.
	Webhooks *webhooks.Service
	// Deliveries, when set, mounts the operators' view of failed emails.
	Deliveries *jobs.Deliveries
	// IdentityCallbackSecret, when set, mounts the identity provider's
	// callback.
	IdentityCallbackSecret []byte
	// LinkRequestsPerMinute bounds requests per client address to the
	// endpoints behind email links (default 60).
	LinkRequestsPerMinute int
	// PublicURL is the service's address as people reach it.
	PublicURL string
	// DevMode serves /metrics open and the runtime profiles to this
	// machine.
	DevMode bool
	// Notices, when set, tells the trusts a revoked credential was shared
	// with at once (the daily job tells any it missed).
	Notices *expiry.Job
	// TrustedProxies are the proxies in front of the service whose
	// X-Forwarded-For is believed; none by default.
	TrustedProxies []string
}

// Edge is the router's shape these options ask for.
func (o Options) Edge() edge.Options {
	return edge.Options{Logger: o.Logger, Metrics: o.Metrics, PublicURL: o.PublicURL, TrustedProxies: o.TrustedProxies}
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
	admin      *admin.Service
	moves      *moves.Service
	deliveries *jobs.Deliveries
	webhooks   *webhooks.Service
	notices    *expiry.Job
	publicURL  string
	log        *slog.Logger
}

// NewHandler is a router with the JSON API alone (see Mount).
func NewHandler(o Options) http.Handler {
	r := edge.NewEngine(o.Edge())
	Mount(r, o)
	return r
}

// NewOpsHandler serves only /healthz, /readyz and /metrics, for worker
// processes.
func NewOpsHandler(o Options) http.Handler {
	r := edge.NewEngine(o.Edge())
	mountOps(r, o, true)
	return r
}

// Mount adds the JSON API and the operational endpoints to r.
func Mount(r *gin.Engine, o Options) {
	mountOps(r, o, false)
	if o.Admin == nil && o.Store != nil {
		o.Admin = &admin.Service{Store: o.Store, Moves: o.Moves, Deliveries: o.Deliveries}
	}
	h := &handlers{store: o.Store, creds: o.Credentials, admin: o.Admin, moves: o.Moves, deliveries: o.Deliveries, webhooks: o.Webhooks,
		notices: o.Notices, publicURL: o.PublicURL, log: o.Logger}
	if o.Store != nil && o.Credentials != nil {
		mountAPI(r, h)
	}
	if o.Moves != nil {
		links := r.Group("/api/v1/links/:token", edge.RateLimit(edge.NewPerClient(o.linkRate(), 20), nil))
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
	if o.DevMode {
		edge.MountPprof(r)
	}
}

// mountOps adds the operational endpoints; ops is a worker's own port.
func mountOps(r *gin.Engine, o Options, ops bool) {
	r.GET("/healthz", healthz)
	r.GET("/readyz", readyz(o.Ready))
	r.GET("/openapi.json", openAPI)
	if o.Metrics != nil {
		// The API's port faces the world: outside dev mode its metrics are
		// an operator's to read. (A worker's own port serves them open.)
		if !ops && o.Store != nil && !o.DevMode {
			r.GET("/metrics", authenticate(o.Store), allow(access.Operate...), gin.WrapH(o.Metrics.Handler()))
		} else {
			r.GET("/metrics", gin.WrapH(o.Metrics.Handler()))
		}
	}
}

// mountAPI adds the JSON API. Each route names the roles that may use it.
func mountAPI(r *gin.Engine, h *handlers) {
	v1 := r.Group("/api/v1")
	v1.GET("/trusts", h.publicTrusts)
	v1.GET("/trusts/:ods", h.trustIssuer)
	v1.GET("/trusts/:ods/keys", h.trustKeys)
	v1.GET("/trusts/:ods/status/revocation", h.trustStatusList)
	v1.GET("/trusts/:ods/status/revocation/:list", h.trustStatusList)

	authed := v1.Group("", authenticate(h.store))
	authed.POST("/passports", allow(access.Passports...), h.findOrCreatePassport)
	authed.GET("/passports/:id", allow(access.Passports...), h.getPassport)
	authed.POST("/passports/:id/credentials", allow(access.Passports...), h.issueCredential)
	authed.POST("/credentials/:id/revoke", allow(access.Passports...), h.revokeCredential)
	authed.POST("/credentials/imports", allow(access.Passports...), h.importCredentials)
	authed.GET("/credentials/imports/:id", allow(access.Passports...), h.getImport)
	authed.POST("/verify", allow(models.RoleHR, models.RoleTrustAdmin, models.RoleOperator), h.verifyCredential)
	operator := allow(access.Operate...)
	authed.POST("/trusts", operator, h.registerTrust)
	authed.GET("/enquiries", operator, h.listEnquiries)
	authed.POST("/enquiries/:id/answered", operator, h.answerEnquiry)
	authed.POST("/trusts/:ods/suspend", operator, h.suspendTrust)
	authed.POST("/trusts/:ods/reinstate", operator, h.reinstateTrust)

	if h.moves != nil {
		see := allow(access.SeeMoves...)
		authed.POST("/moves", allow(access.StartMoves...), h.startMove)
		authed.GET("/moves", see, h.listMoves)
		authed.POST("/rotations", allow(access.StartMoves...), h.startRotation)
		authed.GET("/rotations/:id", allow(access.StartMoves...), h.getRotation)
		authed.GET("/moves/:id", see, h.getMove)
		authed.GET("/moves/:id/events", see, h.moveEvents)
		authed.POST("/moves/:id/cancel", allow(access.Cancel...), h.cancelMove())
		authed.POST("/moves/:id/identity", allow(access.Identity...), h.recordIdentity)
		authed.POST("/moves/:id/records/no-record", allow(access.Records...), h.noRecord())
		authed.POST("/moves/:id/shares/:share/decision", allow(access.Decide...), h.decideShare())
		authed.POST("/moves/:id/retry", allow(access.Retry...), h.retryStep())
		authed.POST("/moves/:id/deadline", allow(access.Deadline...), h.extendDeadline())
	}

	if h.deliveries != nil {
		authed.GET("/deliveries/failed", operator, h.failedDeliveries)
		authed.GET("/deliveries/retrying", operator, h.retryingDeliveries)
		authed.POST("/deliveries/retry", operator, h.retryDelivery)
	}

	trustStaff := allow(access.SeeSettings...)
	trustAdmin := allow(access.ManageTrust...)
	settings := authed.Group("/trusts/:ods", ownTrust)
	settings.GET("/checklists", trustStaff, h.getChecklists)
	settings.PUT("/checklists/:group", trustAdmin, h.putChecklist)
	settings.GET("/policy", trustStaff, h.getPolicy)
	settings.GET("/training-names", trustStaff, h.getTrainingNames)
	settings.PUT("/training-names", allow(access.Passports...), h.putTrainingNames)
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
