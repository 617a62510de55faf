package api

import (
	"errors"
	"fmt"
	"net/http"

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
