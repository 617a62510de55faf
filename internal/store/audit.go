package store

import (
	"context"
	"encoding/json"
	"time"

	"github.com/nhs-staff-passport/passport/models"
)

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
