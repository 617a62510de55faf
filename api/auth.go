package api

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/nhs-staff-passport/passport/internal/access"
	"github.com/nhs-staff-passport/passport/internal/apikey"
	"github.com/nhs-staff-passport/passport/internal/problem"
	"github.com/nhs-staff-passport/passport/models"
)

// KeyStore finds API keys and records their use.
type KeyStore interface {
	APIKeyByPrefix(ctx context.Context, prefix string) (models.APIKey, error)
	TouchAPIKey(ctx context.Context, id string, t time.Time) error
}

// touchEvery bounds how often a key's last use is written: once a minute is
// enough to tell a live key from a forgotten one.
const touchEvery = time.Minute

// authenticate admits requests bearing a live API key and records who made
// them. Every failure looks the same to the caller.
func authenticate(keys KeyStore) gin.HandlerFunc {
	var touched sync.Map // key ID -> time.Time of the last write
	return func(c *gin.Context) {
		plain, ok := strings.CutPrefix(c.GetHeader("Authorization"), "Bearer ")
		if !ok {
			unauthorized(c)
			return
		}
		prefix, err := apikey.Prefix(strings.TrimSpace(plain))
		if err != nil {
			unauthorized(c)
			return
		}
		k, err := keys.APIKeyByPrefix(c.Request.Context(), prefix)
		if errors.Is(err, models.ErrNotFound) || (err == nil && (!apikey.Matches(strings.TrimSpace(plain), k.SecretHash) || k.RevokedAt != nil)) {
			unauthorized(c)
			return
		}
		if err != nil {
			problem.Error(c, err)
			return
		}
		now := time.Now()
		if last, ok := touched.Load(k.ID); !ok || now.Sub(last.(time.Time)) > touchEvery {
			touched.Store(k.ID, now)
			_ = keys.TouchAPIKey(c.Request.Context(), k.ID, now) // best effort: never fail a request over it
		}
		access.SetActor(c, models.Actor{Kind: models.ActorAPIKey, ID: k.ID, Trust: k.TrustODS, Role: k.Role})
		c.Next()
	}
}

func unauthorized(c *gin.Context) {
	c.Header("WWW-Authenticate", `Bearer realm="staff-passport"`)
	problem.Write(c, problem.Problem{Type: problem.Type + "unauthorized", Status: http.StatusUnauthorized,
		Detail: "Send a valid API key as Authorization: Bearer <key>."})
}

// allow lets only the given roles through.
func allow(roles ...models.Role) gin.HandlerFunc {
	return func(c *gin.Context) {
		if !slices.Contains(roles, access.Actor(c).Role) {
			problem.Write(c, problem.Problem{Type: problem.Type + "forbidden", Status: http.StatusForbidden,
				Detail: "Your key's role may not do this."})
			return
		}
		c.Next()
	}
}
