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
	ods := c.Param("ods")
	now := time.Now().UTC()
	cancelled, err := h.suspend(c, actor(c), ods, in, now)
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"ods_code": ods, "suspended_at": now, "moves_cancelled": cancelled})
}

// suspend suspends a trust, records who did, and cancels its active moves
// when asked; it returns how many were cancelled.
func (h *handlers) suspend(c *gin.Context, a models.Actor, ods string, in suspendRequest, now time.Time) (int, error) {
	var v models.ValidationError
	if len(strings.TrimSpace(in.Reason)) < 5 {
		v.Add("reason", "say why the trust is suspended")
	}
	if in.InFlight != "continue" && in.InFlight != "cancel" {
		v.Add("in_flight", "must be continue or cancel")
	}
	if err := v.Err(); err != nil {
		return 0, err
	}
	err := h.store.Audited(c, a, "trust.suspended", "trust", ods, in,
		func(tx *store.Store) error { return tx.SetSuspended(c, ods, &now) })
	if err != nil {
		return 0, err
	}
	h.trustList.clear()
	if in.InFlight == "cancel" && h.moves != nil {
		return h.moves.CancelInFlight(c, a, ods, "the trust "+ods+" was suspended from the service: "+strings.TrimSpace(in.Reason))
	}
	return 0, nil
}

// reinstate lifts a trust's suspension and records who did.
func (h *handlers) reinstate(c *gin.Context, a models.Actor, ods string) error {
	err := h.store.Audited(c, a, "trust.reinstated", "trust", ods, nil,
		func(tx *store.Store) error { return tx.SetSuspended(c, ods, nil) })
	if err == nil {
		h.trustList.clear()
	}
	return err
}

// reinstateTrust: POST /api/v1/trusts/{ods}/reinstate, by an operator.
func (h *handlers) reinstateTrust(c *gin.Context) {
	ods := c.Param("ods")
	if err := h.reinstate(c, actor(c), ods); err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"ods_code": ods, "suspended_at": nil})
}
