package testenv

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/nhs-staff-passport/passport/internal/store"
	"github.com/nhs-staff-passport/passport/models"
)

// MoveAtAcceptance records a move from sending to receiving of the
// passport as it stands after its transfer: it asked for identity, a DBS
// check, right to work and occupational health; the passport held identity
// and the DBS check (dbs, a credential on it) when the member of staff
// chose; they shared the DBS check alone; the sending trust holds no
// record of occupational health. The DBS check is shared, verified and
// waiting for the receiving trust's decision. Its steps took ten minutes
// each, the acceptance begun a minute ago.
func MoveAtAcceptance(tb testing.TB, st *store.Store, sending, receiving string, passportID string, dbs models.Credential) (models.Move, models.Share) {
	tb.Helper()
	ctx := context.Background()
	now := time.Now().UTC()
	mv := models.Move{ID: uuid.NewString(), SendingODS: sending, ReceivingODS: receiving, PassportID: passportID, Kind: models.KindTemporaryMove,
		StaffGroup: models.GroupTemporaryMover, StartDate: now, EndDate: ptr(now.AddDate(0, 3, 0)), Requested: "identity,dbs_check,right_to_work,occupational_health",
		Status: models.MoveActive, Stage: models.StepAcceptance, WaitingOn: models.WaitingReceivingTrust, CreatedAt: now, UpdatedAt: now}
	p := models.NewMoveProgress(mv.ID, now, 28*24*time.Hour)
	// Each step took ten minutes, the last begun a minute ago.
	at := now.Add(-time.Duration(len(p.Steps)-1)*10*time.Minute - time.Minute)
	for i := range p.Steps {
		started, finished := at.Add(time.Duration(i)*10*time.Minute), at.Add(time.Duration(i+1)*10*time.Minute)
		switch p.Steps[i].Name {
		case models.StepAcceptance:
			p.Steps[i].State, p.Steps[i].StartedAt = models.StateWaiting, &started
		case models.StepComplete:
		default:
			p.Steps[i].State, p.Steps[i].StartedAt, p.Steps[i].FinishedAt = models.StateDone, &started, &finished
		}
	}
	share := models.Share{ID: uuid.NewString(), MoveID: mv.ID, CredentialID: dbs.ID, CredentialType: dbs.Type, ReceiverODS: receiving, PassportID: passportID,
		SharedAt: now, Decision: models.DecisionPending,
		Verification: `[{"check":"signature","passed":true},{"check":"issuer_registered","passed":true},{"check":"not_expired","passed":true},{"check":"not_revoked","passed":true}]`}
	p.Stage, p.WaitingOn = models.StepAcceptance, models.WaitingReceivingTrust
	p.Held = []models.CredentialType{models.CredIdentity, models.CredDBSCheck}
	p.Consented = []models.CredentialType{models.CredDBSCheck}
	p.Records = []models.RecordItem{{Type: models.CredRightToWork, State: models.RecordMissing}, {Type: models.CredOccupationalHealth, State: models.RecordNoRecord}}
	p.Shares = []models.ShareState{{ID: share.ID, CredentialID: dbs.ID, CredentialType: dbs.Type, Verified: true, Decision: models.DecisionPending}}
	raw, _ := json.Marshal(p)
	mv.Progress = string(raw)
	if _, _, err := st.CreateMove(ctx, &mv); err != nil {
		tb.Fatal(err)
	}
	consent := models.Consent{ID: uuid.NewString(), MoveID: mv.ID, PassportID: passportID, ReceiverODS: receiving, CredentialTypes: "dbs_check", WordingVersion: "v1", GivenAt: now}
	if err := st.RecordTransfer(ctx, consent, []models.Share{share}, receiving); err != nil {
		tb.Fatal(err)
	}
	return mv, share
}

func ptr[T any](v T) *T { return &v }
