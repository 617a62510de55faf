package workflows

import (
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/nhs-staff-passport/passport/models"
)

func recordState(p models.MoveProgress, t models.CredentialType) string {
	for _, r := range p.Records {
		if r.Type == t {
			return r.State
		}
	}
	return ""
}

// The move waits on the sending trust for what the passport lacks: one
// item it records (the move looks again when told), one it holds no
// record of; then the member of staff consents.
func TestRecordsStepWaitsOnTheSendingTrust(t *testing.T) {
	h := newHarness(t)
	h.missing = []models.CredentialType{models.CredDBSCheck, models.CredCoreSkillsTraining}
	recorded := false
	h.still = func() []models.CredentialType {
		if recorded {
			return []models.CredentialType{models.CredDBSCheck}
		}
		return h.missing
	}
	var atRecords models.MoveProgress
	h.at(time.Minute, "accept", UpdateAcceptInvitation, AcceptInvitation{Caller: staff})
	h.at(2*time.Minute, "identity", UpdateIdentityResult, IdentityResult{Caller: sendingHR, Verified: true, Method: "in_person_documents", Claims: identityClaims})
	h.env.RegisterDelayedCallback(func() { atRecords = h.last() }, 150*time.Second)
	h.at(3*time.Minute, "consent-early", UpdateGiveConsent, GiveConsent{Caller: staff, Types: []models.CredentialType{models.CredDBSCheck}, WordingVersion: "v1"})
	h.at(3*time.Minute, "no-record-by-receiver", UpdateNoRecord, NoRecord{Caller: recvHR, Type: models.CredDBSCheck})
	h.at(3*time.Minute, "no-record-unasked", UpdateNoRecord, NoRecord{Caller: sendingHR, Type: models.CredOccupationalHealth})
	h.at(4*time.Minute, "no-record", UpdateNoRecord, NoRecord{Caller: sendingHR, Type: models.CredDBSCheck})
	h.at(4*time.Minute+time.Second, "no-record-again", UpdateNoRecord, NoRecord{Caller: sendingHR, Type: models.CredDBSCheck})
	h.env.RegisterDelayedCallback(func() { recorded = true }, 5*time.Minute)
	h.at(5*time.Minute, "changed", UpdateRecordsChanged, RecordsChanged{Caller: sendingHR})
	h.at(6*time.Minute, "consent", UpdateGiveConsent, GiveConsent{Caller: staff, Types: []models.CredentialType{models.CredCoreSkillsTraining}, WordingVersion: "v1"})
	h.at(7*time.Minute, "decide-1", UpdateDecideShare, DecideShare{Caller: recvHR, ShareID: "share-dbs", Decision: models.DecisionAccepted})
	h.at(8*time.Minute, "decide-2", UpdateDecideShare, DecideShare{Caller: recvHR, ShareID: "share-cstf", Decision: models.DecisionAccepted})
	if res := h.run(input(models.KindRotation)); res.Status != models.MoveCompleted {
		t.Fatalf("result %+v", res)
	}
	if atRecords.Stage != models.StepRecords || atRecords.WaitingOn != models.WaitingSendingTrust ||
		recordState(atRecords, models.CredDBSCheck) != models.RecordMissing || recordState(atRecords, models.CredCoreSkillsTraining) != models.RecordMissing {
		t.Errorf("at the records step the move shows %+v", atRecords)
	}
	h.refused("consent-early", "not waiting")
	h.refused("no-record-by-receiver", "only HR of RJ1")
	h.refused("no-record-unasked", "did not ask")
	h.accepted("no-record")
	h.refused("no-record-again", "answered already")
	h.accepted("changed")
	h.accepted("consent")
	p := h.last()
	if recordState(p, models.CredDBSCheck) != models.RecordNoRecord || recordState(p, models.CredCoreSkillsTraining) != models.RecordRecorded {
		t.Errorf("records at the end %+v", p.Records)
	}
	if s := stepState(p, models.StepRecords); s != models.StateDone {
		t.Errorf("records step %s", s)
	}
	// The look after the answer leaves out what has no record.
	if last := h.records[len(h.records)-1]; len(last.NoRecord) != 1 || last.NoRecord[0] != models.CredDBSCheck {
		t.Errorf("the move looked again with %+v", last)
	}
	want := "active/identity/staff active/records/sending_trust active/consent/staff active/acceptance/receiving_trust completed/completed/"
	if got := strings.Join(h.indexed, " "); got != want {
		t.Errorf("search attributes upserted\n got %s\nwant %s", got, want)
	}
}

// What was recorded without the move being told is found when a reminder
// falls due, and no reminder goes out for it.
func TestRecordsFoundAtTheNextReminder(t *testing.T) {
	h := newHarness(t)
	h.missing = []models.CredentialType{models.CredOccupationalHealth}
	h.still = func() []models.CredentialType { return nil } // recorded through the passport page
	h.at(time.Minute, "accept", UpdateAcceptInvitation, AcceptInvitation{Caller: staff})
	h.at(2*time.Minute, "identity", UpdateIdentityResult, IdentityResult{Caller: sendingHR, Verified: true, Method: "in_person_documents", Claims: identityClaims})
	h.at(2*time.Hour, "cancel", UpdateCancel, Cancel{Caller: sendingHR, Reason: "test over"})
	h.run(input(models.KindRotation))
	p := h.last()
	if p.Stage != models.StepConsent {
		t.Errorf("the move is at %s, want consent: it should have moved on at the first reminder", p.Stage)
	}
	if recordState(p, models.CredOccupationalHealth) != models.RecordRecorded {
		t.Errorf("records %+v", p.Records)
	}
	for _, n := range h.notices {
		if strings.Contains(n, "escalation") {
			t.Errorf("escalated although nothing was missing: %v", h.notices)
		}
	}
}

// A sending trust that never answers is reminded, escalated to, and the
// move expires at its deadline.
func TestRecordsStepExpires(t *testing.T) {
	h := newHarness(t)
	h.missing = []models.CredentialType{models.CredDBSCheck}
	h.at(time.Minute, "accept", UpdateAcceptInvitation, AcceptInvitation{Caller: staff})
	h.at(2*time.Minute, "identity", UpdateIdentityResult, IdentityResult{Caller: sendingHR, Verified: true, Method: "in_person_documents", Claims: identityClaims})
	if res := h.run(input(models.KindRotation)); res.Status != models.MoveExpired {
		t.Fatalf("result %+v", res)
	}
	var asked []int
	for _, r := range h.records {
		asked = append(asked, r.N)
	}
	if len(asked) != 3 || asked[0] != 0 || asked[1] != 1 || asked[2] != 2 {
		t.Errorf("the records step asked %v, want the first request and two reminders", asked)
	}
	if !strings.Contains(strings.Join(h.notices, " "), "escalation/records/0 expired/records/0") {
		t.Errorf("notices %v", h.notices)
	}
}

// A move started before the records step existed (moveVersion 1) never
// asks the sending trust, and its progress has no such step.
func TestMovesStartedBeforeTheRecordsStepGoStraightToConsent(t *testing.T) {
	h := newHarness(t)
	h.env.OnGetVersion(moveVersion, workflow.DefaultVersion, 2).Return(workflow.Version(1))
	h.missing = []models.CredentialType{models.CredDBSCheck}
	h.happy()
	if res := h.run(input(models.KindRotation)); res.Status != models.MoveCompleted {
		t.Fatalf("result %+v", res)
	}
	h.env.AssertActivityNumberOfCalls(t, "RequestRecords", 0)
	for _, s := range h.last().Steps {
		if s.Name == models.StepRecords {
			t.Errorf("a version 1 move shows a records step")
		}
	}
}
