package store

import (
	"context"
	"encoding/json"
	"log/slog"
	"time"

	"github.com/nhs-staff-passport/passport/models"
)

// AuditDone records an action that has already taken effect (an answer a
// move's workflow took): it is not undone when the record cannot be
// written, so the record is tried again in the background for up to five
// minutes (a database outage) instead of failing the caller; a record still
// not written then is logged with everything it would have held but
// personal details.
func (s *Store) AuditDone(ctx context.Context, log *slog.Logger, actor models.Actor, action, subjectType, subjectID string, details any) {
	at := time.Now()
	write := func(ctx context.Context) error {
		return s.auditAt(ctx, at, actor, action, subjectType, subjectID, details)
	}
	if write(ctx) == nil {
		return
	}
	go func() {
		ctx := context.WithoutCancel(ctx)
		var err error
		for wait := time.Second; time.Since(at) < 5*time.Minute; wait = min(2*wait, 30*time.Second) {
			time.Sleep(wait)
			if err = write(ctx); err == nil {
				return
			}
		}
		if log != nil {
			log.Error("an audit record could not be written", "action", action, "subject_type", subjectType, "subject_id", subjectID,
				"actor_kind", actor.Kind, "actor_id", actor.ID, "actor_trust", actor.Trust, "at", at.UTC(), "err", err)
		}
	}()
}

// Audit appends an event to the audit trail. details is encoded as JSON and
// must hold no secrets.
func (s *Store) Audit(ctx context.Context, actor models.Actor, action, subjectType, subjectID string, details any) error {
	return s.auditAt(ctx, time.Now(), actor, action, subjectType, subjectID, details)
}

func (s *Store) auditAt(ctx context.Context, at time.Time, actor models.Actor, action, subjectType, subjectID string, details any) error {
	d := []byte("{}")
	if details != nil {
		var err error
		if d, err = json.Marshal(details); err != nil {
			return err
		}
	}
	ev := models.AuditEvent{
		At: at.UTC(), ActorKind: actor.Kind, ActorID: actor.ID, ActorTrust: actor.Trust, ActorRole: actor.Role,
		Action: action, SubjectType: subjectType, SubjectID: subjectID, Details: string(d),
	}
	return translate(s.db.WithContext(ctx).Create(&ev).Error, "audit")
}

// AuditEvents returns the trail of one subject, oldest first.
func (s *Store) AuditEvents(ctx context.Context, subjectType, subjectID string) ([]models.AuditEvent, error) {
	var evs []models.AuditEvent
	err := s.db.WithContext(ctx).Where("subject_type = ? AND subject_id = ?", subjectType, subjectID).Order("id").Find(&evs).Error
	return evs, translate(err, "audit events")
}

// Audited runs change and records it in the audit trail in one
// transaction: either both land or neither does.
func (s *Store) Audited(ctx context.Context, actor models.Actor, action, subjectType, subjectID string, details any, change func(tx *Store) error) error {
	return s.Tx(ctx, func(tx *Store) error {
		if err := change(tx); err != nil {
			return err
		}
		return tx.Audit(ctx, actor, action, subjectType, subjectID, details)
	})
}
