package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/nhs-staff-passport/passport/internal/access"
	"github.com/nhs-staff-passport/passport/internal/problem"
	"github.com/nhs-staff-passport/passport/internal/store"
	"github.com/nhs-staff-passport/passport/models"
)

// listEnquiries: GET /api/v1/enquiries?status=open|answered, for operators.
func (h *handlers) listEnquiries(c *gin.Context) {
	status := c.Query("status")
	if status != "" && status != "open" && status != "answered" {
		var v models.ValidationError
		v.Add("status", "must be open or answered")
		problem.Error(c, &v)
		return
	}
	list, err := h.store.Enquiries(c.Request.Context(), status)
	if err != nil {
		problem.Error(c, err)
		return
	}
	if list == nil {
		list = []models.Enquiry{}
	}
	c.JSON(http.StatusOK, list)
}

// answerEnquiry: POST /api/v1/enquiries/{id}/answered, for operators.
func (h *handlers) answerEnquiry(c *gin.Context) {
	err := h.store.Audited(c.Request.Context(), access.Actor(c), "enquiry.answered", "enquiry", c.Param("id"), nil, func(tx *store.Store) error {
		return tx.MarkEnquiryAnswered(c.Request.Context(), c.Param("id"), time.Now())
	})
	if err != nil {
		problem.Error(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
