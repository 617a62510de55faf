// Package moves is what the API and the pages do with moves: start them,
// read them and answer them. Both call this one implementation, which
// checks who may do what and speaks to the move workflows.
package moves

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/nhs-staff-passport/passport/internal/credentials"
	"github.com/nhs-staff-passport/passport/internal/linktoken"
	"github.com/nhs-staff-passport/passport/internal/store"
	"github.com/nhs-staff-passport/passport/models"
	"github.com/nhs-staff-passport/passport/workflows"
)

// Service starts, reads and answers moves.
type Service struct {
	Store *store.Store
	// Log, if set, hears what could not be recorded of a change that stands.
	Log *slog.Logger
	// Credentials, when set, lets a professional registration find the
	// passport it was verified on.
	Credentials *credentials.Service
	Temporal    client.Client
	TaskQueue   string
	Links       *linktoken.Signer
	// DevIdentity offers the identity simulator (development mode only).
	DevIdentity bool
	// RotationStartDelay holds back the first step (the invitation) of
	// each move a rotation starts, so that an upload of thousands of rows
	// is answered before their invitations compete with it for the
	// machine. Zero starts them at once.
	RotationStartDelay time.Duration
	// RetryWindow is how long a new move's steps retry infrastructure
	// faults before one is marked failed (zero: the workflow's default).
	RetryWindow time.Duration
	Now         func() time.Time
}

// DefaultRotationStartDelay is RotationStartDelay for the api and worker
// processes: a 1,000-row upload takes about 6 s on two cores, and its
// invitations go out within seconds of the answer.
const DefaultRotationStartDelay = 10 * time.Second

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// StartRequest is the body of POST /api/v1/moves.
type StartRequest struct {
	Staff struct {
		models.StaffDetails
		StaffGroup               models.StaffGroup `json:"staff_group"`
		ProfessionalRegistration *Registration     `json:"professional_registration,omitempty"`
	} `json:"staff"`
	SendingTrust         string                  `json:"sending_trust,omitempty"`
	ReceivingTrust       string                  `json:"receiving_trust"`
	Kind                 models.MoveKind         `json:"kind"`
	StartDate            string                  `json:"start_date"`
	EndDate              string                  `json:"end_date,omitempty"`
	RequestedCredentials []models.CredentialType `json:"requested_credentials,omitempty"`
	// Policy overrides the receiving trust's reminders and deadline for
	// this move.
	Policy *PolicyOverride `json:"policy,omitempty"`
	// Bypass waives items of the checklist for this move, each with a
	// reason; every bypass is written to the audit trail.
	Bypass []models.ChecklistBypass `json:"bypass,omitempty"`
}

// PolicyOverride is a move's own reminder policy, in the units people use.
type PolicyOverride struct {
	ReminderIntervalHours int `json:"reminder_interval_hours"`
	MaxReminders          int `json:"max_reminders"`
	DeadlineDays          int `json:"deadline_days"`
}

// Registration is a regulator and number given to find a passport.
type Registration struct {
	Body   string `json:"body"`
	Number string `json:"number"`
}

// Start validates the request, finds or makes the person's passport,
// records the move and starts its workflow. The same idempotency key from
// the same trust returns the move it started before (created false).
func (s *Service) Start(ctx context.Context, actor models.Actor, req StartRequest, idempotencyKey string) (models.Move, bool, error) {
	return s.start(ctx, actor, req, idempotencyKey, uuid.NewString())
}

// Check makes Start's checks of a request without starting anything: a
// form that found faults of its own can name the rest at once.
func (s *Service) Check(ctx context.Context, actor models.Actor, req StartRequest) error {
	_, err := s.validate(ctx, actor, &req)
	return err
}

// start is Start with the new move's ID chosen by the caller (a rotation
// row's, planned when it was recorded).
func (s *Service) start(ctx context.Context, actor models.Actor, req StartRequest, idempotencyKey, id string) (models.Move, bool, error) {
	in, err := s.validate(ctx, actor, &req)
	if err != nil {
		return models.Move{}, false, err
	}
	canonical, err := json.Marshal(req)
	if err != nil {
		return models.Move{}, false, err
	}
	hash := sha256.Sum256(canonical)
	passport, err := s.findPassport(ctx, in.SendingTrust, req)
	if err != nil {
		return models.Move{}, false, err
	}
	in.PassportID = passport.ID
	now := s.now().UTC()
	mv := models.Move{
		ID: id, SendingODS: in.SendingTrust, ReceivingODS: in.ReceivingTrust, PassportID: passport.ID,
		Kind: in.Kind, StaffGroup: in.StaffGroup, StartDate: in.StartDate, Requested: joinTypes(in.Requested),
		Status: models.MoveActive, Stage: models.StepInvite, CreatedAt: now, UpdatedAt: now,
	}
	if actor.Kind == models.ActorUser {
		mv.StartedBy = actor.ID
	}
	if !in.EndDate.IsZero() {
		mv.EndDate = &in.EndDate
	}
	if idempotencyKey != "" {
		mv.IdempotencyKey = &idempotencyKey
		mv.RequestHash = hex.EncodeToString(hash[:])
	}
	// Until the workflow writes its first progress (Seq 1), show every step
	// not started.
	initial, err := json.Marshal(models.NewMoveProgress(mv.ID, now, in.Policy.Deadline))
	if err != nil {
		return models.Move{}, false, err
	}
	mv.Progress = string(initial)
	got, created, err := s.Store.CreateMove(ctx, &mv)
	if err != nil {
		return models.Move{}, false, err
	}
	if !created {
		// The key is the caller's own (only the sending trust starts its
		// moves): the same request again answers with the move it started.
		if got.RequestHash != "" && got.RequestHash != mv.RequestHash {
			var v models.ValidationError
			v.Add("Idempotency-Key", "was used for another request: use a new key for a new move")
			return models.Move{}, false, &v
		}
		// Start again all the same: if the first request died between
		// recording the move and starting it, this finishes the job (with
		// the same request, checked above).
		in.MoveID = got.ID
		return got, false, s.startWorkflow(ctx, in, got)
	}
	in.MoveID = mv.ID
	if err := s.startWorkflow(ctx, in, mv); err != nil {
		// Nothing may stay behind of a move that never started.
		if derr := s.Store.DeleteMove(context.WithoutCancel(ctx), mv.ID); derr != nil {
			return models.Move{}, false, errors.Join(err, derr)
		}
		return models.Move{}, false, err
	}
	err = s.Store.Tx(ctx, func(tx *store.Store) error {
		for _, t := range []string{in.SendingTrust, in.ReceivingTrust} {
			if err := tx.LinkPassport(ctx, passport.ID, t); err != nil {
				return err
			}
		}
		if err := tx.Audit(ctx, actor, "move.started", "move", mv.ID, map[string]any{
			"sending_trust": in.SendingTrust, "receiving_trust": in.ReceivingTrust, "kind": in.Kind, "requested": mv.Requested,
		}); err != nil {
			return err
		}
		for _, b := range req.Bypass {
			if err := tx.Audit(ctx, actor, "checklist.bypassed", "move", mv.ID, b); err != nil {
				return err
			}
		}
		return nil
	})
	return mv, true, err
}

// findPassport finds the person's one passport: by a verified professional
// registration when the request names one and the sending trust deals with
// its holder already (a registration number is public: alone it must not
// reach anyone's passport or address), else by email address (made when
// there is none; one the trust does not deal with yet only when the request
// names its holder). Never by name alone.
func (s *Service) findPassport(ctx context.Context, sending string, req StartRequest) (models.Passport, error) {
	if pr := req.Staff.ProfessionalRegistration; pr != nil && s.Credentials != nil {
		p, err := s.Store.PassportByIdentityRef(ctx, s.Credentials.IdentityRef(pr.Body, pr.Number))
		switch {
		case err == nil:
			linked, err := s.Store.LinkedPassports(ctx, sending, []string{p.ID})
			if err != nil {
				return models.Passport{}, err
			}
			if linked[p.ID] || p.Email == req.Staff.Email {
				return p, nil
			}
		case !errors.Is(err, models.ErrNotFound):
			return models.Passport{}, err
		}
	}
	p, _, err := s.Store.ClaimPassport(ctx, req.Staff.StaffDetails, sending, "staff.")
	return p, err
}

func (s *Service) startWorkflow(ctx context.Context, in workflows.MoveInput, mv models.Move) error {
	var delay time.Duration
	if l, _ := ctx.Value(lookupsKey{}).(*lookups); l != nil {
		delay = l.startDelay
	}
	_, err := s.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                       workflows.WorkflowID(mv.ID),
		TaskQueue:                s.TaskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		StartDelay:               delay,
		TypedSearchAttributes:    workflows.StartSearchAttributes(in),
	}, workflows.MoveWorkflowName, in)
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if errors.As(err, &started) {
		return nil // finished long ago under the same key: nothing to start
	}
	if err != nil {
		return fmt.Errorf("moves: start workflow: %v: %w", err, models.ErrUnavailable)
	}
	return nil
}

func (s *Service) validate(ctx context.Context, actor models.Actor, req *StartRequest) (workflows.MoveInput, error) {
	var v models.ValidationError
	if err := req.Staff.Validate("staff."); err != nil {
		v.Fields = append(v.Fields, err.(*models.ValidationError).Fields...)
	}
	if !req.Staff.StaffGroup.Valid() {
		v.Add("staff.staff_group", "must be temporary_mover or doctor_in_training")
	}
	if pr := req.Staff.ProfessionalRegistration; pr != nil {
		if pr.Body == "" || pr.Number == "" {
			v.Add("staff.professional_registration", "give both body and number, or leave it out")
		}
		// A rotation's CSV rows reach here without the API's edge guard.
		for _, f := range []struct{ name, value string }{{"body", pr.Body}, {"number", pr.Number}} {
			if utf8.RuneCountInString(f.value) > 100 || !models.CleanText(f.value, false) {
				v.Add("staff.professional_registration."+f.name, "must be up to 100 characters, without control characters")
			}
		}
	}
	if req.SendingTrust == "" {
		req.SendingTrust = actor.Trust
	}
	req.SendingTrust, req.ReceivingTrust = strings.ToUpper(req.SendingTrust), strings.ToUpper(req.ReceivingTrust)
	if actor.Trust != req.SendingTrust {
		// A move speaks in the sending trust's name (its invitation, its
		// records step): only that trust starts one. A receiving trust asks
		// the sending trust to start it.
		v.Add("sending_trust", "only the sending trust starts a move: leave it out, and ask the sending trust to start a move it sends")
	}
	if req.SendingTrust == req.ReceivingTrust {
		v.Add("receiving_trust", "must differ from the sending trust")
	}
	in := workflows.MoveInput{SendingTrust: req.SendingTrust, ReceivingTrust: req.ReceivingTrust, Kind: req.Kind, StaffGroup: req.Staff.StaffGroup,
		RetryWindow: s.RetryWindow}
	var receiving models.Trust
	for field, ods := range map[string]string{"sending_trust": req.SendingTrust, "receiving_trust": req.ReceivingTrust} {
		if !models.ValidODSCode(ods) { // not looked up: a CSV row's text has passed no edge guard
			v.Add(field, "must be a trust's ODS code, such as RJ1")
			continue
		}
		t, err := s.trust(ctx, ods)
		switch {
		case errors.Is(err, models.ErrNotFound):
			v.Add(field, ods+" is not a trust of the service")
		case err != nil:
			return in, err
		case !t.Registered:
			v.Add(field, ods+" is not registered with the service")
		case t.SuspendedAt != nil:
			v.Add(field, ods+" is suspended from the service and takes no new moves")
		}
		if field == "receiving_trust" {
			receiving = t
		}
	}
	if req.Kind != models.KindTemporaryMove && req.Kind != models.KindRotation {
		v.Add("kind", "must be temporary_move or rotation")
	}
	today := s.now().UTC().Truncate(24 * time.Hour)
	start, err := time.Parse(time.DateOnly, req.StartDate)
	if err != nil {
		v.Add("start_date", "must be a date YYYY-MM-DD")
	} else if start.Before(today.AddDate(0, 0, -30)) {
		v.Add("start_date", "must not be more than 30 days ago")
	}
	in.StartDate = start
	switch {
	case req.Kind == models.KindTemporaryMove && req.EndDate == "":
		v.Add("end_date", "a temporary move needs an end date")
	case req.Kind == models.KindRotation && req.EndDate != "":
		v.Add("end_date", "a rotation has no end date")
	case req.EndDate != "":
		end, err := time.Parse(time.DateOnly, req.EndDate)
		if err != nil || !end.After(start) {
			v.Add("end_date", "must be a date YYYY-MM-DD after the start date")
		}
		in.EndDate = end
	}
	in.Requested = req.RequestedCredentials
	if len(in.Requested) == 0 && receiving.ODSCode != "" && req.Staff.StaffGroup.Valid() {
		in.Requested, err = s.requiredCredentials(ctx, receiving.ODSCode, req.Staff.StaffGroup)
		if err != nil {
			return in, err
		}
	}
	seen := map[models.CredentialType]bool{}
	for _, t := range in.Requested {
		switch {
		case !t.Valid():
			v.Add("requested_credentials", "unknown credential type "+string(t))
		case seen[t]:
			v.Add("requested_credentials", string(t)+" is listed twice")
		}
		seen[t] = true
	}
	for i, b := range req.Bypass {
		if err := b.Validate(in.Requested); err != nil {
			for _, f := range err.(*models.ValidationError).Fields {
				v.Add(fmt.Sprintf("bypass[%d].%s", i, f.Field), f.Reason)
			}
			continue
		}
		in.Requested = slices.DeleteFunc(in.Requested, func(t models.CredentialType) bool { return t == b.CredentialType })
	}
	if len(in.Requested) == 0 && len(req.Bypass) > 0 {
		v.Add("bypass", "a move must ask for at least one credential")
	}
	in.Policy = receiving.Policy
	if in.Policy.ReminderInterval == 0 {
		in.Policy = models.DefaultMovePolicy()
	}
	if o := req.Policy; o != nil {
		in.Policy = models.MovePolicy{
			ReminderInterval: time.Duration(o.ReminderIntervalHours) * time.Hour,
			MaxReminders:     o.MaxReminders,
			Deadline:         time.Duration(o.DeadlineDays) * 24 * time.Hour,
		}
		if err := in.Policy.Validate(); err != nil {
			names := map[string]string{"reminder_interval": "policy.reminder_interval_hours", "max_reminders": "policy.max_reminders", "deadline": "policy.deadline_days"}
			for _, f := range err.(*models.ValidationError).Fields {
				v.Add(names[f.Field], f.Reason)
			}
		}
	}
	return in, v.Err()
}

// lookups remembers trusts and checklists for the length of one rotation
// upload, where every row names the same few, and carries the upload's
// start delay.
type lookups struct {
	mu         sync.Mutex
	trusts     map[string]models.Trust
	checklists map[string][]models.CredentialType
	startDelay time.Duration // for each workflow started (a rotation's)
}

type lookupsKey struct{}

func withLookups(ctx context.Context, startDelay time.Duration) context.Context {
	return context.WithValue(ctx, lookupsKey{}, &lookups{trusts: map[string]models.Trust{}, checklists: map[string][]models.CredentialType{},
		startDelay: startDelay})
}

func (s *Service) trust(ctx context.Context, ods string) (models.Trust, error) {
	l, _ := ctx.Value(lookupsKey{}).(*lookups)
	if l != nil {
		l.mu.Lock()
		t, ok := l.trusts[ods]
		l.mu.Unlock()
		if ok {
			return t, nil
		}
	}
	t, err := s.Store.Trust(ctx, ods)
	if err == nil && l != nil {
		l.mu.Lock()
		l.trusts[ods] = t
		l.mu.Unlock()
	}
	return t, err
}

func (s *Service) requiredCredentials(ctx context.Context, ods string, g models.StaffGroup) ([]models.CredentialType, error) {
	l, _ := ctx.Value(lookupsKey{}).(*lookups)
	key := ods + "/" + string(g)
	if l != nil {
		l.mu.Lock()
		c, ok := l.checklists[key]
		l.mu.Unlock()
		if ok {
			return slices.Clone(c), nil
		}
	}
	c, _, err := s.Store.RequiredCredentials(ctx, ods, g)
	if err == nil && l != nil {
		l.mu.Lock()
		l.checklists[key] = slices.Clone(c)
		l.mu.Unlock()
	}
	return c, err
}

func joinTypes(ts []models.CredentialType) string {
	s := make([]string, len(ts))
	for i, t := range ts {
		s[i] = string(t)
	}
	return strings.Join(s, ",")
}

// Visible returns the move when the actor may see it: its trusts' HR and
// admins, and operators. Anyone else gets models.ErrNotFound.
func (s *Service) Visible(ctx context.Context, actor models.Actor, id string) (models.Move, error) {
	mv, err := s.Store.Move(ctx, id)
	if err != nil {
		return models.Move{}, err
	}
	if actor.Role != models.RoleOperator && !mv.Involves(actor.Trust) {
		return models.Move{}, fmt.Errorf("move %s: %w", id, models.ErrNotFound)
	}
	return mv, nil
}

// Progress decodes a move's stored progress.
func Progress(mv models.Move) models.MoveProgress {
	var p models.MoveProgress
	_ = json.Unmarshal([]byte(mv.Progress), &p)
	if p.MoveID == "" {
		p = models.MoveProgress{MoveID: mv.ID, Status: mv.Status, Stage: mv.Stage}
	}
	return p
}

// Answer sends an update to a move's workflow and waits for its reply. A
// refusal by the workflow comes back as a *models.RefusedError. note (made
// by Note) is the audit record of the answer: the move writes it if, and
// only if, it takes the answer.
func (s *Service) Answer(ctx context.Context, moveID, update string, arg any, note models.AuditNote) (models.MoveProgress, error) {
	h, err := s.Temporal.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID:   workflows.WorkflowID(moveID),
		UpdateName:   update,
		Args:         []any{arg, note},
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	var p models.MoveProgress
	if err == nil {
		err = h.Get(ctx, &p)
	}
	if err == nil {
		return p, nil
	}
	var app *temporal.ApplicationError
	var notFound *serviceerror.NotFound
	switch {
	case errors.As(err, &app) && app.Type() == "Refused":
		return p, &models.RefusedError{Reason: app.Message()}
	case errors.As(err, &notFound):
		return p, &models.RefusedError{Reason: reasonEnded}
	case unknownOutcome(err):
		return p, fmt.Errorf("moves: %s: %v: %w", update, err, models.ErrOutcomeUnknown)
	}
	return p, fmt.Errorf("moves: %s: %v: %w", update, err, models.ErrUnavailable)
}

// Note is the audit record of an answer: who, what, and details encoded
// as JSON (they hold no secrets).
func Note(actor models.Actor, action string, details any) models.AuditNote {
	n := models.AuditNote{Actor: actor, Action: action, Details: "{}"}
	if details != nil {
		if d, err := json.Marshal(details); err == nil {
			n.Details = string(d)
		}
	}
	return n
}

// unknownOutcome reports whether an update's error leaves open whether the
// move took it: the call timed out or was cut off after it may have
// reached the workflow. (A server that could not be reached at all took
// nothing.)
func unknownOutcome(err error) bool {
	var timeout *client.WorkflowUpdateServiceTimeoutOrCanceledError
	var deadline *serviceerror.DeadlineExceeded
	var canceled *serviceerror.Canceled
	return errors.As(err, &timeout) || errors.As(err, &deadline) || errors.As(err, &canceled) ||
		errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled)
}

// CancelInFlight cancels a trust's active moves (when it is suspended) and
// returns how many it cancelled.
func (s *Service) CancelInFlight(ctx context.Context, actor models.Actor, trust, reason string) (int, error) {
	return s.eachActive(ctx, actor, trust, workflows.UpdateCancel, workflows.Cancel{Caller: Caller(actor), Reason: reason},
		"move.cancelled", map[string]string{"reason": reason})
}

// PauseInFlight holds a trust's active moves (when it is suspended) and
// returns how many it held.
func (s *Service) PauseInFlight(ctx context.Context, actor models.Actor, trust, reason string) (int, error) {
	return s.eachActive(ctx, actor, trust, workflows.UpdatePause, workflows.Pause{Caller: Caller(actor), Reason: reason},
		"move.paused", map[string]string{"reason": reason})
}

// ResumeInFlight lets a trust's held moves carry on (when it is
// reinstated) and returns how many it released.
func (s *Service) ResumeInFlight(ctx context.Context, actor models.Actor, trust string) (int, error) {
	return s.eachActive(ctx, actor, trust, workflows.UpdateResume, workflows.Resume{Caller: Caller(actor)}, "move.resumed", nil)
}

// eachActive sends one update to every active move of a trust, skipping
// those that refuse it (already ended, not held); each move that takes it
// records it in the audit trail.
func (s *Service) eachActive(ctx context.Context, actor models.Actor, trust, update string, arg any, audit string, details any) (int, error) {
	n := 0
	f := store.MoveFilter{Trust: trust, Status: models.MoveActive, Limit: 100, Oldest: true}
	for {
		page, err := s.Store.ListMoves(ctx, f)
		if err != nil {
			return n, err
		}
		for _, mv := range page {
			_, err := s.Answer(ctx, mv.ID, update, arg, Note(actor, audit, details))
			var refused *models.RefusedError
			if errors.As(err, &refused) {
				continue
			}
			if err != nil {
				return n, err
			}
			n++
		}
		if len(page) < f.Limit {
			return n, nil
		}
		last := page[len(page)-1]
		f.After = &store.MovePosition{CreatedAt: last.CreatedAt, ID: last.ID}
	}
}

// reasonEnded is the refusal of an answer to a move whose workflow ended.
const reasonEnded = "the move has ended"

// Caller turns an authenticated actor into the workflow's caller.
func Caller(a models.Actor) workflows.Caller {
	return workflows.Caller{Kind: a.Kind, ID: a.ID, Trust: a.Trust, Role: a.Role}
}
