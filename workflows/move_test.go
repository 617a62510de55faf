package workflows

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/nhs-staff-passport/passport/activities"
	"github.com/nhs-staff-passport/passport/models"
)

var (
	staff     = Caller{Kind: models.ActorStaff, ID: "passport-1"}
	sendingHR = Caller{Kind: models.ActorAPIKey, ID: "k1", Trust: "RJ1", Role: models.RoleHR}
	recvHR    = Caller{Kind: models.ActorAPIKey, ID: "k2", Trust: "RRK", Role: models.RoleHR}
	otherHR   = Caller{Kind: models.ActorAPIKey, ID: "k3", Trust: "R0A", Role: models.RoleHR}
	operator  = Caller{Kind: models.ActorAPIKey, ID: "k4", Role: models.RoleOperator}

	identityClaims = `{"method":"in_person_documents","level_of_confidence":"medium","documents_seen":["passport","utility_bill"],"verified_by":"HR","verified_on":"2026-11-30"}`
	twoShares      = []models.ShareState{
		{ID: "share-dbs", CredentialID: "c1", CredentialType: models.CredDBSCheck, Verified: true, Decision: models.DecisionPending},
		{ID: "share-cstf", CredentialID: "c2", CredentialType: models.CredCoreSkillsTraining, Verified: true, Decision: models.DecisionPending},
	}
)

func input(kind models.MoveKind) MoveInput {
	in := MoveInput{
		MoveID: "m-1", PassportID: "p-1", SendingTrust: "RJ1", ReceivingTrust: "RRK", Kind: kind,
		StaffGroup: models.GroupTemporaryMover, StartDate: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC),
		Requested: []models.CredentialType{models.CredIdentity, models.CredDBSCheck, models.CredCoreSkillsTraining},
		Policy:    models.MovePolicy{ReminderInterval: time.Hour, MaxReminders: 2, Deadline: 10 * time.Hour},
	}
	if kind == models.KindTemporaryMove {
		in.EndDate = time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)
	}
	return in
}

// harness is a test environment with every activity mocked and a log of
// what the workflow asked for and what the read model was sent.
type harness struct {
	t   *testing.T
	env *testsuite.TestWorkflowEnvironment

	// identityHeld and transfer change what those activities answer.
	identityHeld bool
	transfer     func() ([]models.ShareState, error)
	// missing is what the passport lacks when the records step begins;
	// still, when set, what it lacks when looked at again.
	missing []models.CredentialType
	still   func() []models.CredentialType
	records []activities.RecordsInput // what the records step asked

	mu       sync.Mutex
	progress []models.MoveProgress
	notes    []models.AuditNote // the audit notes written with the progress
	indexed  []string           // search attributes upserted: "status/stage/waiting on"
	notices  []string           // "template/stage/n"
	reasons  []string           // the reasons notices gave
	// askTakes is how long the invitation's and the consent's asks take
	// to finish after their email went (a worker restarting, say).
	askTakes time.Duration
	replies  map[string]error
}

func newHarness(t *testing.T, opts ...func(*harness)) *harness {
	var s testsuite.WorkflowTestSuite
	s.SetLogger(log.NewStructuredLogger(slog.New(slog.DiscardHandler)))
	h := &harness{t: t, env: s.NewTestWorkflowEnvironment(), replies: map[string]error{}}
	for _, o := range opts {
		o(h)
	}
	h.env.RegisterActivity(&activities.Activities{})
	note := func(args mock.Arguments) {
		in := args.Get(1).(activities.NoticeInput)
		h.mu.Lock()
		defer h.mu.Unlock()
		h.notices = append(h.notices, in.Template+"/"+in.Stage+"/"+itoa(in.N))
		if in.Reason != "" {
			h.reasons = append(h.reasons, in.Reason)
		}
	}
	h.env.OnActivity(a.SendInvitation, mock.Anything, mock.Anything).Run(note).After(h.askTakes).Return(nil)
	h.env.OnActivity(a.PrepareIdentity, mock.Anything, mock.Anything).Run(note).Return(
		func(_ context.Context, _ activities.NoticeInput) (bool, error) { return h.identityHeld, nil })
	h.env.OnActivity(a.RecordIdentity, mock.Anything, mock.Anything).Return(nil)
	lookAgain := func(in activities.RecordsInput) []models.CredentialType {
		h.mu.Lock()
		defer h.mu.Unlock()
		h.records = append(h.records, in)
		lacks := h.missing
		if h.still != nil {
			lacks = h.still()
		}
		var out []models.CredentialType
		for _, t := range lacks {
			if !contains(in.NoRecord, t) {
				out = append(out, t)
			}
		}
		return out
	}
	h.env.OnActivity(a.RequestRecords, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.RecordsInput) ([]models.CredentialType, error) {
			if in.N == 0 {
				h.mu.Lock()
				h.records = append(h.records, in)
				h.mu.Unlock()
				return h.missing, nil
			}
			return lookAgain(in), nil
		})
	h.env.OnActivity(a.CheckRecords, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.RecordsInput) ([]models.CredentialType, error) {
			return lookAgain(in), nil
		})
	h.env.OnActivity(a.RequestConsent, mock.Anything, mock.Anything).Run(note).After(h.askTakes).
		Return([]models.CredentialType{models.CredDBSCheck, models.CredCoreSkillsTraining}, nil)
	h.env.OnActivity(a.Transfer, mock.Anything, mock.Anything).Return(
		func(_ context.Context, _ activities.TransferInput) ([]models.ShareState, error) {
			if h.transfer != nil {
				return h.transfer()
			}
			return twoShares, nil
		})
	h.env.OnActivity(a.Notify, mock.Anything, mock.Anything).Run(note).Return(nil)
	h.env.OnActivity(a.RevokeShares, mock.Anything, mock.Anything).Return(nil)
	h.env.OnActivity(a.RecordProgress, mock.Anything, mock.Anything, mock.Anything).Run(func(args mock.Arguments) {
		h.mu.Lock()
		defer h.mu.Unlock()
		// A deep copy, as the real server would see: the workflow keeps
		// changing its own slices.
		var p models.MoveProgress
		data, _ := json.Marshal(args.Get(1))
		_ = json.Unmarshal(data, &p)
		h.progress = append(h.progress, p)
		notes, _ := args.Get(2).([]models.AuditNote)
		h.notes = append(h.notes, notes...)
	}).Return(nil)
	h.env.OnUpsertTypedSearchAttributes(mock.Anything).Run(func(args mock.Arguments) {
		sa := args.Get(0).(temporal.SearchAttributes)
		status, _ := sa.GetKeyword(SAStatus)
		stage, _ := sa.GetKeyword(SAStage)
		on, _ := sa.GetKeyword(SAWaitingOn)
		h.mu.Lock()
		defer h.mu.Unlock()
		h.indexed = append(h.indexed, status+"/"+stage+"/"+on)
	}).Return(nil)
	return h
}

func itoa(n int) string { return strconv.Itoa(n) }

// at sends an update after d; its outcome is kept under key.
func (h *harness) at(d time.Duration, key, name string, arg any) {
	h.env.RegisterDelayedCallback(func() { h.send(key, name, arg) }, d)
}

// together sends updates one after another in the same instant, so that
// the later ones meet the state the earlier ones left.
func (h *harness) together(d time.Duration, updates ...update) {
	h.env.RegisterDelayedCallback(func() {
		for _, u := range updates {
			h.send(u.key, u.name, u.arg)
		}
	}, d)
}

type update struct {
	key, name string
	arg       any
}

func (h *harness) send(key, name string, arg any, note ...models.AuditNote) {
	{
		args := []any{arg}
		for _, n := range note {
			args = append(args, n)
		}
		h.env.UpdateWorkflow(name, key, &testsuite.TestUpdateCallback{
			OnAccept: func() {},
			OnReject: func(err error) {
				h.mu.Lock()
				h.replies[key] = err
				h.mu.Unlock()
			},
			OnComplete: func(_ any, err error) {
				h.mu.Lock()
				if err != nil {
					h.replies[key] = err
				} else if _, seen := h.replies[key]; !seen {
					h.replies[key] = nil
				}
				h.mu.Unlock()
			},
		}, args...)
	}
}

func (h *harness) run(in MoveInput) MoveResult {
	h.t.Helper()
	// Started as the moves service starts it.
	if err := h.env.SetTypedSearchAttributesOnStart(StartSearchAttributes(in)); err != nil {
		h.t.Fatal(err)
	}
	h.env.ExecuteWorkflow(MoveWorkflow, in)
	if !h.env.IsWorkflowCompleted() {
		h.t.Fatal("workflow did not complete")
	}
	if err := h.env.GetWorkflowError(); err != nil {
		h.t.Fatalf("workflow failed: %v", err)
	}
	var res MoveResult
	if err := h.env.GetWorkflowResult(&res); err != nil {
		h.t.Fatal(err)
	}
	return res
}

func (h *harness) accepted(key string) {
	h.t.Helper()
	err, seen := h.replies[key]
	if !seen || err != nil {
		h.t.Errorf("update %s: seen %v, error %v; want accepted", key, seen, err)
	}
}

func (h *harness) refused(key, because string) {
	h.t.Helper()
	err := h.replies[key]
	if err == nil || !strings.Contains(err.Error(), because) {
		h.t.Errorf("update %s: error %v; want a refusal about %q", key, err, because)
	}
}

func (h *harness) last() models.MoveProgress {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.progress[len(h.progress)-1]
}

func stepState(p models.MoveProgress, name string) string {
	for _, s := range p.Steps {
		if s.Name == name {
			return s.State
		}
	}
	return ""
}

// happy plays every answer in order, a minute apart from start.
func (h *harness) happy() {
	h.at(time.Minute, "accept", UpdateAcceptInvitation, AcceptInvitation{Caller: staff})
	h.at(2*time.Minute, "identity", UpdateIdentityResult, IdentityResult{Caller: sendingHR, Verified: true, Method: "in_person_documents", Claims: identityClaims})
	h.at(3*time.Minute, "consent", UpdateGiveConsent, GiveConsent{Caller: staff, Types: []models.CredentialType{models.CredDBSCheck, models.CredCoreSkillsTraining}, WordingVersion: "v1"})
	h.at(4*time.Minute, "decide-1", UpdateDecideShare, DecideShare{Caller: recvHR, ShareID: "share-dbs", Decision: models.DecisionAccepted})
	h.at(5*time.Minute, "decide-2", UpdateDecideShare, DecideShare{Caller: recvHR, ShareID: "share-cstf", Decision: models.DecisionRejected, Reason: "resuscitation level 2 needed for ITU"})
}

func TestHappyPathRotation(t *testing.T) {
	h := newHarness(t)
	h.happy()
	res := h.run(input(models.KindRotation))
	if res.Status != models.MoveCompleted {
		t.Fatalf("result %+v", res)
	}
	for _, k := range []string{"accept", "identity", "consent", "decide-1", "decide-2"} {
		h.accepted(k)
	}
	p := h.last()
	if p.Stage != "completed" || p.Status != models.MoveCompleted || p.WaitingOn != models.WaitingNobody {
		t.Errorf("final progress %+v", p)
	}
	for _, s := range p.Steps {
		want := models.StateDone
		if s.Name == models.StepRecords {
			want = models.StateSkipped // the passport held all that was asked
		}
		if s.State != want {
			t.Errorf("step %s is %s, want %s", s.Name, s.State, want)
		}
	}
	if p.Shares[1].Decision != models.DecisionRejected || p.Shares[1].Reason == "" {
		t.Errorf("rejection not kept: %+v", p.Shares[1])
	}
	for i := 1; i < len(h.progress); i++ {
		if h.progress[i].Seq <= h.progress[i-1].Seq {
			t.Fatalf("progress sequence not increasing at %d", i)
		}
	}
	h.env.AssertActivityNumberOfCalls(t, "RecordIdentity", 1)
	h.env.AssertActivityNumberOfCalls(t, "RevokeShares", 0)
	// The visibility record changes where the move rests, not at each step
	// (and not at the invitation, where its start put it).
	want := []string{"active/identity/staff", "active/consent/staff",
		"active/acceptance/receiving_trust", "completed/completed/"}
	if strings.Join(h.indexed, " ") != strings.Join(want, " ") {
		t.Errorf("search attributes upserted\n got %v\nwant %v", h.indexed, want)
	}
}

func TestIdentitySkippedWhenHeld(t *testing.T) {
	h := newHarness(t)
	h.identityHeld = true
	h.at(time.Minute, "accept", UpdateAcceptInvitation, AcceptInvitation{Caller: staff})
	h.at(2*time.Minute, "identity", UpdateIdentityResult, IdentityResult{Caller: staff, Verified: true, Method: "x", Claims: "{}"})
	h.at(3*time.Minute, "consent", UpdateGiveConsent, GiveConsent{Caller: staff, Types: []models.CredentialType{models.CredDBSCheck}, WordingVersion: "v1"})
	h.at(4*time.Minute, "decide-1", UpdateDecideShare, DecideShare{Caller: recvHR, ShareID: "share-dbs", Decision: models.DecisionAccepted})
	h.at(5*time.Minute, "decide-2", UpdateDecideShare, DecideShare{Caller: recvHR, ShareID: "share-cstf", Decision: models.DecisionAccepted})
	if res := h.run(input(models.KindRotation)); res.Status != models.MoveCompleted {
		t.Fatalf("result %+v", res)
	}
	h.refused("identity", "not waiting")
	if s := stepState(h.last(), models.StepIdentity); s != models.StateSkipped {
		t.Errorf("identity step %s, want skipped", s)
	}
	h.env.AssertActivityNumberOfCalls(t, "RecordIdentity", 0)
}

func TestDeclineAtConsent(t *testing.T) {
	h := newHarness(t)
	h.at(time.Minute, "accept", UpdateAcceptInvitation, AcceptInvitation{Caller: staff})
	h.at(2*time.Minute, "identity", UpdateIdentityResult, IdentityResult{Caller: staff, Verified: true, Method: "certified_identity_service", Claims: identityClaims})
	h.together(3*time.Minute,
		update{"decline", UpdateDecline, Decline{Caller: staff, Reason: "I am not moving after all"}},
		update{"late-consent", UpdateGiveConsent, GiveConsent{Caller: staff, Types: []models.CredentialType{models.CredDBSCheck}, WordingVersion: "v1"}})
	res := h.run(input(models.KindRotation))
	if res.Status != models.MoveDeclined || res.Reason != "I am not moving after all" {
		t.Fatalf("result %+v", res)
	}
	h.accepted("decline")
	h.refused("late-consent", "ended")
	if s := stepState(h.last(), models.StepConsent); s != models.StateCancelled {
		t.Errorf("consent step %s", s)
	}
	h.env.AssertActivityNumberOfCalls(t, "RevokeShares", 0)
	h.env.AssertActivityNumberOfCalls(t, "Transfer", 0)
}

func TestExpiresAfterRemindersAndEscalation(t *testing.T) {
	h := newHarness(t)
	res := h.run(input(models.KindRotation)) // nobody answers
	if res.Status != models.MoveExpired {
		t.Fatalf("result %+v", res)
	}
	want := []string{"invitation/invite/0", "invitation/invite/1", "invitation/invite/2", "escalation/invite/0", "expired/invite/0"}
	if strings.Join(h.notices, " ") != strings.Join(want, " ") {
		t.Errorf("notices %v, want %v", h.notices, want)
	}
	p := h.last()
	if p.RemindersSent != 2 || !p.Escalated || p.Steps[0].Reminders != 2 || p.Steps[0].State != models.StateCancelled {
		t.Errorf("progress %+v", p)
	}
}

func TestExtendingTheDeadlinePostponesExpiry(t *testing.T) {
	h := newHarness(t)
	in := input(models.KindRotation)
	h.at(9*time.Hour, "extend", UpdateExtendDeadline, ExtendDeadline{Caller: sendingHR, NewDeadline: h.env.Now().Add(30 * time.Hour)})
	h.at(9*time.Hour+time.Minute, "extend-by-receiver", UpdateExtendDeadline, ExtendDeadline{Caller: recvHR, NewDeadline: h.env.Now().Add(40 * time.Hour)})
	h.at(20*time.Hour, "accept", UpdateAcceptInvitation, AcceptInvitation{Caller: staff})
	h.at(21*time.Hour, "cancel", UpdateCancel, Cancel{Caller: sendingHR, Reason: "test over"})
	res := h.run(in)
	h.accepted("extend")
	h.refused("extend-by-receiver", "only HR of RJ1")
	h.accepted("accept")
	if res.Status != models.MoveCancelled {
		t.Errorf("result %+v: the move should have outlived its first deadline", res)
	}
}

func TestCancelAtEachStage(t *testing.T) {
	steps := []struct {
		stage   string
		answers int // how many of the happy answers come first
		revokes int
	}{
		{models.StepInvite, 0, 0},
		{models.StepIdentity, 1, 0},
		{models.StepConsent, 2, 0},
		{models.StepAcceptance, 3, 1},
	}
	for _, tt := range steps {
		t.Run(tt.stage, func(t *testing.T) {
			h := newHarness(t)
			answers := []func(){
				func() { h.at(time.Minute, "accept", UpdateAcceptInvitation, AcceptInvitation{Caller: staff}) },
				func() {
					h.at(2*time.Minute, "identity", UpdateIdentityResult, IdentityResult{Caller: sendingHR, Verified: true, Method: "in_person_documents", Claims: identityClaims})
				},
				func() {
					h.at(3*time.Minute, "consent", UpdateGiveConsent, GiveConsent{Caller: staff, Types: []models.CredentialType{models.CredDBSCheck}, WordingVersion: "v1"})
				},
			}
			for _, f := range answers[:tt.answers] {
				f()
			}
			h.at(10*time.Minute, "cancel-by-stranger", UpdateCancel, Cancel{Caller: otherHR, Reason: "not mine to cancel"})
			h.together(11*time.Minute,
				update{"cancel", UpdateCancel, Cancel{Caller: recvHR, Reason: "post withdrawn"}},
				update{"cancel-again", UpdateCancel, Cancel{Caller: operator, Reason: "twice"}})
			res := h.run(input(models.KindRotation))
			if res.Status != models.MoveCancelled || res.Reason != "post withdrawn" {
				t.Fatalf("result %+v", res)
			}
			h.refused("cancel-by-stranger", "only HR")
			h.refused("cancel-again", "ended")
			if s := stepState(h.last(), tt.stage); s != models.StateCancelled {
				t.Errorf("%s step is %s, want cancelled", tt.stage, s)
			}
			h.env.AssertActivityNumberOfCalls(t, "RevokeShares", tt.revokes)
		})
	}
}

func TestWithdrawalAfterTransferRevokesShares(t *testing.T) {
	h := newHarness(t)
	h.at(time.Minute, "accept", UpdateAcceptInvitation, AcceptInvitation{Caller: staff})
	h.at(2*time.Minute, "identity", UpdateIdentityResult, IdentityResult{Caller: sendingHR, Verified: true, Method: "in_person_documents", Claims: identityClaims})
	h.at(3*time.Minute, "consent", UpdateGiveConsent, GiveConsent{Caller: staff, Types: []models.CredentialType{models.CredDBSCheck}, WordingVersion: "v1"})
	h.together(4*time.Minute,
		update{"withdraw", UpdateWithdrawConsent, WithdrawConsent{Caller: staff, Reason: "changed my mind"}},
		update{"decide-1", UpdateDecideShare, DecideShare{Caller: recvHR, ShareID: "share-dbs", Decision: models.DecisionAccepted}})
	res := h.run(input(models.KindRotation))
	if res.Status != models.MoveCancelled || !strings.Contains(res.Reason, "withdrawn") {
		t.Fatalf("result %+v", res)
	}
	h.accepted("withdraw")
	h.refused("decide-1", "ended")
	h.env.AssertActivityNumberOfCalls(t, "RevokeShares", 1)
}

func TestTemporaryMoveClosesAtItsEndDate(t *testing.T) {
	h := newHarness(t)
	h.happy()
	in := input(models.KindTemporaryMove)
	in.EndDate = h.env.Now().Add(48 * time.Hour)
	res := h.run(in)
	if res.Status != models.MoveCompleted {
		t.Fatalf("result %+v", res)
	}
	p := h.last()
	if p.Stage != "closed" || !strings.Contains(p.EndReason, "ended") {
		t.Errorf("final progress stage %s reason %q", p.Stage, p.EndReason)
	}
	h.env.AssertActivityNumberOfCalls(t, "RevokeShares", 1)
}

func TestFailedStepWaitsForRetry(t *testing.T) {
	h := newHarness(t)
	calls := 0
	h.transfer = func() ([]models.ShareState, error) {
		calls++
		if calls == 1 {
			return nil, temporal.NewNonRetryableApplicationError("signing service unavailable", activities.ErrTypeInvalid, errors.New("x"))
		}
		return twoShares, nil
	}
	h.happy()
	h.at(3*time.Minute+10*time.Second, "retry-by-hr", UpdateRetryStep, RetryStep{Caller: sendingHR, Step: models.StepTransfer})
	h.at(3*time.Minute+20*time.Second, "retry-wrong-step", UpdateRetryStep, RetryStep{Caller: operator, Step: models.StepConsent})
	var failed models.MoveProgress
	h.env.RegisterDelayedCallback(func() { failed = h.last() }, 3*time.Minute+30*time.Second)
	h.at(3*time.Minute+40*time.Second, "retry", UpdateRetryStep, RetryStep{Caller: operator, Step: models.StepTransfer})
	// The decisions in happy() come at 4 and 5 minutes, after the retry.
	res := h.run(input(models.KindRotation))
	if res.Status != models.MoveCompleted {
		t.Fatalf("result %+v", res)
	}
	if failed.WaitingOn != models.WaitingOperator || failed.LastFailure == nil ||
		failed.LastFailure.Error != "signing service unavailable" || stepState(failed, models.StepTransfer) != models.StateFailed {
		t.Errorf("while failed: %+v", failed)
	}
	h.refused("retry-by-hr", "operator")
	h.refused("retry-wrong-step", "has not failed")
	h.accepted("retry")
	if calls != 2 {
		t.Errorf("transfer ran %d times, want 2", calls)
	}
	found := false
	for _, n := range h.notices {
		found = found || strings.HasPrefix(n, "step_failed/transfer")
	}
	if !found {
		t.Errorf("trusts not told of the failure: %v", h.notices)
	}
	// Operators find the failed move by its search attributes; after the
	// retry it no longer shows as theirs.
	want := []string{"active/identity/staff", "active/consent/staff",
		"active/transfer/operator", "active/transfer/", "active/acceptance/receiving_trust", "completed/completed/"}
	if strings.Join(h.indexed, " ") != strings.Join(want, " ") {
		t.Errorf("search attributes upserted\n got %v\nwant %v", h.indexed, want)
	}
}

func TestLateDuplicateAndOutOfTurnAnswersAreRefused(t *testing.T) {
	h := newHarness(t)
	h.at(30*time.Second, "consent-too-early", UpdateGiveConsent, GiveConsent{Caller: staff, Types: []models.CredentialType{models.CredDBSCheck}, WordingVersion: "v1"})
	h.at(40*time.Second, "accept-by-hr", UpdateAcceptInvitation, AcceptInvitation{Caller: sendingHR})
	h.happy()
	h.at(61*time.Second, "accept-again", UpdateAcceptInvitation, AcceptInvitation{Caller: staff})
	h.at(2*time.Minute+30*time.Second, "consent-unheld", UpdateGiveConsent, GiveConsent{Caller: staff, Types: []models.CredentialType{models.CredIdentity}, WordingVersion: "v1"})
	h.at(2*time.Minute+40*time.Second, "consent-unasked", UpdateGiveConsent, GiveConsent{Caller: staff, Types: []models.CredentialType{models.CredOccupationalHealth}, WordingVersion: "v1"})
	h.at(4*time.Minute+10*time.Second, "decide-by-sender", UpdateDecideShare, DecideShare{Caller: sendingHR, ShareID: "share-cstf", Decision: models.DecisionAccepted})
	h.at(4*time.Minute+20*time.Second, "decide-again", UpdateDecideShare, DecideShare{Caller: recvHR, ShareID: "share-dbs", Decision: models.DecisionRejected, Reason: "changed"})
	h.at(4*time.Minute+30*time.Second, "reject-no-reason", UpdateDecideShare, DecideShare{Caller: recvHR, ShareID: "share-cstf", Decision: models.DecisionRejected})
	h.at(4*time.Minute+40*time.Second, "reject-essay", UpdateDecideShare, DecideShare{Caller: recvHR, ShareID: "share-cstf", Decision: models.DecisionRejected, Reason: strings.Repeat("x", 501)})
	if res := h.run(input(models.KindRotation)); res.Status != models.MoveCompleted {
		t.Fatalf("result %+v", res)
	}
	h.refused("consent-too-early", "not waiting")
	h.refused("accept-by-hr", "only the member of staff")
	h.refused("accept-again", "already")
	h.refused("consent-unheld", "holds no valid Identity check")
	h.refused("consent-unasked", "not asked for")
	h.refused("decide-by-sender", "only HR of RRK")
	h.refused("decide-again", "accepted already")
	h.refused("reject-no-reason", "say what")
	h.refused("reject-essay", "500 characters")
}

func TestPausedMoveHoldsRemindersAnswersAndDeadline(t *testing.T) {
	h := newHarness(t)
	in := input(models.KindRotation) // reminders hourly, two of them, deadline 10 h
	hold := Pause{Caller: operator, Reason: "the trust RRK was suspended from the service"}
	h.at(30*time.Minute, "pause-by-hr", UpdatePause, Pause{Caller: sendingHR, Reason: "no"})
	h.at(30*time.Minute+time.Second, "pause", UpdatePause, hold)
	h.at(31*time.Minute, "pause-again", UpdatePause, hold)
	h.at(2*time.Hour, "accept-while-held", UpdateAcceptInvitation, AcceptInvitation{Caller: staff})
	// Held for 20 hours, twice the deadline: nothing is sent and it does
	// not expire.
	h.at(20*time.Hour+30*time.Minute, "resume", UpdateResume, Resume{Caller: operator})
	h.at(20*time.Hour+31*time.Minute, "resume-again", UpdateResume, Resume{Caller: operator})
	h.at(20*time.Hour+45*time.Minute, "accept", UpdateAcceptInvitation, AcceptInvitation{Caller: staff})
	h.at(21*time.Hour, "cancel", UpdateCancel, Cancel{Caller: sendingHR, Reason: "test over"})
	res := h.run(in)
	h.refused("pause-by-hr", "only an operator")
	h.accepted("pause")
	h.refused("pause-again", "on hold already")
	h.refused("accept-while-held", "on hold: the trust RRK was suspended")
	h.accepted("resume")
	h.refused("resume-again", "not on hold")
	h.accepted("accept")
	if res.Status != models.MoveCancelled {
		t.Fatalf("result %+v: the move should have outlived its deadline while held", res)
	}
	// The invitation, the hold told, the release told: no reminder while
	// held, and none just after (the clock restarted where it stopped).
	if got := strings.Join(h.notices, " "); !strings.HasPrefix(got, "invitation/invite/0 paused/invite/") ||
		strings.Contains(got, "invitation/invite/1") || !strings.Contains(got, "resumed/invite/") {
		t.Errorf("notices %v", h.notices)
	}
	var held, released bool
	for _, p := range h.progress {
		held = held || (p.Paused && p.PauseReason == hold.Reason)
		released = released || (held && !p.Paused && p.Deadline.After(h.env.Now().Add(-3*time.Hour)))
	}
	if !held || !released {
		t.Errorf("progress never showed the hold and a deadline moved on (held %v, released %v)", held, released)
	}
}

// An answer's audit note is written with the move's next progress, once,
// and only when the move took the answer; answers without one (from
// earlier callers) still work.
func TestAnAnswerTakenCarriesItsRecord(t *testing.T) {
	h := newHarness(t)
	accepted := models.AuditNote{Actor: models.Actor{Kind: models.ActorStaff, ID: "passport-1"}, Action: "invitation.accepted"}
	again := models.AuditNote{Actor: models.Actor{Kind: models.ActorStaff, ID: "passport-1"}, Action: "invitation.accepted.again"}
	h.env.RegisterDelayedCallback(func() {
		h.send("accept", UpdateAcceptInvitation, AcceptInvitation{Caller: staff}, accepted)
		h.send("accept-again", UpdateAcceptInvitation, AcceptInvitation{Caller: staff}, again)
	}, time.Minute)
	h.at(2*time.Minute, "identity", UpdateIdentityResult, IdentityResult{Caller: sendingHR, Verified: true, Method: "in_person_documents", Claims: identityClaims})
	h.env.RegisterDelayedCallback(func() {
		h.send("consent", UpdateGiveConsent, GiveConsent{Caller: staff, Types: []models.CredentialType{models.CredDBSCheck, models.CredCoreSkillsTraining}, WordingVersion: "v1"},
			models.AuditNote{Actor: models.Actor{Kind: models.ActorStaff, ID: "passport-1"}, Action: "consent.given", Details: `{"types":["dbs_check"]}`})
	}, 3*time.Minute)
	h.at(4*time.Minute, "decide-1", UpdateDecideShare, DecideShare{Caller: recvHR, ShareID: "share-dbs", Decision: models.DecisionAccepted})
	h.at(5*time.Minute, "decide-2", UpdateDecideShare, DecideShare{Caller: recvHR, ShareID: "share-cstf", Decision: models.DecisionAccepted})
	if res := h.run(input(models.KindRotation)); res.Status != models.MoveCompleted {
		t.Fatalf("result %+v", res)
	}
	h.accepted("accept")
	h.refused("accept-again", "accepted already")

	var got []string
	refs := map[string]bool{}
	for _, n := range h.notes {
		got = append(got, n.Action)
		refs[n.Ref] = true
		if !strings.HasPrefix(n.Ref, "update/") || n.At.IsZero() {
			t.Errorf("note %+v: want the update's ID and the time the move took it", n)
		}
	}
	if strings.Join(got, " ") != "invitation.accepted consent.given" || len(refs) != 2 {
		t.Errorf("notes written %v (refs %v); want the acceptance and the consent, once each", got, refs)
	}
	if at := h.notes[0].At; at.Sub(h.progress[0].UpdatedAt) != time.Minute {
		t.Errorf("the acceptance was noted at %v, the move began at %v", at, h.progress[0].UpdatedAt)
	}
}
