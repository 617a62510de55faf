package api

import (
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/nhs-staff-passport/passport/internal/store"
	"github.com/nhs-staff-passport/passport/models"
)

type suspendRequest struct {
	Reason string `json:"reason"`
	// InFlight says what happens to the trust's active moves: "continue"
	// (they run to their end) or "cancel".
	InFlight string `json:"in_flight"`
}

// suspendTrust: POST /api/v1/trusts/{ods}/suspend, by an operator. No new
// moves to or from the trust; active moves continue or are cancelled.
func (h *handlers) suspendTrust(c *gin.Context) {
	var in suspendRequest
	if !bindJSON(c, &in) {
		return
	}
	var v models.ValidationError
	if len(strings.TrimSpace(in.Reason)) < 5 {
		v.Add("reason", "say why the trust is suspended")
	}
	if in.InFlight != "continue" && in.InFlight != "cancel" {
		v.Add("in_flight", "must be continue or cancel")
	}
	if err := v.Err(); err != nil {
		writeError(c, err)
		return
	}
	ods := c.Param("ods")
	now := time.Now().UTC()
	a := actor(c)
	err := h.store.Audited(c, a, "trust.suspended", "trust", ods, in,
		func(tx *store.Store) error { return tx.SetSuspended(c, ods, &now) })
	if err != nil {
		writeError(c, err)
		return
	}
	h.trustList.clear()
	cancelled := 0
	if in.InFlight == "cancel" && h.moves != nil {
		var err error
		if cancelled, err = h.moves.CancelInFlight(c, a, ods, "the trust "+ods+" was suspended from the service: "+strings.TrimSpace(in.Reason)); err != nil {
			writeError(c, err)
			return
		}
	}
	c.JSON(http.StatusOK, gin.H{"ods_code": ods, "suspended_at": now, "moves_cancelled": cancelled})
}

// reinstateTrust: POST /api/v1/trusts/{ods}/reinstate, by an operator.
func (h *handlers) reinstateTrust(c *gin.Context) {
	ods := c.Param("ods")
	err := h.store.Audited(c, actor(c), "trust.reinstated", "trust", ods, nil,
		func(tx *store.Store) error { return tx.SetSuspended(c, ods, nil) })
	if err != nil {
		writeError(c, err)
		return
	}
	h.trustList.clear()
	c.JSON(http.StatusOK, gin.H{"ods_code": ods, "suspended_at": nil})
}
