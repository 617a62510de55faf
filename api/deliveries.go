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
	err := h.deliveries.Retry(in.Key)
	if errors.Is(err, jobs.ErrNoSuchDelivery) {
		err = fmt.Errorf("delivery %q: %w", in.Key, models.ErrNotFound)
	}
	if err != nil {
		writeError(c, err)
		return
	}
	if err := h.store.SetNotificationStatus(c, in.Key, "queued", ""); err != nil {
		writeError(c, err)
		return
	}
	if err := h.store.Audit(c, actor(c), "delivery.retried", "delivery", in.Key, nil); err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusAccepted, gin.H{"key": in.Key, "status": "queued"})
}
