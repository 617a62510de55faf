package api

import (
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/nhs-staff-passport/passport/internal/access"
	"github.com/nhs-staff-passport/passport/internal/problem"
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
	w, secret, err := h.webhooks.Register(c.Request.Context(), access.Actor(c), c.Param("ods"), in.URL, in.Events)
	if err != nil {
		problem.Error(c, err)
		return
	}
	c.JSON(http.StatusCreated, webhookView{ID: w.ID, URL: w.URL, Events: strings.Split(w.Events, ","), CreatedAt: w.CreatedAt, Secret: secret})
}

// listWebhooks: GET /api/v1/trusts/{ods}/webhooks (no secrets).
func (h *handlers) listWebhooks(c *gin.Context) {
	ws, err := h.store.Webhooks(c.Request.Context(), c.Param("ods"))
	if err != nil {
		problem.Error(c, err)
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
	if err := h.admin.RemoveWebhook(c.Request.Context(), access.Actor(c), c.Param("ods"), c.Param("id")); err != nil {
		problem.Error(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// failedWebhooks: GET /api/v1/trusts/{ods}/webhooks/failures, the trust's
// webhook deliveries that failed for good.
func (h *handlers) failedWebhooks(c *gin.Context) {
	out, err := h.admin.FailedWebhooks(c.Request.Context(), c.Param("ods"))
	if err != nil {
		problem.Error(c, err)
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
	if err := h.admin.RetryWebhook(c.Request.Context(), access.Actor(c), c.Param("ods"), in.Key); err != nil {
		problem.Error(c, err)
		return
	}
	c.JSON(http.StatusAccepted, gin.H{"key": in.Key, "status": "queued"})
}
