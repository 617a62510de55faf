package api

import (
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/nhs-staff-passport/passport/internal/store"
	"github.com/nhs-staff-passport/passport/models"
)

type publicTrust struct {
	ODSCode         string    `json:"ods_code"`
	Name            string    `json:"name"`
	Region          string    `json:"region"`
	RegisteredSince time.Time `json:"registered_since"`
}

// trustListCache holds the public list for a short while: it changes only
// when an operator registers a trust, which clears it.
type trustListCache struct {
	mu   sync.Mutex
	list []publicTrust
	at   time.Time
}

const trustListTTL = 30 * time.Second

func (t *trustListCache) clear() {
	t.mu.Lock()
	t.list = nil
	t.mu.Unlock()
}

// publicTrusts: GET /api/v1/trusts, the trusts taking part (no key needed).
// ?q= searches names and ODS codes.
func (h *handlers) publicTrusts(c *gin.Context) {
	h.trustList.mu.Lock()
	list := h.trustList.list
	if list == nil || time.Since(h.trustList.at) > trustListTTL {
		trusts, err := h.store.RegisteredTrusts(c.Request.Context())
		if err != nil {
			h.trustList.mu.Unlock()
			writeError(c, err)
			return
		}
		list = make([]publicTrust, 0, len(trusts))
		for _, t := range trusts {
			list = append(list, publicTrust{ODSCode: t.ODSCode, Name: t.Name, Region: t.Region, RegisteredSince: t.RegisteredAt})
		}
		h.trustList.list, h.trustList.at = list, time.Now()
	}
	h.trustList.mu.Unlock()
	if q := strings.ToLower(strings.TrimSpace(c.Query("q"))); q != "" {
		found := []publicTrust{}
		for _, t := range list {
			if strings.Contains(strings.ToLower(t.Name), q) || strings.EqualFold(t.ODSCode, q) {
				found = append(found, t)
			}
		}
		list = found
	}
	c.Header("Cache-Control", "public, max-age=30")
	c.JSON(http.StatusOK, list)
}

type registerTrustRequest struct {
	ODSCode      string `json:"ods_code"`
	Name         string `json:"name"`
	Region       string `json:"region"`
	ContactEmail string `json:"contact_email"`
}

// register registers a trust and records who did.
func (h *handlers) register(c *gin.Context, a models.Actor, in registerTrustRequest) (models.Trust, error) {
	t := models.Trust{ODSCode: strings.ToUpper(strings.TrimSpace(in.ODSCode)), Name: strings.TrimSpace(in.Name),
		Region: strings.TrimSpace(in.Region), ContactEmail: strings.ToLower(strings.TrimSpace(in.ContactEmail)), RegisteredAt: time.Now().UTC()}
	err := h.store.Audited(c.Request.Context(), a, "trust.registered", "trust", t.ODSCode, in,
		func(tx *store.Store) error { return tx.RegisterTrust(c.Request.Context(), &t) })
	if err == nil {
		h.trustList.clear()
	}
	return t, err
}

// registerTrust: POST /api/v1/trusts, by an operator.
func (h *handlers) registerTrust(c *gin.Context) {
	var in registerTrustRequest
	if !bindJSON(c, &in) {
		return
	}
	t, err := h.register(c, actor(c), in)
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusCreated, publicTrust{ODSCode: t.ODSCode, Name: t.Name, Region: t.Region, RegisteredSince: t.RegisteredAt})
}
