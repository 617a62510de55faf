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
	URL    string   `json:"url" max:"2000"`
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
	w, secret, err := h.webhooks.Register(c.Request.Context(), actor(c), c.Param("ods"), in.URL, in.Events)
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusCreated, webhookView{ID: w.ID, URL: w.URL, Events: strings.Split(w.Events, ","), CreatedAt: w.CreatedAt, Secret: secret})
}

// listWebhooks: GET /api/v1/trusts/{ods}/webhooks (no secrets).
func (h *handlers) listWebhooks(c *gin.Context) {
	ws, err := h.store.Webhooks(c.Request.Context(), c.Param("ods"))
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
	if err := h.removeWebhookID(c, actor(c), c.Param("ods"), c.Param("id")); err != nil {
		writeError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// removeWebhookID stops deliveries to one of the trust's endpoints.
func (h *handlers) removeWebhookID(c *gin.Context, a models.Actor, ods, id string) error {
	return h.store.Audited(c.Request.Context(), a, "webhook.removed", "trust", ods, map[string]string{"id": id},
		func(tx *store.Store) error { return tx.DisableWebhook(c.Request.Context(), ods, id) })
}

// ownFailedWebhooks lists the failed deliveries to the trust's endpoints.
func (h *handlers) ownFailedWebhooks(c *gin.Context, ods string) ([]jobs.FailedDelivery, error) {
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
		w, err := h.store.Webhook(c.Request.Context(), ep)
		if err == nil && w.TrustODS == ods {
			out = append(out, d)
		}
	}
	return out, nil
}

// failedWebhooks: GET /api/v1/trusts/{ods}/webhooks/failures, the trust's
// webhook deliveries that failed for good.
func (h *handlers) failedWebhooks(c *gin.Context) {
	out, err := h.ownFailedWebhooks(c, c.Param("ods"))
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
	if err := h.retryOwnWebhook(c, actor(c), c.Param("ods"), in.Key); err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusAccepted, gin.H{"key": in.Key, "status": "queued"})
}

// retryOwnWebhook re-runs a failed delivery to one of the trust's
// endpoints; another trust's delivery is not found.
func (h *handlers) retryOwnWebhook(c *gin.Context, a models.Actor, ods, key string) error {
	own, err := h.ownFailedWebhooks(c, ods)
	if err != nil {
		return err
	}
	found := false
	for _, d := range own {
		found = found || d.Key == key
	}
	if !found {
		return fmt.Errorf("delivery %q: %w", key, models.ErrNotFound)
	}
	if err := h.deliveries.Retry(key); err != nil {
		return err
	}
	return h.store.Audit(c.Request.Context(), a, "webhook.retried", "trust", ods, map[string]string{"key": key})
}
