package api

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
)

// Check is one dependency that must answer for the process to be ready.
type Check struct {
	Name  string
	Check func(ctx context.Context) error
}

// readiness is the body of /readyz.
type readiness struct {
	Status string            `json:"status"`
	Checks map[string]string `json:"checks"`
}

func healthz(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"status": "alive"})
}

// readyz runs every check at once, each bounded by a timeout, and names the
// ones that failed. Error text stays in the log: it may describe internals.
func readyz(checks []Check) gin.HandlerFunc {
	return func(c *gin.Context) {
		ctx, cancel := context.WithTimeout(c.Request.Context(), 3*time.Second)
		defer cancel()
		res := readiness{Status: "ready", Checks: make(map[string]string, len(checks))}
		var (
			mu   sync.Mutex
			wg   sync.WaitGroup
			errs []error
		)
		for _, ch := range checks {
			wg.Go(func() {
				err := ch.Check(ctx)
				mu.Lock()
				defer mu.Unlock()
				res.Checks[ch.Name] = "ok"
				if err != nil {
					res.Checks[ch.Name] = "unavailable"
					res.Status = "not ready"
					errs = append(errs, fmt.Errorf("%s: %w", ch.Name, err))
				}
			})
		}
		wg.Wait()
		for _, err := range errs {
			_ = c.Error(err)
		}
		code := http.StatusOK
		if res.Status != "ready" {
			code = http.StatusServiceUnavailable
		}
		c.JSON(code, res)
	}
}
