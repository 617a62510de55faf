package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/nhs-staff-passport/passport/internal/store"
	"github.com/nhs-staff-passport/passport/models"
)

func seedMove(t *testing.T, s *store.Store, passport, from, to string, status models.MoveStatus, at time.Time) models.Move {
	t.Helper()
	m := models.Move{ID: uuid.NewString(), SendingODS: from, ReceivingODS: to, PassportID: passport, Kind: models.KindRotation,
		StaffGroup: models.GroupDoctorInTraining, StartDate: at, Requested: "identity", Status: status, Stage: "invite",
		CreatedAt: at, UpdatedAt: at}
	if _, _, err := s.CreateMove(context.Background(), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestListMovesPagesStablyWhileMovesArrive(t *testing.T) {
	ctx := context.Background()
	for name, s := range backends(t) {
		t.Run(name, func(t *testing.T) {
			p, _, err := s.FindOrCreatePassport(ctx, models.StaffDetails{Email: "l@nhs.net", GivenName: "Lee", FamilyName: "Ng"})
			if err != nil {
				t.Fatal(err)
			}
			base := time.Date(2026, 8, 1, 9, 0, 0, 0, time.UTC)
			var rj1 []string
			for i := range 10 {
				// Two moves share each instant, so the id breaks ties.
				at := base.Add(time.Duration(i/2) * time.Minute)
				m := seedMove(t, s, p.ID, "RJ1", "RRK", models.MoveActive, at)
				rj1 = append(rj1, m.ID)
			}
			seedMove(t, s, p.ID, "R0A", "RTH", models.MoveActive, base) // not RJ1's

			seen := map[string]bool{}
			var order []string
			f := store.MoveFilter{Trust: "RJ1", Limit: 3}
			for page := 0; ; page++ {
				rows, err := s.ListMoves(ctx, f)
				if err != nil {
					t.Fatal(err)
				}
				for _, r := range rows {
					if seen[r.ID] {
						t.Fatalf("move %s listed twice", r.ID)
					}
					seen[r.ID] = true
					order = append(order, r.ID)
					if r.GivenName != "Lee" {
						t.Errorf("summary lacks the staff name: %+v", r)
					}
				}
				// New moves arrive while the list is read: they are newer
				// than every page so far and must not disturb what follows.
				seedMove(t, s, p.ID, "RJ1", "RRK", models.MoveActive, base.Add(time.Hour+time.Duration(page)*time.Minute))
				if len(rows) < f.Limit {
					break
				}
				last := rows[len(rows)-1]
				f.After = &store.MovePosition{CreatedAt: last.CreatedAt, ID: last.ID}
			}
			if len(order) != 10 {
				t.Fatalf("paged through %d moves, want the 10 there were at the start: %v", len(order), order)
			}
			for _, id := range rj1 {
				if !seen[id] {
					t.Errorf("move %s never listed", id)
				}
			}

			waiting := models.WaitingNobody
			rows, err := s.ListMoves(ctx, store.MoveFilter{Trust: "RTH", Status: models.MoveActive, WaitingOn: &waiting, Limit: 50})
			if err != nil || len(rows) != 1 || rows[0].ReceivingODS != "RTH" {
				t.Errorf("RTH sees %d moves (%v)", len(rows), err)
			}
			rows, _ = s.ListMoves(ctx, store.MoveFilter{Status: models.MoveCompleted, Limit: 50})
			if len(rows) != 0 {
				t.Errorf("status filter let %d through", len(rows))
			}
			rows, _ = s.ListMoves(ctx, store.MoveFilter{Trust: "RJ1", StartedBefore: base.Add(2 * time.Minute), Oldest: true, Limit: 50})
			if len(rows) != 4 || rows[0].CreatedAt.After(rows[3].CreatedAt) {
				t.Errorf("started before, oldest first: %d rows %s", len(rows), fmt.Sprint(rows))
			}
		})
	}
}
