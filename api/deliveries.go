package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/nhs-staff-passport/passport/internal/access"
	"github.com/nhs-staff-passport/passport/internal/problem"
)

// failedDeliveries: GET /api/v1/deliveries/failed, for operators.
func (h *handlers) failedDeliveries(c *gin.Context) {
	list, err := h.deliveries.Failed()
	if err != nil {
		problem.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, list)
}

// retryingDeliveries: GET /api/v1/deliveries/retrying, for operators: the
// emails failing now, before they fail for good (a relay outage shows
// here within a minute).
func (h *handlers) retryingDeliveries(c *gin.Context) {
	list, err := h.admin.Retrying(c.Request.Context())
	if err != nil {
		problem.Error(c, err)
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
	if err := h.admin.RetryDelivery(c.Request.Context(), access.Actor(c), in.Key); err != nil {
		problem.Error(c, err)
		return
	}
	c.JSON(http.StatusAccepted, gin.H{"key": in.Key, "status": "queued"})
}
