package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/nhs-staff-passport/passport/internal/store"
	"github.com/nhs-staff-passport/passport/models"
)

// The dashboard's numbers are counters kept with the moves: after moves
// are created, change stage, wait on someone, fail, escalate, end and are
// deleted (many at once), they say what a count of the moves says, for
// each trust and for the service; a migration's recount agrees.
func TestDashboardCountsFollowEveryChange(t *testing.T) {
	ctx := context.Background()
	for name, s := range backends(t) {
		t.Run(name, func(t *testing.T) {
			p, _, err := s.FindOrCreatePassport(ctx, models.StaffDetails{Email: "c@nhs.net", GivenName: "Cy", FamilyName: "Dee"})
			if err != nil {
				t.Fatal(err)
			}
			now := time.Now().UTC()
			type state struct {
				m models.Move
				p models.MoveProgress
			}
			var moves []*state
			for i := range 24 {
				from, to := "RJ1", "RRK"
				if i%3 == 0 {
					from, to = "RRK", "RJ1"
				}
				m := seedMove(t, s, p.ID, from, to, models.MoveActive, now.Add(time.Duration(i)*time.Second))
				moves = append(moves, &state{m: m, p: models.NewMoveProgress(m.ID, now, time.Hour)})
			}
			write := func(st *state, change func(*models.MoveProgress)) {
				st.p.Seq++
				change(&st.p)
				if _, _, err := s.SaveProgress(ctx, st.p); err != nil {
					t.Error(err)
				}
			}
			// Many moves change at once (the counters must not deadlock).
			var wg sync.WaitGroup
			for i, st := range moves {
				wg.Go(func() {
					write(st, func(p *models.MoveProgress) { p.Stage, p.WaitingOn = "invite", models.WaitingStaff })
					switch i % 6 {
					case 1:
						write(st, func(p *models.MoveProgress) { p.Stage, p.WaitingOn = "records", models.WaitingSendingTrust })
					case 2:
						write(st, func(p *models.MoveProgress) {
							p.Stage, p.WaitingOn = "acceptance", models.WaitingReceivingTrust
							p.Escalated = true
						})
					case 3:
						write(st, func(p *models.MoveProgress) {
							p.Stage, p.WaitingOn = "transfer", models.WaitingOperator
							p.Steps[0].State = models.StateFailed
						})
					case 4:
						write(st, func(p *models.MoveProgress) {
							p.Stage, p.Status, p.WaitingOn = "completed", models.MoveCompleted, models.WaitingNobody
						})
					}
				})
			}
			wg.Wait()
			// A stale write changes nothing; a move that never started goes.
			stale := moves[1].p
			stale.Seq, stale.Stage = 1, "consent"
			if _, _, err := s.SaveProgress(ctx, stale); err != nil {
				t.Fatal(err)
			}
			if err := s.DeleteMove(ctx, moves[5].m.ID); err != nil {
				t.Fatal(err)
			}

			want := func() map[string]store.MoveCounts {
				out := map[string]store.MoveCounts{}
				for _, trust := range []string{"RJ1", "RRK", ""} {
					c := store.MoveCounts{Active: map[string]int{}}
					for i, st := range moves {
						if i == 5 || st.p.Status != models.MoveActive || (trust != "" && st.m.SendingODS != trust && st.m.ReceivingODS != trust) {
							continue
						}
						c.Active[st.p.Stage]++
						c.ActiveTotal++
						ours := models.WaitingOperator
						switch {
						case trust == "":
						case st.m.SendingODS == trust:
							c.Outgoing++
							ours = models.WaitingSendingTrust
						default:
							c.Incoming++
							ours = models.WaitingReceivingTrust
						}
						if st.p.WaitingOn == ours {
							c.WaitingOnUs++
						}
						if st.p.Escalated {
							c.Overdue++
						}
						if st.p.Steps[0].State == models.StateFailed {
							c.Failed++
						}
					}
					out[trust] = c
				}
				return out
			}()
			check := func(when string) {
				t.Helper()
				for trust, w := range want {
					got, err := s.CountMoves(ctx, trust)
					if err != nil {
						t.Fatal(err)
					}
					if fmt.Sprint(got) != fmt.Sprint(w) {
						t.Errorf("%s, trust %q:\n got %+v\nwant %+v", when, trust, got, w)
					}
				}
			}
			check("kept")
			if err := s.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			check("recounted")
		})
	}
}
