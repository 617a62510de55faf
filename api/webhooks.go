package api

import (
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
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
	if err := h.store.DisableWebhook(c, c.Param("ods"), c.Param("id")); err != nil {
		writeError(c, err)
		return
	}
	if err := h.store.Audit(c, actor(c), "webhook.removed", "trust", c.Param("ods"), map[string]string{"id": c.Param("id")}); err != nil {
		writeError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
