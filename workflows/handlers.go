package workflows

import (
	"strings"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/nhs-staff-passport/passport/activities"
	"github.com/nhs-staff-passport/passport/models"
)

// register installs the progress query and every update. Each validator
// refuses a late, duplicate, out-of-turn or unauthorised answer with a
// reason the caller sees; each handler only records the answer. Every
// update takes, after its answer, the audit note the caller wants written
// once the move took it (see noted).
func (m *move) register(ctx workflow.Context) error {
	if err := workflow.SetQueryHandler(ctx, QueryProgress, func() (models.MoveProgress, error) {
		return m.p, nil
	}); err != nil {
		return err
	}
	updates := []struct {
		name      string
		handler   any
		validator any
	}{
		{UpdateAcceptInvitation, noted(m, m.onAccept), checked(m.validateAccept)},
		{UpdateIdentityResult, noted(m, m.onIdentity), checked(m.validateIdentity)},
		{UpdateGiveConsent, noted(m, m.onConsent), checked(m.validateConsent)},
		{UpdateDecline, noted(m, m.onDecline), checked(m.validateDecline)},
		{UpdateDecideShare, noted(m, m.onDecide), checked(m.validateDecide)},
		{UpdateCancel, noted(m, m.onCancel), checked(m.validateCancel)},
		{UpdateWithdrawConsent, noted(m, m.onWithdraw), checked(m.validateWithdraw)},
		{UpdateRetryStep, noted(m, m.onRetry), checked(m.validateRetry)},
		{UpdateExtendDeadline, noted(m, m.onExtend), checked(m.validateExtend)},
		{UpdatePause, noted(m, m.onPause), checked(m.validatePause)},
		{UpdateResume, noted(m, m.onResume), checked(m.validateResume)},
		{UpdateNoRecord, noted(m, m.onNoRecord), checked(m.validateNoRecord)},
		{UpdateRecordsChanged, noted(m, m.onRecordsChanged), checked(m.validateRecordsChanged)},
	}
	for _, u := range updates {
		if err := workflow.SetUpdateHandlerWithOptions(ctx, u.name, u.handler, workflow.UpdateHandlerOptions{Validator: u.validator}); err != nil {
			return err
		}
	}
	return nil
}

// noted wraps an update's handler: once the handler took the answer, the
// caller's audit note joins those the next write of the move's read model
// carries (in the same transaction), named by the update's ID so that a
// write sent again adds nothing. An answer the move took thus always has
// its record, whatever happens to the caller after it. (Answers from
// earlier versions carry no note: their callers wrote the record, and
// they replay as before.)
func noted[T any](m *move, h func(workflow.Context, T) (models.MoveProgress, error)) func(workflow.Context, T, models.AuditNote) (models.MoveProgress, error) {
	return func(ctx workflow.Context, in T, n models.AuditNote) (models.MoveProgress, error) {
		p, err := h(ctx, in)
		if err == nil && n.Action != "" {
			n.Ref = "update/" + workflow.GetCurrentUpdateInfo(ctx).ID
			n.At = workflow.Now(ctx)
			m.notes = append(m.notes, n)
		}
		// The reply carries what callers use, the progress's sequence
		// number (they wait for the read model to pass it), not the whole
		// progress: each reply is kept in the move's history.
		return models.MoveProgress{MoveID: p.MoveID, Seq: p.Seq}, err
	}
}

// checked gives a validator the note's place in the update's arguments.
func checked[T any](v func(workflow.Context, T) error) func(workflow.Context, T, models.AuditNote) error {
	return func(ctx workflow.Context, in T, _ models.AuditNote) error { return v(ctx, in) }
}

func (m *move) active() error {
	if m.p.Status != models.MoveActive || m.stop != nil {
		return errRefused("the move has ended (%s)", m.p.Status)
	}
	return nil
}

func (m *move) waitingFor(stage string) error {
	if err := m.active(); err != nil {
		return err
	}
	if m.p.Paused {
		return errRefused("the move is on hold: %s", m.p.PauseReason)
	}
	if m.p.Stage != stage || m.stepRef(stage).State != models.StateWaiting {
		return errRefused("the move is not waiting for this answer now (it is at %s)", m.p.Stage)
	}
	return nil
}

// askedFor is waitingFor for a person's answer to an email: it also admits
// the answer while the step is still running its ask. The email (and the
// link in it) goes out inside the ask's activity, but the step is marked
// waiting only in the workflow task after it, which a worker's restart
// can delay by seconds: someone who answers at once must not be refused.
// The handler then waits for the step to wait (see settled).
func (m *move) askedFor(stage string) error {
	if m.p.Stage == stage && m.stepRef(stage).State == models.StateRunning {
		if err := m.active(); err != nil {
			return err
		}
		if m.p.Paused {
			return errRefused("the move is on hold: %s", m.p.PauseReason)
		}
		return nil
	}
	return m.waitingFor(stage)
}

// settled waits, in an answer's handler, until the step waits for the
// answer (its ask done), and checks the answer again then.
func (m *move) settled(ctx workflow.Context, stage string, check func() error) error {
	if err := workflow.Await(ctx, func() bool {
		return m.stop != nil || m.p.Stage != stage || m.stepRef(stage).State != models.StateRunning
	}); err != nil {
		return err
	}
	if err := m.waitingFor(stage); err != nil {
		return err
	}
	return check()
}

func isStaff(c Caller) error {
	if c.Kind != models.ActorStaff {
		return errRefused("only the member of staff can answer this")
	}
	return nil
}

// trustStaff admits HR and trust admins of the given trusts.
// actsForTrust reports whether the caller is a trust's system (an API key)
// or a person signed in to the portal; their role says what they may do.
// (Validators are not replayed, so who may answer can change without
// versioning.)
func actsForTrust(c Caller) bool { return c.Kind == models.ActorAPIKey || c.Kind == models.ActorUser }

func trustStaff(c Caller, trusts ...string) error {
	if actsForTrust(c) && (c.Role == models.RoleHR || c.Role == models.RoleTrustAdmin) {
		for _, t := range trusts {
			if c.Trust == t {
				return nil
			}
		}
	}
	return errRefused("only HR of %s may do this", strings.Join(trusts, " or "))
}

func (m *move) validateAccept(_ workflow.Context, in AcceptInvitation) error {
	if err := isStaff(in.Caller); err != nil {
		return err
	}
	if m.accepted {
		return errRefused("the invitation was accepted already")
	}
	return m.askedFor(models.StepInvite)
}

func (m *move) onAccept(ctx workflow.Context, _ AcceptInvitation) (models.MoveProgress, error) {
	if m.stepRef(models.StepInvite).State == models.StateRunning {
		if err := m.settled(ctx, models.StepInvite, func() error {
			if m.accepted {
				return errRefused("the invitation was accepted already")
			}
			return nil
		}); err != nil {
			return m.p, err
		}
	}
	m.accepted = true
	return m.p, nil
}

func (m *move) validateIdentity(_ workflow.Context, in IdentityResult) error {
	// The person (through a provider or the development simulator), the
	// provider's callback (system) or the sending trust's HR checking
	// documents in person.
	if in.Caller.Kind != models.ActorStaff && in.Caller.Kind != models.ActorSystem {
		if err := trustStaff(in.Caller, m.in.SendingTrust); err != nil {
			return err
		}
	}
	if in.Verified && (in.Claims == "" || in.Method == "") {
		return errRefused("a verified identity needs its method and claims")
	}
	if !in.Verified && strings.TrimSpace(in.Reason) == "" {
		return errRefused("say why the identity could not be verified")
	}
	return m.waitingFor(models.StepIdentity)
}

func (m *move) onIdentity(_ workflow.Context, in IdentityResult) (models.MoveProgress, error) {
	m.identity = &in
	if !in.Verified {
		st := m.stepRef(models.StepIdentity)
		st.Error = "not verified: " + in.Reason
		m.changed = true
	}
	return m.p, nil
}

func (m *move) validateConsent(_ workflow.Context, in GiveConsent) error {
	if err := isStaff(in.Caller); err != nil {
		return err
	}
	if err := m.askedFor(models.StepConsent); err != nil {
		return err
	}
	if m.stepRef(models.StepConsent).State == models.StateRunning {
		return m.checkConsentShape(in) // what the passport holds is known once the ask is done
	}
	return m.checkConsent(in)
}

// checkConsentShape checks what a consent says on its own.
func (m *move) checkConsentShape(in GiveConsent) error {
	if len(in.Types) == 0 {
		return errRefused("choose at least one credential to share, or decline")
	}
	if in.WordingVersion == "" {
		return errRefused("say which consent wording was shown")
	}
	seen := map[models.CredentialType]bool{}
	for _, t := range in.Types {
		switch {
		case seen[t]:
			return errRefused("%s is listed twice", typeWords(t))
		case !contains(m.in.Requested, t):
			return errRefused("%s was not asked for", typeWords(t))
		}
		seen[t] = true
	}
	return nil
}

// checkConsent checks a consent against what the passport holds, too.
func (m *move) checkConsent(in GiveConsent) error {
	if err := m.checkConsentShape(in); err != nil {
		return err
	}
	for _, t := range in.Types {
		if !contains(m.p.Held, t) {
			return errRefused("the passport holds no valid %s", typeWords(t))
		}
	}
	return nil
}

func (m *move) onConsent(ctx workflow.Context, in GiveConsent) (models.MoveProgress, error) {
	if m.stepRef(models.StepConsent).State == models.StateRunning {
		if err := m.settled(ctx, models.StepConsent, func() error {
			if m.consent != nil {
				return errRefused("consent was given already")
			}
			return m.checkConsent(in)
		}); err != nil {
			return m.p, err
		}
	}
	m.consent = &in
	return m.p, nil
}

func (m *move) validateDecline(_ workflow.Context, in Decline) error {
	if err := isStaff(in.Caller); err != nil {
		return err
	}
	if err := m.active(); err != nil {
		return err
	}
	if m.p.Stage != models.StepInvite && m.p.Stage != models.StepIdentity && m.p.Stage != models.StepRecords && m.p.Stage != models.StepConsent {
		return errRefused("consent was given already; withdraw it instead")
	}
	return nil
}

func (m *move) onDecline(_ workflow.Context, in Decline) (models.MoveProgress, error) {
	m.stop = &stopRequest{status: models.MoveDeclined, template: activities.TemplateDeclined, reason: reasonOr(in.Reason, "declined by the member of staff")}
	return m.p, nil
}

func (m *move) validateDecide(_ workflow.Context, in DecideShare) error {
	if err := trustStaff(in.Caller, m.in.ReceivingTrust); err != nil {
		return err
	}
	if err := m.waitingFor(models.StepAcceptance); err != nil {
		return err
	}
	if in.Decision != models.DecisionAccepted && in.Decision != models.DecisionRejected {
		return errRefused("the decision is accepted or rejected")
	}
	if in.Decision == models.DecisionRejected && len(strings.TrimSpace(in.Reason)) < 5 {
		return errRefused("say what must be checked again")
	}
	if len(in.Reason) > 500 {
		return errRefused("keep the reason to 500 characters")
	}
	for _, s := range m.p.Shares {
		if s.ID == in.ShareID {
			if s.Decision != models.DecisionPending {
				return errRefused("this credential was %s already", s.Decision)
			}
			return nil
		}
	}
	return errRefused("no such share in this move")
}

func (m *move) onDecide(_ workflow.Context, in DecideShare) (models.MoveProgress, error) {
	for i := range m.p.Shares {
		if m.p.Shares[i].ID == in.ShareID {
			m.p.Shares[i].Decision, m.p.Shares[i].Reason = in.Decision, strings.TrimSpace(in.Reason)
		}
	}
	m.changed = true
	return m.p, nil
}

func (m *move) validateCancel(_ workflow.Context, in Cancel) error {
	if in.Caller.Role != models.RoleOperator {
		if err := trustStaff(in.Caller, m.in.SendingTrust, m.in.ReceivingTrust); err != nil {
			return err
		}
	}
	if len(strings.TrimSpace(in.Reason)) < 5 {
		return errRefused("say why the move is cancelled")
	}
	return m.active()
}

func (m *move) onCancel(_ workflow.Context, in Cancel) (models.MoveProgress, error) {
	m.stop = &stopRequest{status: models.MoveCancelled, template: activities.TemplateCancelled, reason: strings.TrimSpace(in.Reason)}
	return m.p, nil
}

func (m *move) validateWithdraw(_ workflow.Context, in WithdrawConsent) error {
	if err := isStaff(in.Caller); err != nil {
		return err
	}
	if m.consent == nil {
		return errRefused("no consent has been given in this move")
	}
	if m.withdrawn != nil || m.stop != nil || m.p.Stage == "closed" {
		return errRefused("the receiving trust's access has ended already")
	}
	return nil
}

func (m *move) onWithdraw(_ workflow.Context, in WithdrawConsent) (models.MoveProgress, error) {
	m.withdrawn = &in
	if m.p.Status == models.MoveActive {
		m.stop = &stopRequest{status: models.MoveCancelled, template: activities.TemplateConsentWithdrawn, reason: "consent withdrawn by the member of staff"}
	}
	return m.p, nil
}

func (m *move) validateRetry(_ workflow.Context, in RetryStep) error {
	if !(actsForTrust(in.Caller) && in.Caller.Role == models.RoleOperator) &&
		!(in.Caller.Role == models.RoleTrustAdmin && (in.Caller.Trust == m.in.SendingTrust || in.Caller.Trust == m.in.ReceivingTrust)) {
		return errRefused("only an operator or the trusts' admins may retry a step")
	}
	if err := m.active(); err != nil {
		return err
	}
	for _, s := range m.p.Steps {
		if s.Name == in.Step {
			if s.State != models.StateFailed {
				return errRefused("the %s step has not failed", in.Step)
			}
			if m.retry == in.Step {
				return errRefused("a retry of %s is under way", in.Step)
			}
			return nil
		}
	}
	return errRefused("there is no such step")
}

func (m *move) onRetry(_ workflow.Context, in RetryStep) (models.MoveProgress, error) {
	m.retry = in.Step
	return m.p, nil
}

func (m *move) validateExtend(ctx workflow.Context, in ExtendDeadline) error {
	if in.Caller.Role != models.RoleOperator {
		if err := trustStaff(in.Caller, m.in.SendingTrust); err != nil {
			return err
		}
	}
	if err := m.active(); err != nil {
		return err
	}
	if !in.NewDeadline.After(m.p.Deadline) {
		return errRefused("the new deadline must be later than %s", m.p.Deadline.Format(time.DateOnly))
	}
	if in.NewDeadline.After(workflow.Now(ctx).AddDate(1, 0, 0)) {
		return errRefused("a deadline can be at most a year away")
	}
	return nil
}

func (m *move) onExtend(_ workflow.Context, in ExtendDeadline) (models.MoveProgress, error) {
	m.p.Deadline = in.NewDeadline
	m.changed = true
	return m.p, nil
}

func reasonOr(s, fallback string) string {
	if s = strings.TrimSpace(s); s != "" {
		return s
	}
	return fallback
}

func isOperator(c Caller) error {
	if !(actsForTrust(c) && c.Role == models.RoleOperator) {
		return errRefused("only an operator may hold or release a move")
	}
	return nil
}

func (m *move) validatePause(_ workflow.Context, in Pause) error {
	if err := isOperator(in.Caller); err != nil {
		return err
	}
	if strings.TrimSpace(in.Reason) == "" {
		return errRefused("say why the move is held")
	}
	if len(in.Reason) > 500 {
		return errRefused("keep the reason to 500 characters")
	}
	if err := m.active(); err != nil {
		return err
	}
	if m.p.Paused {
		return errRefused("the move is on hold already")
	}
	return nil
}

func (m *move) onPause(_ workflow.Context, in Pause) (models.MoveProgress, error) {
	m.p.Paused, m.p.PauseReason = true, strings.TrimSpace(in.Reason)
	m.changed = true
	return m.p, nil
}

func (m *move) validateResume(_ workflow.Context, in Resume) error {
	if err := isOperator(in.Caller); err != nil {
		return err
	}
	if err := m.active(); err != nil {
		return err
	}
	if !m.p.Paused {
		return errRefused("the move is not on hold")
	}
	return nil
}

func (m *move) onResume(_ workflow.Context, _ Resume) (models.MoveProgress, error) {
	m.p.Paused, m.p.PauseReason = false, ""
	m.changed = true
	return m.p, nil
}

func (m *move) validateNoRecord(_ workflow.Context, in NoRecord) error {
	if err := trustStaff(in.Caller, m.in.SendingTrust); err != nil {
		return err
	}
	if err := m.waitingFor(models.StepRecords); err != nil {
		return err
	}
	for _, r := range m.p.Records {
		if r.Type == in.Type {
			if r.State != models.RecordMissing {
				return errRefused("%s is answered already (%s)", typeWords(in.Type), strings.ReplaceAll(r.State, "_", " "))
			}
			return nil
		}
	}
	return errRefused("the move did not ask for %s", typeWords(in.Type))
}

func (m *move) onNoRecord(ctx workflow.Context, in NoRecord) (models.MoveProgress, error) {
	now := workflow.Now(ctx)
	for i := range m.p.Records {
		if r := &m.p.Records[i]; r.Type == in.Type && r.State == models.RecordMissing {
			r.State, r.At = models.RecordNoRecord, &now
		}
	}
	m.changed = true
	return m.p, nil
}

func (m *move) validateRecordsChanged(_ workflow.Context, in RecordsChanged) error {
	if err := trustStaff(in.Caller, m.in.SendingTrust); err != nil {
		return err
	}
	return m.waitingFor(models.StepRecords)
}

// onRecordsChanged looks at the passport again; the reply shows what is
// still missing.
func (m *move) onRecordsChanged(ctx workflow.Context, _ RecordsChanged) (models.MoveProgress, error) {
	actx := workflow.WithActivityOptions(ctx, answerOptions)
	var still []models.CredentialType
	if err := workflow.ExecuteActivity(actx, a.CheckRecords, m.recordsInput(0)).Get(actx, &still); err != nil {
		return m.p, err
	}
	if m.p.Stage == models.StepRecords && m.p.Status == models.MoveActive {
		m.settleRecords(ctx, still)
		m.changed = true
	}
	return m.p, nil
}

// typeWords names a credential type in a refusal, without repeating what
// the caller sent when it is not one of ours.
func typeWords(t models.CredentialType) string {
	if t.Valid() {
		return t.Title()
	}
	return "an unknown credential type"
}
