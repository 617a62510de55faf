package moves

import (
	"context"
	"errors"

	"github.com/nhs-staff-passport/passport/models"
	"github.com/nhs-staff-passport/passport/workflows"
)

// RecordsChanged tells the moves that wait on the actor's trust to record
// what a passport lacks that the passport may now hold it (a credential
// was issued onto it): each looks again and moves on when nothing is
// missing. Best effort: a move not told finds out at its next reminder.
// It returns how many moves were told, and the first failure.
func (s *Service) RecordsChanged(ctx context.Context, actor models.Actor, passportID string) (int, error) {
	return s.RecordsChangedFor(ctx, actor, []string{passportID})
}

// RecordsChangedFor is RecordsChanged for many passports at once (an
// import).
func (s *Service) RecordsChangedFor(ctx context.Context, actor models.Actor, passportIDs []string) (int, error) {
	mvs, err := s.Store.MovesAtRecordsFor(ctx, passportIDs, actor.Trust)
	if err != nil {
		return 0, err
	}
	n := 0
	var firstErr error
	for _, mv := range mvs {
		_, err := s.Answer(ctx, mv.ID, workflows.UpdateRecordsChanged, workflows.RecordsChanged{Caller: Caller(actor)}, models.AuditNote{})
		var refused *models.RefusedError
		switch {
		case errors.As(err, &refused): // moved on meanwhile
		case err != nil:
			if firstErr == nil {
				firstErr = err
			}
		default:
			n++
		}
	}
	return n, firstErr
}
