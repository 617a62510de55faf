package workflows

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/nhs-staff-passport/passport/activities"
	"github.com/nhs-staff-passport/passport/models"
)

// a names the activities; their methods are never called on it here.
var a *activities.Activities

// activityWindow is, unless the move says otherwise (MoveInput.RetryWindow),
// how long an activity's infrastructure faults (a
// database, Redis or relay outage; a worker killed mid-attempt) are retried
// before its step is marked failed for a person. Outages seen in practice
// last seconds to a few minutes (a database failover, Redis reloading its
// append-only file, a relay restarting); a quarter of an hour rides them
// out several times over, while a fault that needs a person (a broken
// configuration) still reaches one within the quarter hour.
const activityWindow = 15 * time.Minute

// nonRetryable are the activities' business refusals: retrying cannot
// change them, so they fail the step at once.
var nonRetryable = []string{activities.ErrTypeNotFound, activities.ErrTypeInvalid, activities.ErrTypeInvalidEmail}

// activityOptions bound every activity: infrastructure faults are retried
// for activityWindow, the interval doubling from a second to at most a
// minute (so a step carries on within a minute of the service coming
// back); business refusals are not retried. The window takes about 20
// attempts; the cap on attempts is above that, so the window is what ends
// them (it also keeps unit tests' skipped clock from running for ever).
var activityOptions = workflow.ActivityOptions{
	StartToCloseTimeout:    30 * time.Second,
	ScheduleToCloseTimeout: activityWindow,
	RetryPolicy: &temporal.RetryPolicy{
		InitialInterval:        time.Second,
		BackoffCoefficient:     2,
		MaximumInterval:        time.Minute,
		MaximumAttempts:        30,
		NonRetryableErrorTypes: nonRetryable,
	},
}

// window is how long this move's activities retry faults.
func (m *move) window() time.Duration {
	if m.in.RetryWindow > 0 {
		return m.in.RetryWindow
	}
	return activityWindow
}

func (m *move) activityOptions() workflow.ActivityOptions {
	o := activityOptions
	o.ScheduleToCloseTimeout = m.window()
	return o
}

// answerOptions bound an activity that an update's caller waits for: a
// blip is retried, an outage refused (the caller may try again).
var answerOptions = workflow.ActivityOptions{
	StartToCloseTimeout: 10 * time.Second,
	RetryPolicy:         &temporal.RetryPolicy{InitialInterval: 500 * time.Millisecond, MaximumAttempts: 3},
}

// compensationOptions retry until they succeed: access once withdrawn must
// end, whatever the weather.
var compensationOptions = workflow.ActivityOptions{
	StartToCloseTimeout: 30 * time.Second,
	RetryPolicy:         &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: 10 * time.Minute},
}

var progressOptions = workflow.LocalActivityOptions{
	StartToCloseTimeout: 10 * time.Second,
	RetryPolicy:         &temporal.RetryPolicy{InitialInterval: 500 * time.Millisecond, MaximumInterval: 30 * time.Second},
}

// progressOptions keep writing the read model through an outage as long
// as any activity retries (without a ScheduleToClose the SDK would give up
// after one StartToClose, 10 s, and the pages would show the move as it
// was until its next change).
func (m *move) progressOptions() workflow.LocalActivityOptions {
	o := progressOptions
	o.ScheduleToCloseTimeout = m.window()
	return o
}

// move is the workflow's state. Update handlers only record answers; the
// main loop acts on them, so every side effect happens in one place.
type move struct {
	in MoveInput
	p  models.MoveProgress

	accepted  bool
	identity  *IdentityResult
	consent   *GiveConsent
	stop      *stopRequest
	withdrawn *WithdrawConsent
	retry     string // the failed step an operator asked to run again
	// changed is set by handlers that alter what the progress shows without
	// finishing a stage (a deadline extended, one share decided).
	changed bool
	// notes are the audit records of answers taken since the read model
	// was last written; the next write carries them.
	notes []models.AuditNote

	lastSA [3]string // status, stage, waiting on as last upserted
	// indexAtRest: the search attributes change only where the move comes
	// to rest (see publish). Moves started before this change upsert them
	// at every step.
	indexAtRest bool
	// asksForRecords: the move has the records step (moveVersion 2 on).
	asksForRecords bool
}

// moveVersion names the versions of the move workflow's shape, one
// GetVersion marker for them all (each marker costs the server a
// visibility write):
//
//	DefaultVersion  search attributes at every step
//	1               search attributes only where the move rests
//	2               the records step between identity and consent
const moveVersion = "index-at-rest"

type stopRequest struct {
	status   models.MoveStatus
	template string
	reason   string
}

// MoveWorkflow runs one move from invitation to completion. It ends with
// completed, cancelled, declined or expired; it fails only on a bug.
func MoveWorkflow(ctx workflow.Context, in MoveInput) (MoveResult, error) {
	m := &move{in: in}
	m.p = models.NewMoveProgress(in.MoveID, workflow.Now(ctx), in.Policy.Deadline)
	if err := m.register(ctx); err != nil {
		return MoveResult{}, err
	}
	m.run(ctx)
	// Answers being handled when the move ended still get their reply.
	if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
		return MoveResult{}, err
	}
	if len(m.notes) > 0 {
		m.record(ctx) // an answer taken as the move ended (no earlier history has notes)
	}
	return MoveResult{Status: m.p.Status, Reason: m.p.EndReason}, nil
}

func (m *move) run(ctx workflow.Context) {
	ctx = workflow.WithActivityOptions(ctx, m.activityOptions())
	v := workflow.GetVersion(ctx, moveVersion, workflow.DefaultVersion, 2)
	if v >= 1 {
		m.indexAtRest = true
		m.lastSA = startedIndex(ctx) // set by StartSearchAttributes
	}
	m.asksForRecords = v >= 2
	if !m.asksForRecords { // as the move's progress showed it then
		m.p.Steps = slices.DeleteFunc(m.p.Steps, func(s models.Step) bool { return s.Name == models.StepRecords })
	}
	m.publish(ctx)

	// invite
	if !m.waitingStage(ctx, models.StepInvite, models.WaitingStaff,
		func(n int) error {
			return m.exec(ctx, a.SendInvitation, m.notice(activities.TemplateInvitation, models.StepInvite, n))
		},
		func() bool { return m.accepted }) {
		m.finish(ctx)
		return
	}

	// identity
	if !m.identityStage(ctx) {
		m.finish(ctx)
		return
	}

	// records
	if m.asksForRecords && !m.recordsStage(ctx) {
		m.finish(ctx)
		return
	}

	// consent
	if !m.waitingStage(ctx, models.StepConsent, models.WaitingStaff,
		func(n int) error {
			var held []models.CredentialType
			err := workflow.ExecuteActivity(ctx, a.RequestConsent, m.notice(activities.TemplateConsent, models.StepConsent, n)).Get(ctx, &held)
			if err == nil && n == 0 {
				m.p.Held = held
			}
			return err
		},
		func() bool { return m.consent != nil }) {
		m.finish(ctx)
		return
	}
	m.p.Consented = m.consent.Types

	// transfer
	m.begin(ctx, models.StepTransfer, models.WaitingNobody)
	if !m.step(ctx, models.StepTransfer, func() error {
		var shares []models.ShareState
		err := workflow.ExecuteActivity(ctx, a.Transfer, activities.TransferInput{
			MoveID: m.in.MoveID, Types: m.consent.Types, WordingVersion: m.consent.WordingVersion,
		}).Get(ctx, &shares)
		m.p.Shares = shares
		return err
	}) {
		m.finish(ctx)
		return
	}
	m.done(ctx, models.StepTransfer, models.StateDone)

	// acceptance
	if !m.waitingStage(ctx, models.StepAcceptance, models.WaitingReceivingTrust,
		func(n int) error {
			if n == 0 {
				return nil // the transfer told the receiving trust already
			}
			return m.exec(ctx, a.Notify, m.notice(activities.TemplateReminder, models.StepAcceptance, n))
		},
		m.allDecided) {
		m.finish(ctx)
		return
	}

	// complete
	m.begin(ctx, models.StepComplete, models.WaitingNobody)
	if !m.step(ctx, models.StepComplete, func() error {
		return m.exec(ctx, a.Notify, m.notice(activities.TemplateCompleted, models.StepComplete, 0))
	}) {
		m.finish(ctx)
		return
	}
	m.p.Status = models.MoveCompleted
	if m.indexAtRest {
		m.p.Stage = "completed" // one write of the end, not two
		m.done(ctx, models.StepComplete, models.StateDone)
	} else {
		m.done(ctx, models.StepComplete, models.StateDone)
		m.p.Stage = "completed"
		m.publish(ctx)
	}

	m.closeTemporaryMove(ctx)
}

// identityStage skips the check when the passport holds a valid identity
// credential; otherwise it waits for a verified result and records it.
func (m *move) identityStage(ctx workflow.Context) bool {
	m.begin(ctx, models.StepIdentity, models.WaitingNobody)
	var skipped bool
	if !m.step(ctx, models.StepIdentity, func() error {
		return workflow.ExecuteActivity(ctx, a.PrepareIdentity, m.notice(activities.TemplateIdentity, models.StepIdentity, 0)).Get(ctx, &skipped)
	}) {
		return false
	}
	if skipped {
		m.done(ctx, models.StepIdentity, models.StateSkipped)
		return true
	}
	verified := func() bool { return m.identity != nil && m.identity.Verified }
	if !m.waitingStage(ctx, models.StepIdentity, models.WaitingStaff,
		func(n int) error {
			if n == 0 {
				return nil // PrepareIdentity sent the first email
			}
			return m.exec(ctx, a.PrepareIdentity, m.notice(activities.TemplateIdentity, models.StepIdentity, n))
		}, verified) {
		return false
	}
	m.setState(models.StepIdentity, models.StateRunning)
	ok := m.step(ctx, models.StepIdentity, func() error {
		return workflow.ExecuteActivity(ctx, a.RecordIdentity, activities.IdentityInput{
			MoveID: m.in.MoveID, Method: m.identity.Method, Claims: m.identity.Claims, VerifiedBy: m.in.SendingTrust,
		}).Get(ctx, nil)
	})
	if ok {
		m.done(ctx, models.StepIdentity, models.StateDone)
	}
	return ok
}

// recordsStage asks the sending trust for the credentials the receiving
// trust asked for and the passport does not hold valid, and waits until
// each is recorded or answered "we hold no record". It is skipped when
// nothing is missing or the sending trust does not take such requests.
func (m *move) recordsStage(ctx workflow.Context) bool {
	m.begin(ctx, models.StepRecords, models.WaitingNobody)
	var missing []models.CredentialType
	if !m.step(ctx, models.StepRecords, func() error {
		return workflow.ExecuteActivity(ctx, a.RequestRecords, m.recordsInput(0)).Get(ctx, &missing)
	}) {
		return false
	}
	if len(missing) == 0 {
		m.done(ctx, models.StepRecords, models.StateSkipped)
		return true
	}
	m.p.Records = nil
	for _, t := range missing {
		m.p.Records = append(m.p.Records, models.RecordItem{Type: t, State: models.RecordMissing})
	}
	return m.waitingStage(ctx, models.StepRecords, models.WaitingSendingTrust,
		func(n int) error {
			if n == 0 {
				return nil // RequestRecords asked already
			}
			// A reminder goes only for what is still missing; what was
			// recorded without the move being told is found here.
			var still []models.CredentialType
			err := workflow.ExecuteActivity(ctx, a.RequestRecords, m.recordsInput(n)).Get(ctx, &still)
			if err == nil {
				m.settleRecords(ctx, still)
			}
			return err
		},
		m.recordsDone)
}

// recordsInput asks what is still missing, leaving out what the sending
// trust answered it holds no record of.
func (m *move) recordsInput(n int) activities.RecordsInput {
	in := activities.RecordsInput{MoveID: m.in.MoveID, N: n}
	for _, r := range m.p.Records {
		if r.State == models.RecordNoRecord {
			in.NoRecord = append(in.NoRecord, r.Type)
		}
	}
	return in
}

// settleRecords marks recorded every missing item no longer in still.
func (m *move) settleRecords(ctx workflow.Context, still []models.CredentialType) {
	now := workflow.Now(ctx)
	for i := range m.p.Records {
		if r := &m.p.Records[i]; r.State == models.RecordMissing && !contains(still, r.Type) {
			r.State, r.At = models.RecordRecorded, &now
		}
	}
}

func (m *move) recordsDone() bool {
	for _, r := range m.p.Records {
		if r.State == models.RecordMissing {
			return false
		}
	}
	return true
}

// closeTemporaryMove waits for a temporary move's end date, then ends the
// receiving trust's access. A rotation is permanent and stays as it is.
func (m *move) closeTemporaryMove(ctx workflow.Context) {
	if m.in.Kind != models.KindTemporaryMove || m.in.EndDate.IsZero() {
		return
	}
	wait := m.in.EndDate.Sub(workflow.Now(ctx))
	if wait > 0 {
		if _, err := workflow.AwaitWithTimeout(ctx, wait, func() bool { return m.withdrawn != nil }); err != nil {
			return
		}
	}
	template, reason := activities.TemplateClosed, "the temporary move ended"
	if m.withdrawn != nil {
		template, reason = activities.TemplateConsentWithdrawn, "consent withdrawn"
	}
	m.compensate(ctx, reason)
	m.p.Stage = "closed"
	m.p.EndReason = reason
	_ = m.exec(ctx, a.Notify, m.notice(template, "closed", 0))
	m.publish(ctx)
}

// waitingStage starts a stage, sends its first message and waits for done,
// reminding whoever it waits on after each interval up to the policy's
// maximum, then escalating to HR, then expiring the move at the deadline.
// It returns false when the move ended instead.
func (m *move) waitingStage(ctx workflow.Context, name string, on models.WaitingOn, send func(n int) error, done func() bool) bool {
	m.begin(ctx, name, models.WaitingNobody)
	if !m.step(ctx, name, func() error { return send(0) }) {
		return false
	}
	m.setState(name, models.StateWaiting)
	m.p.WaitingOn = on
	// Escalated speaks of the current wait (dashboards count overdue moves
	// by it); moves started before this change keep it for good. (Moves
	// that index at rest are newer still, and skip asking: every version
	// marker costs a visibility write.)
	if m.indexAtRest || workflow.GetVersion(ctx, "escalated-per-wait", workflow.DefaultVersion, 1) >= 1 {
		m.p.Escalated = false
	}
	m.publish(ctx)
	started := workflow.Now(ctx)
	escalated := false
	for {
		if m.stop != nil {
			return false
		}
		if done() {
			m.p.WaitingOn = models.WaitingNobody
			if name != models.StepIdentity { // identity still has its credential to record
				m.done(ctx, name, models.StateDone)
			}
			return true
		}
		if m.changed {
			m.changed = false
			m.publish(ctx)
		}
		if m.p.Paused {
			// Held: no reminder, escalation or expiry until resumed; the
			// clock starts again where it stopped. (Only the pause update,
			// new with this code, leads here, so older histories replay
			// unchanged.)
			held := workflow.Now(ctx)
			told := m.notice(activities.TemplatePaused, name, int(held.Unix()))
			told.Reason = m.p.PauseReason
			_ = workflow.ExecuteActivity(ctx, a.Notify, told).Get(ctx, nil)
			if err := workflow.Await(ctx, func() bool { return !m.p.Paused || m.stop != nil }); err != nil {
				return false
			}
			if m.stop != nil {
				continue
			}
			d := workflow.Now(ctx).Sub(held)
			m.p.Deadline, started = m.p.Deadline.Add(d), started.Add(d)
			_ = workflow.ExecuteActivity(ctx, a.Notify, m.notice(activities.TemplateResumed, name, int(held.Unix()))).Get(ctx, nil)
			m.changed = false
			m.publish(ctx)
			continue
		}
		st := m.stepRef(name)
		event, at := "expire", m.p.Deadline
		interval := m.in.Policy.ReminderInterval
		if st.Reminders < m.in.Policy.MaxReminders {
			event, at = "remind", started.Add(time.Duration(st.Reminders+1)*interval)
		} else if !escalated {
			event, at = "escalate", started.Add(time.Duration(st.Reminders+1)*interval)
		}
		if !at.Before(m.p.Deadline) {
			event, at = "expire", m.p.Deadline
		}
		timeout := at.Sub(workflow.Now(ctx))
		if timeout > 0 {
			fired, err := workflow.AwaitWithTimeout(ctx, timeout, func() bool { return done() || m.stop != nil || m.changed })
			if err != nil {
				return false // the workflow is being torn down
			}
			if fired {
				continue
			}
		}
		switch event {
		case "remind":
			if !m.step(ctx, name, func() error { return send(st.Reminders + 1) }) {
				return false
			}
			st = m.stepRef(name)
			st.Reminders++
			m.p.RemindersSent++
		case "escalate":
			if !m.step(ctx, name, func() error {
				return m.exec(ctx, a.Notify, m.notice(activities.TemplateEscalation, name, 0))
			}) {
				return false
			}
			escalated = true
			m.p.Escalated = true
		case "expire":
			m.stop = &stopRequest{status: models.MoveExpired, template: activities.TemplateExpired, reason: "no answer by the deadline"}
			return false
		}
		m.setState(name, models.StateWaiting)
		m.p.WaitingOn = on
		m.publish(ctx)
	}
}

// step runs fn, and when it fails for good marks the step failed, tells the
// trusts, and waits for an operator's retry or for the move to end. It
// returns false when the move ended.
func (m *move) step(ctx workflow.Context, name string, fn func() error) bool {
	for {
		err := fn()
		if err == nil {
			if st := m.stepRef(name); st.State == models.StateFailed {
				st.State, st.Error = models.StateRunning, ""
			}
			return true
		}
		if m.stop != nil {
			return false
		}
		was := m.p.WaitingOn
		now := workflow.Now(ctx)
		st := m.stepRef(name)
		st.State, st.Error = models.StateFailed, failureText(err, m.window())
		m.p.LastFailure = &models.Failure{Step: name, Error: st.Error, At: now}
		m.p.WaitingOn = models.WaitingOperator
		m.publish(ctx)
		// Telling people is best effort: the failure is on the move's page anyway.
		// The trusts' email says it in plain words; the page keeps the cause.
		_ = workflow.ExecuteActivity(ctx, a.Notify, activities.NoticeInput{
			MoveID: m.in.MoveID, Template: activities.TemplateStepFailed, Stage: name,
			N: int(now.Unix()), Reason: failureWords(err, m.window()),
		}).Get(ctx, nil)
		if err := workflow.Await(ctx, func() bool { return m.retry == name || m.stop != nil }); err != nil || m.stop != nil {
			return false
		}
		m.retry = ""
		st = m.stepRef(name)
		st.State = models.StateRunning
		m.p.WaitingOn = was
		m.publish(ctx)
	}
}

// finish ends a move that was stopped: the current step is cancelled,
// access already given is withdrawn, and everyone is told.
func (m *move) finish(ctx workflow.Context) {
	if m.stop == nil { // cannot happen: every early return comes from a stop
		m.stop = &stopRequest{status: models.MoveCancelled, template: activities.TemplateCancelled, reason: "stopped"}
	}
	for i := range m.p.Steps {
		if s := &m.p.Steps[i]; s.State == models.StateRunning || s.State == models.StateWaiting || s.State == models.StateFailed {
			s.State = models.StateCancelled
			now := workflow.Now(ctx)
			s.FinishedAt = &now
		}
	}
	m.p.Status = m.stop.status
	m.p.EndReason = m.stop.reason
	m.p.WaitingOn = models.WaitingNobody
	m.compensate(ctx, m.stop.reason)
	_ = m.exec(ctx, a.Notify, m.notice(m.stop.template, m.p.Stage, 0))
	m.publish(ctx)
}

// compensate withdraws the receiving trust's access to anything shared.
func (m *move) compensate(ctx workflow.Context, reason string) {
	if len(m.p.Shares) == 0 {
		return
	}
	cctx := workflow.WithActivityOptions(ctx, compensationOptions)
	_ = workflow.ExecuteActivity(cctx, a.RevokeShares, activities.RevokeInput{MoveID: m.in.MoveID, Reason: reason}).Get(cctx, nil)
}

func (m *move) exec(ctx workflow.Context, activity any, in any) error {
	return workflow.ExecuteActivity(ctx, activity, in).Get(ctx, nil)
}

func (m *move) notice(template, stage string, n int) activities.NoticeInput {
	return activities.NoticeInput{MoveID: m.in.MoveID, Template: template, Stage: stage, N: n}
}

func (m *move) begin(ctx workflow.Context, name string, on models.WaitingOn) {
	now := workflow.Now(ctx)
	st := m.stepRef(name)
	st.State, st.StartedAt = models.StateRunning, &now
	m.p.Stage, m.p.WaitingOn = name, on
}

func (m *move) done(ctx workflow.Context, name, state string) {
	now := workflow.Now(ctx)
	st := m.stepRef(name)
	st.State, st.FinishedAt = state, &now
	m.publish(ctx)
}

func (m *move) setState(name, state string) { m.stepRef(name).State = state }

func (m *move) stepRef(name string) *models.Step {
	for i := range m.p.Steps {
		if m.p.Steps[i].Name == name {
			return &m.p.Steps[i]
		}
	}
	panic("workflows: unknown step " + name) // a bug: step names are constants
}

func (m *move) allDecided() bool {
	if len(m.p.Shares) == 0 {
		return true
	}
	for _, s := range m.p.Shares {
		if s.Decision == models.DecisionPending || s.Decision == "" {
			return false
		}
	}
	return true
}

// publish writes the progress to the read model (a local activity: no
// extra round trip to the server) and refreshes the search attributes.
//
// The search attributes say where the move rests: they change when it
// starts waiting on someone, when it stops waiting on an operator, and
// when it ends — not at each step in between, which the read model shows
// and which would each cost the server a rewrite of the move's visibility
// record (the largest part of its storage work).
func (m *move) publish(ctx workflow.Context) {
	m.p.Seq++
	m.p.UpdatedAt = workflow.Now(ctx)
	m.record(ctx)
	sa := [3]string{string(m.p.Status), m.p.Stage, string(m.p.WaitingOn)}
	atRest := m.p.WaitingOn != models.WaitingNobody || m.p.Status != models.MoveActive ||
		m.lastSA[2] == string(models.WaitingOperator)
	if sa != m.lastSA && (atRest || !m.indexAtRest) {
		m.lastSA = sa
		_ = workflow.UpsertTypedSearchAttributes(ctx,
			SAStatus.ValueSet(sa[0]), SAStage.ValueSet(sa[1]), SAWaitingOn.ValueSet(sa[2]))
	}
}

// startedIndex is status, stage and waiting on as the move's start set
// them (StartSearchAttributes of the version that started it).
func startedIndex(ctx workflow.Context) [3]string {
	sa := workflow.GetTypedSearchAttributes(ctx)
	var out [3]string
	for i, k := range []temporal.SearchAttributeKeyKeyword{SAStatus, SAStage, SAWaitingOn} {
		out[i], _ = sa.GetKeyword(k)
	}
	return out
}

// record writes the progress and the answers' notes to the read model.
// Notes a failed write leaves stay for the next one, and so do notes of
// answers taken while the write ran (an update's handler runs while this
// waits for the local activity): only the notes written are let go. (The
// read model only lags while the database is away; the notes must not be
// lost.)
func (m *move) record(ctx workflow.Context) {
	lctx := workflow.WithLocalActivityOptions(ctx, m.progressOptions())
	notes := slices.Clone(m.notes)
	if err := workflow.ExecuteLocalActivity(lctx, a.RecordProgress, m.p, notes).Get(lctx, nil); err == nil {
		m.notes = slices.Delete(m.notes, 0, len(notes))
	}
}

// failureText is what the move's page shows of a failed step, for the
// trusts' admins and operators: a refusal's words, or for a fault retried
// until the window ran out, the last attempt's error.
func failureText(err error, window time.Duration) string {
	var app *temporal.ApplicationError
	gaveUp := "gave up after " + window.String() + " of retries"
	switch {
	case errors.As(err, &app) && refused(app):
		return app.Message()
	case errors.As(err, &app):
		return gaveUp + "; the last attempt: " + app.Message()
	}
	var timeout *temporal.TimeoutError
	if errors.As(err, &timeout) {
		return gaveUp + " (timed out)"
	}
	return err.Error()
}

// refused reports whether an activity's error is a business refusal, which
// no retry changes.
func refused(app *temporal.ApplicationError) bool {
	return app.NonRetryable() || slices.Contains(nonRetryable, app.Type())
}

// failureWords says for the trusts' email what went wrong, in words and
// never as internal error text (which names hosts and addresses): a
// business refusal's own words, or that a service did not answer.
func failureWords(err error, window time.Duration) string {
	var app *temporal.ApplicationError
	if errors.As(err, &app) && refused(app) {
		return app.Message()
	}
	return "a service it needs (our database, message queue or email service) did not answer for " + minutes(window)
}

// minutes says a window in words: "15 minutes", or "30 seconds" below one.
func minutes(d time.Duration) string {
	n, unit := int(d.Minutes()), "minute"
	if d < time.Minute {
		n, unit = int(d.Seconds()), "second"
	}
	if n != 1 {
		unit += "s"
	}
	return fmt.Sprintf("%d %s", n, unit)
}

// errRefused builds a validator's refusal: the caller sees the reason.
func errRefused(format string, args ...any) error {
	return temporal.NewApplicationError(fmt.Sprintf(format, args...), "Refused")
}

// contains reports whether list holds t.
func contains(list []models.CredentialType, t models.CredentialType) bool {
	return slices.Contains(list, t)
}
