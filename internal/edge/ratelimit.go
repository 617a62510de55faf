package edge

import (
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/nhs-staff-passport/passport/internal/problem"
	"golang.org/x/time/rate"
)

// PerClient limits requests per client address: a link's token is a
// secret, and guessing at tokens should be slow and noticed.
type PerClient struct {
	mu      sync.Mutex
	every   time.Duration
	burst   int
	clients map[string]*clientLimit
	swept   time.Time
}

type clientLimit struct {
	l    *rate.Limiter
	seen time.Time
}

func NewPerClient(perMinute, burst int) *PerClient {
	return &PerClient{every: time.Minute / time.Duration(perMinute), burst: burst, clients: map[string]*clientLimit{}}
}

func (p *PerClient) allow(ip string, now time.Time) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if now.Sub(p.swept) > 10*time.Minute { // forget clients gone quiet
		for k, c := range p.clients {
			if now.Sub(c.seen) > 10*time.Minute {
				delete(p.clients, k)
			}
		}
		p.swept = now
	}
	c, ok := p.clients[ip]
	if !ok {
		c = &clientLimit{l: rate.NewLimiter(rate.Every(p.every), p.burst)}
		p.clients[ip] = c
	}
	c.seen = now
	return c.l.AllowN(now, 1)
}

// RateLimit answers 429 with Retry-After once a client exceeds the limit
// (to a person at a page, with page when set).
func RateLimit(p *PerClient, page PageProblem) gin.HandlerFunc {
	return func(c *gin.Context) {
		if p.allow(c.ClientIP(), time.Now()) {
			c.Next()
			return
		}
		c.Header("Retry-After", strconv.Itoa(int(p.every.Seconds())+1))
		if page != nil && strings.Contains(c.GetHeader("Accept"), "text/html") { // a person at a page, not a program
			page(c, http.StatusTooManyRequests, "Too many attempts", "There have been too many requests from your address. Wait a minute and try again.")
			c.Abort()
			return
		}
		problem.Write(c, problem.Problem{Type: problem.Type + "too-many-requests", Status: http.StatusTooManyRequests,
			Detail: "Too many requests from your address. Wait a minute and try again."})
	}
}
