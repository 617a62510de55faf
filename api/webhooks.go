package api

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/nhs-staff-passport/passport/internal/jobs"
	"github.com/nhs-staff-passport/passport/internal/store"
	"github.com/nhs-staff-passport/passport/models"
)

type webhookRequest struct {
	URL    string   `json:"url"`
	Events []string `json:"events"`
}

type webhookView struct {
	ID        string    `json:"id"`
	URL       string    `json:"url"`
	Events    []string  `json:"events"`
	CreatedAt time.Time `json:"created_at"`
	// Secret is shown once, when the endpoint is registered.
	Secret string `json:"secret,omitempty"`
}

// addWebhook: POST /api/v1/trusts/{ods}/webhooks.
func (h *handlers) addWebhook(c *gin.Context) {
	var in webhookRequest
	if !bindJSON(c, &in) {
		return
	}
	w, secret, err := h.webhooks.Register(c, actor(c), c.Param("ods"), in.URL, in.Events)
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusCreated, webhookView{ID: w.ID, URL: w.URL, Events: strings.Split(w.Events, ","), CreatedAt: w.CreatedAt, Secret: secret})
}

// listWebhooks: GET /api/v1/trusts/{ods}/webhooks (no secrets).
func (h *handlers) listWebhooks(c *gin.Context) {
	ws, err := h.store.Webhooks(c, c.Param("ods"))
	if err != nil {
		writeError(c, err)
		return
	}
	out := []webhookView{}
	for _, w := range ws {
		out = append(out, webhookView{ID: w.ID, URL: w.URL, Events: strings.Split(w.Events, ","), CreatedAt: w.CreatedAt})
	}
	c.JSON(http.StatusOK, out)
}

// removeWebhook: DELETE /api/v1/trusts/{ods}/webhooks/{id}.
func (h *handlers) removeWebhook(c *gin.Context) {
	err := h.store.Audited(c, actor(c), "webhook.removed", "trust", c.Param("ods"), map[string]string{"id": c.Param("id")},
		func(tx *store.Store) error { return tx.DisableWebhook(c, c.Param("ods"), c.Param("id")) })
	if err != nil {
		writeError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// ownFailedWebhooks lists the failed deliveries to the trust's endpoints.
func (h *handlers) ownFailedWebhooks(c *gin.Context) ([]jobs.FailedDelivery, error) {
	all, err := h.deliveries.Failed()
	if err != nil {
		return nil, err
	}
	out := []jobs.FailedDelivery{}
	for _, d := range all {
		ep := jobs.WebhookEndpointOf(d.Key)
		if ep == "" {
			continue
		}
		w, err := h.store.Webhook(c, ep)
		if err == nil && w.TrustODS == c.Param("ods") {
			out = append(out, d)
		}
	}
	return out, nil
}

// failedWebhooks: GET /api/v1/trusts/{ods}/webhooks/failures, the trust's
// webhook deliveries that failed for good.
func (h *handlers) failedWebhooks(c *gin.Context) {
	out, err := h.ownFailedWebhooks(c)
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}

// retryWebhook: POST /api/v1/trusts/{ods}/webhooks/failures/retry {"key"}:
// the trust re-runs a failed delivery to one of its own endpoints.
func (h *handlers) retryWebhook(c *gin.Context) {
	var in deliveryRetryRequest
	if !bindJSON(c, &in) {
		return
	}
	own, err := h.ownFailedWebhooks(c)
	if err != nil {
		writeError(c, err)
		return
	}
	found := false
	for _, d := range own {
		found = found || d.Key == in.Key
	}
	if !found {
		writeError(c, fmt.Errorf("delivery %q: %w", in.Key, models.ErrNotFound))
		return
	}
	if err := h.deliveries.Retry(in.Key); err != nil {
		writeError(c, err)
		return
	}
	if err := h.store.Audit(c, actor(c), "webhook.retried", "trust", c.Param("ods"), map[string]string{"key": in.Key}); err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusAccepted, gin.H{"key": in.Key, "status": "queued"})
}
