package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/nhs-staff-passport/passport/internal/store"
	"github.com/nhs-staff-passport/passport/models"
)

// WaitMove ends at the write it waits for: at once when this process makes
// it, at the next recheck when another process does.
func TestWaitMove(t *testing.T) {
	ctx := context.Background()
	for name, s := range backends(t) {
		t.Run(name, func(t *testing.T) {
			p, _, err := s.FindOrCreatePassport(ctx, models.StaffDetails{Email: "w@nhs.net", GivenName: "Wyn", FamilyName: "Ash"})
			if err != nil {
				t.Fatal(err)
			}
			m := seedMove(t, s, p.ID, "RJ1", "RRK", models.MoveActive, time.Now().UTC())
			progress := models.NewMoveProgress(m.ID, time.Now(), time.Hour)
			write := func(s *store.Store, seq int64, stage string) {
				t.Helper()
				progress.Seq, progress.Stage = seq, stage
				if _, _, err := s.SaveProgress(ctx, progress); err != nil {
					t.Fatal(err)
				}
			}
			atStage := func(stage string) func(models.Move) bool {
				return func(m models.Move) bool { return m.Stage == stage }
			}

			// Woken by this process's write: the recheck is an hour away.
			done := make(chan models.Move, 1)
			go func() {
				got, err := s.WaitMove(ctx, m.ID, time.Hour, atStage("consent"))
				if err != nil {
					t.Error(err)
				}
				done <- got
			}()
			write(s, 1, "identity") // not yet
			select {
			case got := <-done:
				t.Fatalf("returned at %s", got.Stage)
			case <-time.After(50 * time.Millisecond):
			}
			write(s, 2, "consent")
			select {
			case got := <-done:
				if got.Seq != 2 {
					t.Errorf("returned %+v", got)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("the write did not wake the waiter")
			}

			// Written by another process: found at a recheck.
			other, err := store.Open(ctx, dsnOf(t, s))
			if err != nil {
				t.Fatal(err)
			}
			defer other.Close()
			go func() {
				time.Sleep(30 * time.Millisecond)
				write(other, 3, "transfer")
			}()
			wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			defer cancel()
			if got, err := s.WaitMove(wctx, m.ID, 10*time.Millisecond, atStage("transfer")); err != nil || got.Seq != 3 {
				t.Errorf("another process's write: %+v, %v", got.Stage, err)
			}

			// Nothing comes: the move as it is, and the context's error.
			wctx, cancel = context.WithTimeout(ctx, 300*time.Millisecond)
			defer cancel()
			got, err := s.WaitMove(wctx, m.ID, 10*time.Millisecond, atStage("acceptance"))
			if !errors.Is(err, context.DeadlineExceeded) || got.Stage != "transfer" {
				t.Errorf("timed out: %s, %v", got.Stage, err)
			}
		})
	}
}
