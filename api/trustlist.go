package api

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/nhs-staff-passport/passport/internal/access"
	"github.com/nhs-staff-passport/passport/internal/admin"
	"github.com/nhs-staff-passport/passport/internal/problem"
)

// publicTrusts: GET /api/v1/trusts, the trusts taking part (no key needed).
// ?q= searches names and ODS codes.
func (h *handlers) publicTrusts(c *gin.Context) {
	list, err := h.admin.Trusts(c.Request.Context())
	if err != nil {
		problem.Error(c, err)
		return
	}
	if q := strings.ToLower(strings.TrimSpace(c.Query("q"))); q != "" {
		found := []admin.PublicTrust{}
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

// registerTrust: POST /api/v1/trusts, by an operator.
func (h *handlers) registerTrust(c *gin.Context) {
	var in admin.Registration
	if !bindJSON(c, &in) {
		return
	}
	t, err := h.admin.Register(c.Request.Context(), access.Actor(c), in)
	if err != nil {
		problem.Error(c, err)
		return
	}
	c.JSON(http.StatusCreated, admin.PublicTrust{ODSCode: t.ODSCode, Name: t.Name, Region: t.Region, RegisteredSince: t.RegisteredAt})
}
