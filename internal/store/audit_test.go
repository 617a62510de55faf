package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/nhs-staff-passport/passport/models"
)

// An answer's audit record travels with the move's progress: written with
// it, once however often the write is sent again (an activity runs at
// least once), and even when the progress itself is stale by then.
func TestAnAnswersRecordIsWrittenOnceWithTheProgress(t *testing.T) {
	ctx := context.Background()
	for name, s := range backends(t) {
		t.Run(name, func(t *testing.T) {
			p, _, err := s.FindOrCreatePassport(ctx, models.StaffDetails{Email: "a@nhs.net", GivenName: "Ade", FamilyName: "Bo"})
			if err != nil {
				t.Fatal(err)
			}
			m := seedMove(t, s, p.ID, "RJ1", "RRK", models.MoveActive, time.Now().UTC())
			progress := models.NewMoveProgress(m.ID, time.Now(), time.Hour)
			at := time.Date(2026, 12, 2, 9, 30, 0, 0, time.FixedZone("BST", 3600))
			accepted := models.AuditNote{Actor: models.Actor{Kind: models.ActorStaff, ID: p.ID}, Action: "invitation.accepted", Ref: "update/1", At: at}
			decided := models.AuditNote{Actor: models.Actor{Kind: models.ActorAPIKey, ID: "k1", Trust: "RRK", Role: models.RoleHR},
				Action: "share.decided", Details: `{"decision":"accepted"}`, Ref: "update/2", At: at.Add(time.Minute)}

			progress.Seq = 2
			if _, applied, err := s.SaveProgress(ctx, progress, accepted); err != nil || !applied {
				t.Fatalf("first write: applied %v, %v", applied, err)
			}
			// The same write again (a retried activity), and a stale one
			// that carries the next note.
			if _, _, err := s.SaveProgress(ctx, progress, accepted); err != nil {
				t.Fatal(err)
			}
			progress.Seq = 1
			if _, applied, err := s.SaveProgress(ctx, progress, accepted, decided); err != nil || applied {
				t.Fatalf("stale write: applied %v, %v", applied, err)
			}

			evs, err := s.AuditEvents(ctx, "move", m.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(evs) != 2 {
				t.Fatalf("want the two answers once each, got %d: %+v", len(evs), evs)
			}
			first, second := evs[0], evs[1]
			if first.Action != "invitation.accepted" || first.ActorKind != models.ActorStaff || first.ActorID != p.ID ||
				!first.At.Equal(at) || first.Details != "{}" {
				t.Errorf("the acceptance's record: %+v", first)
			}
			if second.Action != "share.decided" || second.ActorTrust != "RRK" || second.ActorRole != models.RoleHR ||
				second.Details != `{"decision":"accepted"}` {
				t.Errorf("the decision's record: %+v", second)
			}
		})
	}
}
