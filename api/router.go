// Package api is the HTTP face of the service: the JSON API under /api/v1,
// the pages behind the email links, and the operational endpoints.
package api

import (
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/nhs-staff-passport/passport/internal/metrics"
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
}

// NewHandler builds the router of an API process.
func NewHandler(o Options) http.Handler {
	r := newEngine(o)
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
	if o.Metrics != nil {
		r.GET("/metrics", gin.WrapH(o.Metrics.Handler()))
	}
	return r
}
