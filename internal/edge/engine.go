// Package edge is what every request meets before a handler: the router
// both the JSON API and the pages mount on, request IDs, the access log,
// panics turned into problems, input guards, body limits, rate limits and
// the headers every answer carries.
package edge

import (
	"log/slog"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/nhs-staff-passport/passport/internal/metrics"
	"github.com/nhs-staff-passport/passport/internal/problem"
)

// Options shape the router.
type Options struct {
	Logger  *slog.Logger
	Metrics *metrics.Metrics
	// PublicURL is the service's address as people reach it; behind https
	// every answer carries HSTS.
	PublicURL string
	// TrustedProxies are the proxies whose X-Forwarded-For is believed;
	// none by default (the connection's address is the client's).
	TrustedProxies []string
	// Page, when set, answers a browser's bad address with a page rather
	// than problem+json.
	Page PageProblem
}

// NewEngine is the router every process serves, with the middleware every
// request passes and problem answers for unknown addresses and methods.
func NewEngine(o Options) *gin.Engine {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	// Only the configured proxies' X-Forwarded-For is believed: rate
	// limits key on the client's address.
	if err := r.SetTrustedProxies(o.TrustedProxies); err != nil {
		panic("edge: trusted proxies were not checked: " + err.Error()) // config.Validate checks them
	}
	r.HandleMethodNotAllowed = true
	r.ContextWithFallback = true
	r.Use(RequestID(), AccessLog(o.Logger, o.Metrics), Recover(o.Logger), GuardInput(o.Page), SafeHeaders(strings.HasPrefix(o.PublicURL, "https://")))
	r.NoRoute(func(c *gin.Context) {
		// A person at a browser gets a page; a program, problem+json.
		if o.Page != nil && !strings.HasPrefix(c.Request.URL.Path, "/api/") && strings.Contains(c.GetHeader("Accept"), "text/html") {
			o.Page(c, http.StatusNotFound, "Page not found", "If you typed the web address, check it is correct. If you pasted it, check you copied the whole address.")
			c.Abort()
			return
		}
		problem.Write(c, problem.Problem{Type: problem.Type + "not-found", Status: http.StatusNotFound, Detail: "There is nothing here."})
	})
	r.NoMethod(func(c *gin.Context) {
		problem.Write(c, problem.Problem{Type: problem.Type + "method-not-allowed", Status: http.StatusMethodNotAllowed, Detail: "This address does not take that method."})
	})
	return r
}

// SafeHeaders are sent with every answer: no content sniffing, JSON kept
// by no cache unless its handler says otherwise (public keys, the trust
// list), and, behind https, HSTS.
func SafeHeaders(https bool) gin.HandlerFunc {
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

// LimitBody bounds a request's body to n bytes.
func LimitBody(n int64) gin.HandlerFunc {
	return func(c *gin.Context) {
		if c.Request.Body != nil {
			c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, n)
		}
		c.Next()
	}
}
