package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/nhs-staff-passport/passport/internal/access"
	"github.com/nhs-staff-passport/passport/internal/admin"
	"github.com/nhs-staff-passport/passport/internal/problem"
)

// suspendTrust: POST /api/v1/trusts/{ods}/suspend, by an operator. No new
// moves to or from the trust; active moves continue, are held or are
// cancelled, and their people and trusts are told.
func (h *handlers) suspendTrust(c *gin.Context) {
	var in admin.Suspension
	if !bindJSON(c, &in) {
		return
	}
	ods := c.Param("ods")
	now := time.Now().UTC()
	n, err := h.admin.Suspend(c.Request.Context(), access.Actor(c), ods, in, now)
	if err != nil {
		problem.Error(c, err)
		return
	}
	out := gin.H{"ods_code": ods, "suspended_at": now, "moves_cancelled": 0, "moves_paused": 0}
	switch in.InFlight {
	case "cancel":
		out["moves_cancelled"] = n
	case "pause":
		out["moves_paused"] = n
	}
	c.JSON(http.StatusOK, out)
}

// reinstateTrust: POST /api/v1/trusts/{ods}/reinstate, by an operator.
func (h *handlers) reinstateTrust(c *gin.Context) {
	ods := c.Param("ods")
	resumed, err := h.admin.Reinstate(c.Request.Context(), access.Actor(c), ods)
	if err != nil {
		problem.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"ods_code": ods, "suspended_at": nil, "moves_resumed": resumed})
}
