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
	// (they run to their end), "pause" (held until the trust is
	// reinstated) or "cancel".
	InFlight string `json:"in_flight"`
}

// suspendTrust: POST /api/v1/trusts/{ods}/suspend, by an operator. No new
// moves to or from the trust; active moves continue, are held or are
// cancelled, and their people and trusts are told.
func (h *handlers) suspendTrust(c *gin.Context) {
	var in suspendRequest
	if !bindJSON(c, &in) {
		return
	}
	ods := c.Param("ods")
	now := time.Now().UTC()
	n, err := h.suspend(c, actor(c), ods, in, now)
	if err != nil {
		writeError(c, err)
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

// maxSuspendReason keeps the reason, with the words that say which trust,
// within what a move takes as the reason for a hold or a cancellation (500).
const maxSuspendReason = 300

// suspend suspends a trust, records who did, and holds or cancels its
// active moves when asked; it returns how many it held or cancelled.
func (h *handlers) suspend(c *gin.Context, a models.Actor, ods string, in suspendRequest, now time.Time) (int, error) {
	var v models.ValidationError
	if r := strings.TrimSpace(in.Reason); len(r) < 5 || len(r) > maxSuspendReason {
		v.Add("reason", "say why the trust is suspended, in 5 to 300 characters")
	}
	if in.InFlight != "continue" && in.InFlight != "pause" && in.InFlight != "cancel" {
		v.Add("in_flight", "must be continue, pause or cancel")
	}
	if err := v.Err(); err != nil {
		return 0, err
	}
	err := h.store.Audited(c.Request.Context(), a, "trust.suspended", "trust", ods, in,
		func(tx *store.Store) error { return tx.SetSuspended(c.Request.Context(), ods, &now) })
	if err != nil {
		return 0, err
	}
	h.trustList.clear()
	reason := "the trust " + ods + " was suspended from the service: " + strings.TrimSpace(in.Reason)
	switch {
	case h.moves == nil:
	case in.InFlight == "cancel":
		return h.moves.CancelInFlight(c.Request.Context(), a, ods, reason)
	case in.InFlight == "pause":
		return h.moves.PauseInFlight(c.Request.Context(), a, ods, reason)
	}
	return 0, nil
}

// reinstate lifts a trust's suspension, records who did, and lets its
// held moves carry on; it returns how many.
func (h *handlers) reinstate(c *gin.Context, a models.Actor, ods string) (int, error) {
	err := h.store.Audited(c.Request.Context(), a, "trust.reinstated", "trust", ods, nil,
		func(tx *store.Store) error { return tx.SetSuspended(c.Request.Context(), ods, nil) })
	if err != nil {
		return 0, err
	}
	h.trustList.clear()
	if h.moves == nil {
		return 0, nil
	}
	return h.moves.ResumeInFlight(c.Request.Context(), a, ods)
}

// reinstateTrust: POST /api/v1/trusts/{ods}/reinstate, by an operator.
func (h *handlers) reinstateTrust(c *gin.Context) {
	ods := c.Param("ods")
	resumed, err := h.reinstate(c, actor(c), ods)
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"ods_code": ods, "suspended_at": nil, "moves_resumed": resumed})
}
