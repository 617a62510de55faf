package moves

import (
	"context"
	"errors"
	"time"

	"github.com/nhs-staff-passport/passport/models"
)

// nextStepWait bounds how long a staff page waits for the move's next
// question before saying the email will bring it.
const nextStepWait = 5 * time.Second

// staffStages are the stages that ask the member of staff something, with
// the link each answer needs.
var staffStages = map[string]models.LinkAction{
	models.StepIdentity: models.LinkVerifyIdentity,
	models.StepConsent:  models.LinkGiveConsent,
}

// NextStep waits, a few seconds at most, for the move whose link l was
// just answered to settle: when it then asks the member of staff
// something else, it returns a fresh single-use link to that question
// (the email for it carries another; whichever is used first counts), so
// they carry on without going back to their inbox. It returns "" with the
// move as it stands when the move now waits on someone else, has ended,
// or took longer.
func (s *Service) NextStep(ctx context.Context, l Link) (string, models.Move, error) {
	answered := l.Move.Stage
	wctx, cancel := context.WithTimeout(ctx, nextStepWait)
	defer cancel()
	mv, err := s.Store.WaitMove(wctx, l.Move.ID, 50*time.Millisecond, func(m models.Move) bool {
		if m.Status != models.MoveActive {
			return true
		}
		if m.Stage == answered {
			return false
		}
		_, asks := staffStages[m.Stage]
		return (m.WaitingOn == models.WaitingStaff && asks) || (m.WaitingOn != models.WaitingStaff && m.WaitingOn != models.WaitingNobody)
	})
	if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
		return "", mv, nil // the email brings the next step
	}
	if err != nil {
		return "", mv, err
	}
	action, asks := staffStages[mv.Stage]
	if mv.Status != models.MoveActive || mv.WaitingOn != models.WaitingStaff || !asks || s.Links == nil {
		return "", mv, nil
	}
	deadline := Progress(mv).Deadline
	if deadline.IsZero() {
		deadline = s.now().AddDate(0, 0, 28)
	}
	tok := s.Links.New()
	if err := s.Store.CreateLinkToken(ctx, &models.LinkToken{ID: tok.ID, SecretHash: tok.Hash, Action: action, MoveID: mv.ID,
		PassportID: l.Passport.ID, ExpiresAt: deadline.UTC(), CreatedAt: s.now().UTC()}); err != nil {
		return "", mv, err
	}
	return tok.Plain, mv, nil
}
