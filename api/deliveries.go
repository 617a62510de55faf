package api

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/nhs-staff-passport/passport/internal/jobs"
	"github.com/nhs-staff-passport/passport/models"
)

// failedDeliveries: GET /api/v1/deliveries/failed, for operators.
func (h *handlers) failedDeliveries(c *gin.Context) {
	list, err := h.deliveries.Failed()
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, list)
}

// retryingDelivery is an email whose delivery keeps failing and is being
// tried again: what, since when, and the last error (addresses hidden).
type retryingDelivery struct {
	Key          string    `json:"key"`
	MoveID       string    `json:"move_id"`
	Template     string    `json:"template"`
	Recipient    string    `json:"recipient"`
	FailingSince time.Time `json:"failing_since"`
	Error        string    `json:"error"`
}

// retryingDeliveries: GET /api/v1/deliveries/retrying, for operators: the
// emails failing now, before they fail for good (a relay outage shows
// here within a minute).
func (h *handlers) retryingDeliveries(c *gin.Context) {
	list, err := h.retrying(c)
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, list)
}

func (h *handlers) retrying(c *gin.Context) ([]retryingDelivery, error) {
	ns, err := h.store.FailingNotifications(c.Request.Context(), 200)
	out := make([]retryingDelivery, 0, len(ns))
	for _, n := range ns {
		out = append(out, retryingDelivery{Key: n.ID, MoveID: n.MoveID, Template: n.Template, Recipient: n.Recipient,
			FailingSince: *n.FailingSince, Error: n.Error})
	}
	return out, err
}

type deliveryRetryRequest struct {
	Key string `json:"key"`
}

// retryDelivery: POST /api/v1/deliveries/retry {"key": ...}, for operators.
func (h *handlers) retryDelivery(c *gin.Context) {
	var in deliveryRetryRequest
	if !bindJSON(c, &in) {
		return
	}
	if err := h.retryDeliveryKey(c, actor(c), in.Key); err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusAccepted, gin.H{"key": in.Key, "status": "queued"})
}

// retryDeliveryKey queues a failed delivery again and records who did.
func (h *handlers) retryDeliveryKey(c *gin.Context, a models.Actor, key string) error {
	err := h.deliveries.Retry(key)
	if errors.Is(err, jobs.ErrNoSuchDelivery) {
		err = fmt.Errorf("delivery %q: %w", key, models.ErrNotFound)
	}
	if err != nil {
		return err
	}
	if err := h.store.SetNotificationStatus(c.Request.Context(), key, "queued", ""); err != nil {
		return err
	}
	return h.store.Audit(c.Request.Context(), a, "delivery.retried", "delivery", key, nil)
}
