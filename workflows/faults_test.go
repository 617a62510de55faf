package workflows

import (
	"errors"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/nhs-staff-passport/passport/activities"
	"github.com/nhs-staff-passport/passport/models"
)

// outage makes the transfer fail as an unreachable service does (a
// retryable error naming an internal address) until the clock passes
// until.
func (h *harness) outage(until time.Duration) *int {
	calls := 0
	start := h.env.Now()
	h.transfer = func() ([]models.ShareState, error) {
		calls++
		if h.env.Now().Before(start.Add(until)) {
			return nil, errors.New("dial tcp 10.0.0.5:6379: connect: connection refused")
		}
		return twoShares, nil
	}
	return &calls
}

func (h *harness) uptoConsent() {
	h.at(time.Minute, "accept", UpdateAcceptInvitation, AcceptInvitation{Caller: staff})
	h.at(2*time.Minute, "identity", UpdateIdentityResult, IdentityResult{Caller: sendingHR, Verified: true, Method: "in_person_documents", Claims: identityClaims})
	h.at(3*time.Minute, "consent", UpdateGiveConsent, GiveConsent{Caller: staff, Types: []models.CredentialType{models.CredDBSCheck, models.CredCoreSkillsTraining}, WordingVersion: "v1"})
}

// An outage of minutes (here ten, while the transfer runs) is ridden out
// by retries: no step fails, no one is emailed, no operator is needed.
func TestAnOutageOfMinutesNeedsNoOne(t *testing.T) {
	h := newHarness(t)
	calls := h.outage(13 * time.Minute)
	h.uptoConsent()
	h.at(20*time.Minute, "decide-1", UpdateDecideShare, DecideShare{Caller: recvHR, ShareID: "share-dbs", Decision: models.DecisionAccepted})
	h.at(21*time.Minute, "decide-2", UpdateDecideShare, DecideShare{Caller: recvHR, ShareID: "share-cstf", Decision: models.DecisionAccepted})
	if res := h.run(input(models.KindRotation)); res.Status != models.MoveCompleted {
		t.Fatalf("result %+v", res)
	}
	h.accepted("decide-2")
	if *calls <= 5 {
		t.Errorf("the transfer ran %d times: the outage should have taken more than five attempts", *calls)
	}
	for _, p := range h.progress {
		if p.LastFailure != nil || p.WaitingOn == models.WaitingOperator {
			t.Fatalf("a step failed during a ten-minute outage: %+v", p.LastFailure)
		}
	}
	for _, n := range h.notices {
		if strings.HasPrefix(n, "step_failed") {
			t.Errorf("the trusts were told of a failure: %v", h.notices)
		}
	}
}

// An outage longer than the window fails the step: the page shows the
// last attempt's cause, the trusts' email says it in plain words without
// the internal address, and an operator's retry carries the move on.
func TestAnOutageLongerThanTheWindowWaitsForAPerson(t *testing.T) {
	h := newHarness(t)
	h.outage(25 * time.Minute)
	h.uptoConsent()
	var failed models.MoveProgress
	h.env.RegisterDelayedCallback(func() { failed = h.last() }, 24*time.Minute)
	h.at(26*time.Minute, "retry", UpdateRetryStep, RetryStep{Caller: operator, Step: models.StepTransfer})
	h.at(30*time.Minute, "decide-1", UpdateDecideShare, DecideShare{Caller: recvHR, ShareID: "share-dbs", Decision: models.DecisionAccepted})
	h.at(31*time.Minute, "decide-2", UpdateDecideShare, DecideShare{Caller: recvHR, ShareID: "share-cstf", Decision: models.DecisionAccepted})
	if res := h.run(input(models.KindRotation)); res.Status != models.MoveCompleted {
		t.Fatalf("result %+v", res)
	}
	h.accepted("retry")
	if failed.LastFailure == nil || stepState(failed, models.StepTransfer) != models.StateFailed {
		t.Fatalf("after the window: %+v", failed)
	}
	if got := failed.LastFailure.Error; !strings.Contains(got, "connection refused") || !strings.Contains(got, "15m") {
		t.Errorf("the page's cause %q lacks the last attempt's error or the window", got)
	}
	if len(h.reasons) != 1 || strings.Contains(h.reasons[0], "10.0.0.5") || !strings.Contains(h.reasons[0], "did not answer for 15 minutes") {
		t.Errorf("the trusts' email reasons: %q", h.reasons)
	}
}

// A business refusal fails the step at once, in its own words.
func TestARefusalFailsTheStepAtOnce(t *testing.T) {
	h := newHarness(t)
	calls := 0
	h.transfer = func() ([]models.ShareState, error) {
		calls++
		return nil, refusal("none of the consented credentials is still valid")
	}
	h.uptoConsent()
	h.at(10*time.Minute, "cancel", UpdateCancel, Cancel{Caller: operator, Reason: "nothing left to share"})
	if res := h.run(input(models.KindRotation)); res.Status != models.MoveCancelled {
		t.Fatalf("result %+v", res)
	}
	if calls != 1 || len(h.reasons) == 0 || h.reasons[0] != "none of the consented credentials is still valid" {
		t.Errorf("transfer ran %d times; reasons %q", calls, h.reasons)
	}
}

func refusal(msg string) error {
	return temporal.NewNonRetryableApplicationError(msg, activities.ErrTypeInvalid, nil)
}

// A move's own retry window (PASSPORT_RETRY_WINDOW when it started) is the
// one its steps keep.
func TestAMovesRetryWindowIsItsOwn(t *testing.T) {
	h := newHarness(t)
	h.outage(time.Hour)
	h.uptoConsent()
	var failed models.MoveProgress
	h.env.RegisterDelayedCallback(func() { failed = h.last() }, 4*time.Minute)
	h.at(5*time.Minute, "cancel", UpdateCancel, Cancel{Caller: operator, Reason: "giving up on it"})
	in := input(models.KindRotation)
	in.RetryWindow = 30 * time.Second
	if res := h.run(in); res.Status != models.MoveCancelled {
		t.Fatalf("result %+v", res)
	}
	if failed.LastFailure == nil || !strings.Contains(failed.LastFailure.Error, "30s") {
		t.Fatalf("a minute after a 30-second window: %+v", failed.LastFailure)
	}
	if len(h.reasons) == 0 || !strings.Contains(h.reasons[0], "did not answer for 30 seconds") {
		t.Errorf("reasons %q", h.reasons)
	}
}

// Someone who answers as soon as the email arrives, while the step that
// sent it has not yet been marked waiting (a worker restarting between
// the two), is not refused: the answer is taken once the step waits.
func TestAnAnswerBeforeTheStepWaitsIsTaken(t *testing.T) {
	h := newHarness(t, func(h *harness) { h.askTakes = 20 * time.Second })
	h.at(5*time.Second, "accept-early", UpdateAcceptInvitation, AcceptInvitation{Caller: staff})
	h.at(2*time.Minute, "identity", UpdateIdentityResult, IdentityResult{Caller: sendingHR, Verified: true, Method: "in_person_documents", Claims: identityClaims})
	// The consent ask starts once identity is recorded (2 min) and ends 20 s later.
	h.at(2*time.Minute+5*time.Second, "consent-unheld-early", UpdateGiveConsent, GiveConsent{Caller: staff, Types: []models.CredentialType{models.CredIdentity}, WordingVersion: "v1"})
	h.at(2*time.Minute+6*time.Second, "consent-early", UpdateGiveConsent, GiveConsent{Caller: staff, Types: []models.CredentialType{models.CredDBSCheck, models.CredCoreSkillsTraining}, WordingVersion: "v1"})
	h.at(4*time.Minute, "decide-1", UpdateDecideShare, DecideShare{Caller: recvHR, ShareID: "share-dbs", Decision: models.DecisionAccepted})
	h.at(5*time.Minute, "decide-2", UpdateDecideShare, DecideShare{Caller: recvHR, ShareID: "share-cstf", Decision: models.DecisionAccepted})
	if res := h.run(input(models.KindRotation)); res.Status != models.MoveCompleted {
		t.Fatalf("result %+v", res)
	}
	h.accepted("accept-early")
	h.accepted("consent-early")
	h.refused("consent-unheld-early", "") // not held, or the valid one settled first
}
