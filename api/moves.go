package api

import (
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/nhs-staff-passport/passport/internal/access"
	"github.com/nhs-staff-passport/passport/internal/moves"
	"github.com/nhs-staff-passport/passport/internal/problem"
	"github.com/nhs-staff-passport/passport/models"
	"github.com/nhs-staff-passport/passport/workflows"
)

// startMove: POST /api/v1/moves.
func (h *handlers) startMove(c *gin.Context) {
	var req moves.StartRequest
	if !bindJSON(c, &req) {
		return
	}
	key := strings.TrimSpace(c.GetHeader("Idempotency-Key"))
	if len(key) > 200 {
		var v models.ValidationError
		v.Add("Idempotency-Key", "must be at most 200 characters")
		problem.Error(c, &v)
		return
	}
	mv, created, err := h.moves.Start(c.Request.Context(), access.Actor(c), req, key)
	if err != nil {
		problem.Error(c, err)
		return
	}
	view, err := h.moves.View(c.Request.Context(), mv, false)
	if err != nil {
		problem.Error(c, err)
		return
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	c.Header("Location", "/api/v1/moves/"+mv.ID)
	c.JSON(status, view)
}

// getMove: GET /api/v1/moves/{id}, from the read model.
func (h *handlers) getMove(c *gin.Context) {
	mv, err := h.moves.Visible(c.Request.Context(), access.Actor(c), c.Param("id"))
	if err != nil {
		problem.Error(c, err)
		return
	}
	view, err := h.moves.View(c.Request.Context(), mv, true)
	if err != nil {
		problem.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, view)
}

// moveEvents: GET /api/v1/moves/{id}/events, the move's audit trail.
func (h *handlers) moveEvents(c *gin.Context) {
	mv, err := h.moves.Visible(c.Request.Context(), access.Actor(c), c.Param("id"))
	if err != nil {
		problem.Error(c, err)
		return
	}
	events, err := h.store.AuditEvents(c.Request.Context(), "move", mv.ID)
	if err != nil {
		problem.Error(c, err)
		return
	}
	if events == nil {
		events = []models.AuditEvent{}
	}
	c.JSON(http.StatusOK, events)
}

// answer sends an update on behalf of the caller, records it in the audit
// trail and replies with the move as it now stands.
func (h *handlers) answer(c *gin.Context, update, action string, arg any, details any) {
	mv, err := h.moves.Act(c.Request.Context(), access.Actor(c), c.Param("id"), update, action, arg, details)
	if err != nil {
		problem.Error(c, err)
		return
	}
	view, err := h.moves.View(c.Request.Context(), mv, false)
	if err != nil {
		problem.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, view)
}

// Free text a move's workflow keeps is bounded at the edge (500
// characters), before it reaches the workflow.
type reasonRequest struct {
	Reason string `json:"reason" text:"multiline" max:"500"`
}

type decisionRequest struct {
	Decision models.Decision `json:"decision"`
	Reason   string          `json:"reason,omitempty" text:"multiline" max:"500"`
}

// check names the field at fault before the move is asked: the move would
// refuse these as well, but with 409 and no field.
func (in *decisionRequest) check() error {
	var v models.ValidationError
	switch {
	case in.Decision != models.DecisionAccepted && in.Decision != models.DecisionRejected:
		v.Add("decision", "must be accepted or rejected")
	case in.Decision == models.DecisionRejected && strings.TrimSpace(in.Reason) == "":
		v.Add("reason", "say what must be checked again")
	}
	return v.Err()
}

type retryRequest struct {
	Step string `json:"step"`
}

type deadlineRequest struct {
	Deadline time.Time `json:"deadline"`
}

// answerWith makes a handler that reads the body T and sends the update
// that build makes of it, with what the audit trail records.
func answerWith[T any](h *handlers, update, action string, build func(c *gin.Context, caller workflows.Caller, in T) (arg, details any)) gin.HandlerFunc {
	return func(c *gin.Context) {
		var in T
		if !bindJSON(c, &in) {
			return
		}
		arg, details := build(c, moves.Caller(access.Actor(c)), in)
		h.answer(c, update, action, arg, details)
	}
}

func (h *handlers) cancelMove() gin.HandlerFunc {
	return answerWith(h, workflows.UpdateCancel, "move.cancelled", func(_ *gin.Context, who workflows.Caller, in reasonRequest) (any, any) {
		return workflows.Cancel{Caller: who, Reason: in.Reason}, in
	})
}

func (h *handlers) decideShare() gin.HandlerFunc {
	return answerWith(h, workflows.UpdateDecideShare, "share.decided", func(c *gin.Context, who workflows.Caller, in decisionRequest) (any, any) {
		return workflows.DecideShare{Caller: who, ShareID: c.Param("share"), Decision: in.Decision, Reason: in.Reason},
			map[string]any{"share_id": c.Param("share"), "decision": in.Decision, "reason": in.Reason}
	})
}

func (h *handlers) retryStep() gin.HandlerFunc {
	return answerWith(h, workflows.UpdateRetryStep, "step.retried", func(_ *gin.Context, who workflows.Caller, in retryRequest) (any, any) {
		return workflows.RetryStep{Caller: who, Step: in.Step}, in
	})
}

func (h *handlers) extendDeadline() gin.HandlerFunc {
	return answerWith(h, workflows.UpdateExtendDeadline, "deadline.extended", func(_ *gin.Context, who workflows.Caller, in deadlineRequest) (any, any) {
		in.Deadline = in.Deadline.UTC() // the instant, without the caller's offset
		return workflows.ExtendDeadline{Caller: who, NewDeadline: in.Deadline}, in
	})
}

func (h *handlers) recordIdentity(c *gin.Context) {
	var in moves.IdentityCheck
	if !bindJSON(c, &in) {
		return
	}
	arg, details, err := moves.InPersonIdentity(access.Actor(c), in)
	if err != nil {
		problem.Error(c, err)
		return
	}
	h.answer(c, workflows.UpdateIdentityResult, "identity.recorded", arg, details)
}

type noRecordRequest struct {
	CredentialType models.CredentialType `json:"credential_type"`
}

// noRecord: POST /api/v1/moves/{id}/records/no-record, the sending
// trust's answer that it holds no record of one credential the move asks
// for (the receiving trust then checks it itself).
func (h *handlers) noRecord() gin.HandlerFunc {
	return answerWith(h, workflows.UpdateNoRecord, "records.no_record", func(_ *gin.Context, who workflows.Caller, in noRecordRequest) (any, any) {
		return workflows.NoRecord{Caller: who, Type: in.CredentialType}, in
	})
}
