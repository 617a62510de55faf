package moves

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/nhs-staff-passport/passport/models"
	"github.com/nhs-staff-passport/passport/workflows"
)

// ShareView is one credential shared in a move, with the receiving trust's decision.
type ShareView struct {
	ID             string                `json:"id"`
	CredentialID   string                `json:"credential_id"`
	CredentialType models.CredentialType `json:"credential_type"`
	Verification   json.RawMessage       `json:"verification"`
	Decision       models.Decision       `json:"decision"`
	DecisionReason string                `json:"decision_reason,omitempty"`
	Revoked        bool                  `json:"revoked"`
}

// TimelineEntry is one thing that happened in a move.
type TimelineEntry struct {
	At     time.Time `json:"at"`
	Event  string    `json:"event"`
	Detail string    `json:"detail,omitempty"`
}

// View is a move as the API answers it and the pages show it.
type View struct {
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
	Shares         []ShareView             `json:"shares"`
	// Records are what the records step asked the sending trust for.
	Records []models.RecordItem `json:"records"`
	// Missing, once the transfer is done, lists each credential asked for
	// and not shared, and why; empty before.
	Missing       []models.MissingItem `json:"missing"`
	LastFailure   *models.Failure      `json:"last_failure,omitempty"`
	PendingAction string               `json:"pending_action,omitempty"`
	EndReason     string               `json:"end_reason,omitempty"`
	Paused        bool                 `json:"paused"`
	PauseReason   string               `json:"pause_reason,omitempty"`
	Timeline      []TimelineEntry      `json:"timeline"`
	CreatedAt     time.Time            `json:"created_at"`
	UpdatedAt     time.Time            `json:"updated_at"`
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

// View reads what a view of the move needs besides the move: its shares and,
// withTimeline, its audit trail, steps and emails in the order they happened.
func (s *Service) View(ctx context.Context, mv models.Move, withTimeline bool) (View, error) {
	p := Progress(mv)
	v := View{
		ID: mv.ID, Status: mv.Status, Stage: mv.Stage, Kind: mv.Kind, PassportID: mv.PassportID, SendingTrust: mv.SendingODS, ReceivingTrust: mv.ReceivingODS,
		StaffGroup: mv.StaffGroup, StartDate: mv.StartDate.Format(time.DateOnly), Requested: mv.RequestedTypes(),
		RemindersSent: p.RemindersSent, Steps: p.Steps, LastFailure: p.LastFailure, PendingAction: pendingAction(p),
		EndReason: p.EndReason, Paused: p.Paused, PauseReason: p.PauseReason, Shares: []ShareView{}, Records: p.Records, Timeline: []TimelineEntry{}, CreatedAt: mv.CreatedAt, UpdatedAt: mv.UpdatedAt,
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
	shares, err := s.Store.Shares(ctx, mv.ID)
	if err != nil {
		return v, err
	}
	for _, sh := range shares {
		v.Shares = append(v.Shares, ShareView{ID: sh.ID, CredentialID: sh.CredentialID, CredentialType: sh.CredentialType,
			Verification: json.RawMessage(sh.Verification), Decision: sh.Decision, DecisionReason: sh.DecisionReason, Revoked: sh.RevokedAt != nil})
	}
	v.Missing = []models.MissingItem{}
	if transferred(p) {
		var shared []models.CredentialType
		for _, sh := range v.Shares {
			shared = append(shared, sh.CredentialType)
		}
		v.Missing = models.Missing(v.Requested, p.Held, p.Consented, shared, p.Records)
	}
	if !withTimeline {
		return v, nil
	}
	events, err := s.Store.AuditEvents(ctx, "move", mv.ID)
	if err != nil {
		return v, err
	}
	for _, e := range events {
		v.Timeline = append(v.Timeline, TimelineEntry{At: e.At, Event: e.Action})
	}
	for _, st := range p.Steps {
		if st.StartedAt != nil {
			v.Timeline = append(v.Timeline, TimelineEntry{At: *st.StartedAt, Event: "step.started", Detail: st.Name})
		}
		if st.FinishedAt != nil {
			v.Timeline = append(v.Timeline, TimelineEntry{At: *st.FinishedAt, Event: "step." + st.State, Detail: st.Name})
		}
	}
	notes, err := s.Store.Notifications(ctx, mv.ID)
	if err != nil {
		return v, err
	}
	for _, n := range notes {
		v.Timeline = append(v.Timeline, TimelineEntry{At: n.CreatedAt, Event: "notification." + n.Template, Detail: deliveryWords(n)})
	}
	slices.SortStableFunc(v.Timeline, func(a, b TimelineEntry) int { return a.At.Compare(b.At) })
	return v, nil
}

// Act sends an update to a move the actor may see, records it in the
// audit trail and returns the move as the workflow now shows it. The API
// and the pages both act on moves through it. Errors are those of Visible
// and Answer.
func (s *Service) Act(ctx context.Context, a models.Actor, id, update, action string, arg any, details any) (models.Move, error) {
	mv, err := s.Visible(ctx, a, id)
	if err != nil {
		return mv, err
	}
	// The move writes the answer's audit record as it takes it.
	p, err := s.Answer(ctx, mv.ID, update, arg, Note(a, action, details))
	if err != nil {
		return mv, err
	}
	// The workflow writes its read model as it acts on the answer: wait a
	// moment for that write, so the reply (and the page after a form)
	// shows the answer taken.
	wctx, cancel := context.WithTimeout(ctx, answerSettle)
	defer cancel()
	seen, err := s.Store.WaitMove(wctx, mv.ID, 20*time.Millisecond, func(m models.Move) bool { return m.Seq > p.Seq })
	switch {
	case err == nil:
		return seen, nil
	case wctx.Err() == nil:
		return mv, err
	case seen.ID != "": // past the wait the reply shows the move as last read
		return seen, nil
	}
	return mv, nil
}

// answerSettle bounds how long an answer waits for the read model to show
// it; past that the reply shows the move as last written.
const answerSettle = 2 * time.Second

// IdentityCheck is an in-person identity check recorded by HR: the
// identity credential's claims.
type IdentityCheck struct {
	LevelOfConfidence string      `json:"level_of_confidence"`
	DocumentsSeen     []string    `json:"documents_seen"`
	VerifiedBy        string      `json:"verified_by"`
	VerifiedOn        models.Date `json:"verified_on"`
}

// InPersonIdentity checks an in-person identity check as the identity
// credential's claims and makes the update that records it, with what
// the audit trail keeps; a *models.ValidationError names the field at fault.
func InPersonIdentity(a models.Actor, in IdentityCheck) (workflows.IdentityResult, any, error) {
	claims := models.IdentityClaims{Method: "in_person_documents", LevelOfConfidence: in.LevelOfConfidence,
		DocumentsSeen: in.DocumentsSeen, VerifiedBy: in.VerifiedBy, VerifiedOn: in.VerifiedOn}
	raw, _ := json.Marshal(claims)
	if _, err := models.ParseClaims(models.CredIdentity, raw, time.Now()); err != nil {
		return workflows.IdentityResult{}, nil, renameClaims(err)
	}
	return workflows.IdentityResult{Caller: Caller(a), Verified: true, Method: claims.Method, Claims: string(raw)},
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

// transferred reports whether the move's transfer is done: what it shares
// is then settled.
func transferred(p models.MoveProgress) bool {
	for _, st := range p.Steps {
		if st.Name == models.StepTransfer {
			return st.State == models.StateDone
		}
	}
	return false
}
