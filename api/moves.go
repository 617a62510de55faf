package api

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/nhs-staff-passport/passport/internal/moves"
	"github.com/nhs-staff-passport/passport/models"
	"github.com/nhs-staff-passport/passport/workflows"
)

type shareView struct {
	ID             string                `json:"id"`
	CredentialID   string                `json:"credential_id"`
	CredentialType models.CredentialType `json:"credential_type"`
	Verification   json.RawMessage       `json:"verification"`
	Decision       models.Decision       `json:"decision"`
	DecisionReason string                `json:"decision_reason,omitempty"`
	Revoked        bool                  `json:"revoked"`
}

type timelineEntry struct {
	At     time.Time `json:"at"`
	Event  string    `json:"event"`
	Detail string    `json:"detail,omitempty"`
}

type moveView struct {
	ID             string                  `json:"id"`
	Status         models.MoveStatus       `json:"status"`
	Stage          string                  `json:"stage"`
	WaitingOn      *models.WaitingOn       `json:"waiting_on"`
	Kind           models.MoveKind         `json:"kind"`
	PassportID     string                  `json:"passport_id"`
	SendingTrust   string                  `json:"sending_trust"`
	ReceivingTrust string                  `json:"receiving_trust"`
	StaffGroup     models.StaffGroup       `json:"staff_group"`
	StartDate      string                  `json:"start_date"`
	EndDate        string                  `json:"end_date,omitempty"`
	Requested      []models.CredentialType `json:"requested_credentials"`
	Deadline       *time.Time              `json:"deadline,omitempty"`
	RemindersSent  int                     `json:"reminders_sent"`
	Steps          []models.Step           `json:"steps"`
	Shares         []shareView             `json:"shares"`
	// Records are what the records step asked the sending trust for.
	Records       []models.RecordItem `json:"records"`
	LastFailure   *models.Failure     `json:"last_failure,omitempty"`
	PendingAction string              `json:"pending_action,omitempty"`
	EndReason     string              `json:"end_reason,omitempty"`
	Paused        bool                `json:"paused"`
	PauseReason   string              `json:"pause_reason,omitempty"`
	Timeline      []timelineEntry     `json:"timeline"`
	CreatedAt     time.Time           `json:"created_at"`
	UpdatedAt     time.Time           `json:"updated_at"`
}

// pendingAction says in words what the move waits for.
func pendingAction(p models.MoveProgress) string {
	if p.Status != models.MoveActive {
		return ""
	}
	if p.Paused {
		return "an operator to release the move, which is on hold: " + p.PauseReason
	}
	switch p.WaitingOn {
	case models.WaitingOperator:
		if p.LastFailure != nil {
			return "retry the failed " + p.LastFailure.Step + " step"
		}
	case models.WaitingStaff:
		switch p.Stage {
		case models.StepInvite:
			return "the member of staff accepts the invitation"
		case models.StepIdentity:
			return "the member of staff confirms their identity (or HR records an in-person check)"
		case models.StepConsent:
			return "the member of staff chooses what to share"
		}
	case models.WaitingSendingTrust:
		if p.Stage == models.StepRecords {
			return "the sending trust records what the passport is missing, or says it holds no record"
		}
	case models.WaitingReceivingTrust:
		return "the receiving trust accepts or rejects each credential"
	}
	return ""
}

func (h *handlers) viewMove(c *gin.Context, mv models.Move, withTimeline bool) (moveView, error) {
	p := moves.Progress(mv)
	v := moveView{
		ID: mv.ID, Status: mv.Status, Stage: mv.Stage, Kind: mv.Kind, PassportID: mv.PassportID, SendingTrust: mv.SendingODS, ReceivingTrust: mv.ReceivingODS,
		StaffGroup: mv.StaffGroup, StartDate: mv.StartDate.Format(time.DateOnly), Requested: mv.RequestedTypes(),
		RemindersSent: p.RemindersSent, Steps: p.Steps, LastFailure: p.LastFailure, PendingAction: pendingAction(p),
		EndReason: p.EndReason, Paused: p.Paused, PauseReason: p.PauseReason, Shares: []shareView{}, Records: p.Records, Timeline: []timelineEntry{}, CreatedAt: mv.CreatedAt, UpdatedAt: mv.UpdatedAt,
	}
	if mv.WaitingOn != models.WaitingNobody {
		w := mv.WaitingOn
		v.WaitingOn = &w
	}
	if mv.EndDate != nil {
		v.EndDate = mv.EndDate.Format(time.DateOnly)
	}
	if !p.Deadline.IsZero() {
		v.Deadline = &p.Deadline
	}
	if v.Steps == nil {
		v.Steps = []models.Step{}
	}
	if v.Records == nil {
		v.Records = []models.RecordItem{}
	}
	shares, err := h.store.Shares(c.Request.Context(), mv.ID)
	if err != nil {
		return v, err
	}
	for _, s := range shares {
		v.Shares = append(v.Shares, shareView{ID: s.ID, CredentialID: s.CredentialID, CredentialType: s.CredentialType,
			Verification: json.RawMessage(s.Verification), Decision: s.Decision, DecisionReason: s.DecisionReason, Revoked: s.RevokedAt != nil})
	}
	if !withTimeline {
		return v, nil
	}
	events, err := h.store.AuditEvents(c.Request.Context(), "move", mv.ID)
	if err != nil {
		return v, err
	}
	for _, e := range events {
		v.Timeline = append(v.Timeline, timelineEntry{At: e.At, Event: e.Action})
	}
	for _, s := range p.Steps {
		if s.StartedAt != nil {
			v.Timeline = append(v.Timeline, timelineEntry{At: *s.StartedAt, Event: "step.started", Detail: s.Name})
		}
		if s.FinishedAt != nil {
			v.Timeline = append(v.Timeline, timelineEntry{At: *s.FinishedAt, Event: "step." + s.State, Detail: s.Name})
		}
	}
	notes, err := h.store.Notifications(c.Request.Context(), mv.ID)
	if err != nil {
		return v, err
	}
	for _, n := range notes {
		v.Timeline = append(v.Timeline, timelineEntry{At: n.CreatedAt, Event: "notification." + n.Template, Detail: deliveryWords(n)})
	}
	slices.SortStableFunc(v.Timeline, func(a, b timelineEntry) int { return a.At.Compare(b.At) })
	return v, nil
}

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
		writeError(c, &v)
		return
	}
	mv, created, err := h.moves.Start(c.Request.Context(), actor(c), req, key)
	if err != nil {
		writeError(c, err)
		return
	}
	view, err := h.viewMove(c, mv, false)
	if err != nil {
		writeError(c, err)
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
	mv, err := h.moves.Visible(c.Request.Context(), actor(c), c.Param("id"))
	if err != nil {
		writeError(c, err)
		return
	}
	view, err := h.viewMove(c, mv, true)
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, view)
}

// moveEvents: GET /api/v1/moves/{id}/events, the move's audit trail.
func (h *handlers) moveEvents(c *gin.Context) {
	mv, err := h.moves.Visible(c.Request.Context(), actor(c), c.Param("id"))
	if err != nil {
		writeError(c, err)
		return
	}
	events, err := h.store.AuditEvents(c.Request.Context(), "move", mv.ID)
	if err != nil {
		writeError(c, err)
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
	mv, err := h.answerMove(c, actor(c), c.Param("id"), update, action, arg, details)
	if err != nil {
		writeError(c, err)
		return
	}
	view, err := h.viewMove(c, mv, false)
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, view)
}

// answerMove sends an update to a move the actor may see, records it in
// the audit trail and returns the move as the workflow now shows it. The
// API and the portal both act on moves through it.
func (h *handlers) answerMove(c *gin.Context, a models.Actor, id, update, action string, arg any, details any) (models.Move, error) {
	mv, err := h.moves.Visible(c.Request.Context(), a, id)
	if err != nil {
		return mv, err
	}
	// The move writes the answer's audit record as it takes it.
	p, err := h.moves.Answer(c.Request.Context(), mv.ID, update, arg, moves.Note(a, action, details))
	if err != nil {
		return mv, err
	}
	// The workflow writes its read model as it acts on the answer: wait a
	// moment for that write, so the reply (and the page after a form)
	// shows the answer taken.
	ctx, cancel := context.WithTimeout(c.Request.Context(), answerSettle)
	defer cancel()
	seen, err := h.store.WaitMove(ctx, mv.ID, 20*time.Millisecond, func(m models.Move) bool { return m.Seq > p.Seq })
	switch {
	case err == nil:
		return seen, nil
	case ctx.Err() == nil:
		return mv, err
	case seen.ID != "": // past the wait the reply shows the move as last read
		return seen, nil
	}
	return mv, nil
}

// answerSettle bounds how long an answer waits for the read model to show
// it; past that the reply shows the move as last written.
const answerSettle = 2 * time.Second

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
		arg, details := build(c, moves.Caller(actor(c)), in)
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

// identityRequest is an in-person identity check recorded by HR: the
// identity credential's claims.
type identityRequest struct {
	LevelOfConfidence string      `json:"level_of_confidence"`
	DocumentsSeen     []string    `json:"documents_seen"`
	VerifiedBy        string      `json:"verified_by"`
	VerifiedOn        models.Date `json:"verified_on"`
}

func (h *handlers) recordIdentity(c *gin.Context) {
	var in identityRequest
	if !bindJSON(c, &in) {
		return
	}
	arg, details, err := identityUpdate(actor(c), in)
	if err != nil {
		writeError(c, err)
		return
	}
	h.answer(c, workflows.UpdateIdentityResult, "identity.recorded", arg, details)
}

// identityUpdate checks an in-person identity check as the identity
// credential's claims and makes the update that records it.
func identityUpdate(a models.Actor, in identityRequest) (workflows.IdentityResult, any, error) {
	claims := models.IdentityClaims{Method: "in_person_documents", LevelOfConfidence: in.LevelOfConfidence,
		DocumentsSeen: in.DocumentsSeen, VerifiedBy: in.VerifiedBy, VerifiedOn: in.VerifiedOn}
	raw, _ := json.Marshal(claims)
	if _, err := models.ParseClaims(models.CredIdentity, raw, time.Now()); err != nil {
		return workflows.IdentityResult{}, nil, renameClaims(err)
	}
	return workflows.IdentityResult{Caller: moves.Caller(a), Verified: true, Method: claims.Method, Claims: string(raw)},
		map[string]any{"documents_seen": in.DocumentsSeen, "verified_by": in.VerifiedBy}, nil
}

// renameClaims drops the "claims." prefix: here the claims are the body.
func renameClaims(err error) error {
	if v, ok := err.(*models.ValidationError); ok {
		for i := range v.Fields {
			v.Fields[i].Field = strings.TrimPrefix(v.Fields[i].Field, "claims.")
		}
	}
	return err
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

// deliveryWords says where one of the move's emails is: queued, sent,
// failing since when (and being retried), or failed for good.
func deliveryWords(n models.Notification) string {
	to := "email to " + strings.ReplaceAll(n.Recipient, "_", " ")
	switch {
	case n.Status == models.NotificationSent:
		return to + ": sent"
	case n.Status == models.NotificationFailed:
		return to + ": not delivered; an operator can send it again"
	case n.FailingSince != nil:
		return to + ": failing since " + n.FailingSince.UTC().Format("2 Jan 2006 15:04 MST") + "; we keep trying"
	}
	return to + ": queued"
}
