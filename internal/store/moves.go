package store

import (
	"context"
	"encoding/json"
	"errors"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/nhs-staff-passport/passport/models"
)

// CreateMove stores a new move, or returns the one the sending trust
// already started under the same idempotency key (created false).
func (s *Store) CreateMove(ctx context.Context, m *models.Move) (models.Move, bool, error) {
	db := s.db.WithContext(ctx)
	existing := func() (models.Move, error) {
		var e models.Move
		err := db.Where("sending_ods = ? AND idempotency_key = ?", m.SendingODS, *m.IdempotencyKey).Limit(1).Find(&e).Error
		return e, translate(err, "move by idempotency key")
	}
	if m.IdempotencyKey != nil {
		if e, err := existing(); err != nil || e.ID != "" {
			return e, false, err
		}
	}
	err := s.Tx(ctx, func(tx *Store) error {
		if err := tx.db.Create(m).Error; err != nil {
			return err
		}
		return tx.countChange(ctx, models.Move{}, *m)
	})
	if errors.Is(err, gorm.ErrDuplicatedKey) && m.IdempotencyKey != nil {
		// The same key raced in from another request: it won.
		e, err := existing()
		return e, false, err
	}
	if err != nil {
		return models.Move{}, false, translate(err, "create move")
	}
	return *m, true, nil
}

// Move returns one move, or an error wrapping models.ErrNotFound.
func (s *Store) Move(ctx context.Context, id string) (models.Move, error) {
	var m models.Move
	err := s.db.WithContext(ctx).First(&m, "id = ?", id).Error
	return m, translate(err, "move "+id)
}

// SaveProgress writes a move's progress unless a newer one (higher Seq) is
// already there: activities run at least once and may land out of order.
// Share decisions in the progress are written to the shares too. It
// returns the stage and waiting-on stored before, and whether this write
// was applied.
//
// notes are the audit records of the answers the move took since its last
// write; they are written in the same transaction, each once however often
// it is sent (a newer write may already have carried the progress).
func (s *Store) SaveProgress(ctx context.Context, p models.MoveProgress, notes ...models.AuditNote) (before models.Move, applied bool, err error) {
	data, err := json.Marshal(p)
	if err != nil {
		return before, false, err
	}
	failed := false
	for _, st := range p.Steps {
		failed = failed || st.State == models.StateFailed
	}
	err = s.Tx(ctx, func(tx *Store) error {
		if err := tx.forUpdate(tx.db).Select("id", "sending_ods", "receiving_ods", "status", "stage", "waiting_on", "has_failed_step", "escalated", "seq").
			First(&before, "id = ?", p.MoveID).Error; err != nil {
			return translate(err, "move "+p.MoveID)
		}
		if len(notes) > 0 {
			evs := make([]models.AuditEvent, len(notes))
			for i, n := range notes {
				evs[i] = n.Event(p.MoveID)
			}
			if err := tx.db.Clauses(clause.OnConflict{DoNothing: true}).Create(&evs).Error; err != nil {
				return translate(err, "audit")
			}
		}
		if before.Seq >= p.Seq {
			return nil // a newer write got here first
		}
		after := before
		after.Status, after.Stage, after.WaitingOn, after.HasFailedStep = p.Status, p.Stage, p.WaitingOn, failed
		after.Escalated = p.Escalated && p.Status == models.MoveActive
		res := tx.db.Model(&models.Move{}).Where("id = ? AND seq < ?", p.MoveID, p.Seq).Updates(map[string]any{
			"status": after.Status, "stage": after.Stage, "waiting_on": after.WaitingOn, "has_failed_step": after.HasFailedStep, "escalated": after.Escalated,
			"progress": string(data), "seq": p.Seq, "updated_at": time.Now().UTC(),
		})
		if res.Error != nil || res.RowsAffected == 0 {
			return translate(res.Error, "save progress")
		}
		if err := tx.countChange(ctx, before, after); err != nil {
			return err
		}
		applied = true
		for _, sh := range p.Shares {
			if sh.Decision == models.DecisionPending {
				continue
			}
			if err := tx.db.Model(&models.Share{}).Where("id = ? AND decision = ?", sh.ID, models.DecisionPending).Updates(map[string]any{
				"decision": sh.Decision, "decision_reason": sh.Reason, "decided_at": p.UpdatedAt,
			}).Error; err != nil {
				return translate(err, "save decision")
			}
		}
		return nil
	})
	if err == nil && applied {
		s.watchers.wake(p.MoveID)
	}
	return before, applied, err
}

// Shares returns a move's shares.
func (s *Store) Shares(ctx context.Context, moveID string) ([]models.Share, error) {
	var out []models.Share
	err := s.db.WithContext(ctx).Where("move_id = ?", moveID).Order("shared_at, id").Find(&out).Error
	return out, translate(err, "shares")
}

// RevokeShares ends the receiver's access to every share of a move.
func (s *Store) RevokeShares(ctx context.Context, moveID string, at time.Time) (int64, error) {
	res := s.db.WithContext(ctx).Model(&models.Share{}).Where("move_id = ? AND revoked_at IS NULL", moveID).Update("revoked_at", at.UTC())
	return res.RowsAffected, translate(res.Error, "revoke shares")
}

// CreateLinkToken stores a link token.
func (s *Store) CreateLinkToken(ctx context.Context, t *models.LinkToken) error {
	return translate(s.db.WithContext(ctx).Create(t).Error, "create link token")
}

// LinkToken returns a token by ID.
func (s *Store) LinkToken(ctx context.Context, id string) (models.LinkToken, error) {
	var t models.LinkToken
	err := s.db.WithContext(ctx).First(&t, "id = ?", id).Error
	return t, translate(err, "link token")
}

// UseLinkToken marks a token used; a token used already wraps
// models.ErrConflict.
func (s *Store) UseLinkToken(ctx context.Context, id string, at time.Time) error {
	res := s.db.WithContext(ctx).Model(&models.LinkToken{}).Where("id = ? AND used_at IS NULL", id).Update("used_at", at.UTC())
	if res.Error != nil {
		return translate(res.Error, "use link token")
	}
	if res.RowsAffected == 0 {
		return translate(errConflict, "link token already used")
	}
	return nil
}

// AddNotification records a notification about to be queued, unless it is
// recorded already (an activity run again): a notification's status never
// goes back. It returns the row as stored.
func (s *Store) AddNotification(ctx context.Context, n *models.Notification) (models.Notification, error) {
	if err := s.db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(n).Error; err != nil {
		return models.Notification{}, translate(err, "add notification")
	}
	var got models.Notification
	err := s.db.WithContext(ctx).First(&got, "id = ?", n.ID).Error
	return got, translate(err, "notification")
}

// StaleNotifications returns notifications still queued that were last
// touched before olderThan and made after since, oldest first, at most
// limit: what the outbox's sweeper looks at again.
func (s *Store) StaleNotifications(ctx context.Context, olderThan, since time.Time, limit int) ([]models.Notification, error) {
	var out []models.Notification
	err := s.db.WithContext(ctx).Where("status = ? AND updated_at < ? AND created_at > ?", models.NotificationQueued, olderThan.UTC(), since.UTC()).
		Order("created_at").Limit(limit).Find(&out).Error
	return out, translate(err, "stale notifications")
}

// NotificationSent reports whether the notification is recorded as sent.
func (s *Store) NotificationSent(ctx context.Context, id string) (bool, error) {
	var n int64
	err := s.db.WithContext(ctx).Model(&models.Notification{}).Where("id = ? AND status = ?", id, models.NotificationSent).Count(&n).Error
	return n > 0, translate(err, "notification sent")
}

// FailingNotifications returns unsent notifications whose delivery has
// failed at least once and is being retried, longest failing first.
func (s *Store) FailingNotifications(ctx context.Context, limit int) ([]models.Notification, error) {
	var out []models.Notification
	err := s.db.WithContext(ctx).Omit("sealed").Where("status = ? AND failing_since IS NOT NULL", models.NotificationQueued).
		Order("failing_since, id").Limit(limit).Find(&out).Error
	return out, translate(err, "failing notifications")
}

// NotificationStats is the outbox at a glance.
type NotificationStats struct {
	Unsent       int64      // queued, not yet sent
	Failing      int64      // of those, with a failed attempt
	OldestUnsent *time.Time // when the oldest of them was made
	Failed       int64      // given up on, waiting for a person
}

// NotificationStats counts the notifications not yet sent.
func (s *Store) NotificationStats(ctx context.Context) (NotificationStats, error) {
	var st NotificationStats
	var row struct {
		Unsent  int64
		Failing int64
	}
	q := s.db.WithContext(ctx).Model(&models.Notification{}).Where("status = ?", models.NotificationQueued)
	if err := q.Select("COUNT(*) AS unsent, COUNT(failing_since) AS failing").Scan(&row).Error; err != nil {
		return st, translate(err, "notification stats")
	}
	st.Unsent, st.Failing = row.Unsent, row.Failing
	if row.Unsent > 0 {
		var oldest models.Notification
		if err := s.db.WithContext(ctx).Where("status = ?", models.NotificationQueued).Order("created_at").Limit(1).Find(&oldest).Error; err != nil {
			return st, translate(err, "oldest notification")
		}
		st.OldestUnsent = &oldest.CreatedAt
	}
	err := s.db.WithContext(ctx).Model(&models.Notification{}).Where("status = ?", models.NotificationFailed).Count(&st.Failed).Error
	return st, translate(err, "failed notifications")
}

// Notifications returns a move's notifications, oldest first.
func (s *Store) Notifications(ctx context.Context, moveID string) ([]models.Notification, error) {
	var out []models.Notification
	err := s.db.WithContext(ctx).Where("move_id = ?", moveID).Order("created_at, id").Find(&out).Error
	return out, translate(err, "notifications")
}

// ValidCredentials returns the passport's credentials that are neither
// revoked nor expired at now, newest first.
func (s *Store) ValidCredentials(ctx context.Context, passportID string, now time.Time) ([]models.Credential, error) {
	var out []models.Credential
	err := s.db.WithContext(ctx).
		Where("passport_id = ? AND revoked_at IS NULL AND (valid_until IS NULL OR valid_until > ?)", passportID, now.UTC()).
		Order("issued_at DESC").Find(&out).Error
	return out, translate(err, "valid credentials")
}

// RecordTransfer stores the consent and the shares of a transfer and links
// the passport to the receiving trust, all at once; repeating it changes
// nothing.
func (s *Store) RecordTransfer(ctx context.Context, consent models.Consent, shares []models.Share, receiver string) error {
	return s.Tx(ctx, func(tx *Store) error {
		if err := tx.db.Clauses(clause.OnConflict{DoNothing: true}).Create(&consent).Error; err != nil {
			return translate(err, "record consent")
		}
		if err := tx.db.Clauses(clause.OnConflict{DoNothing: true}).Create(&shares).Error; err != nil {
			return translate(err, "record shares")
		}
		return tx.LinkPassport(ctx, consent.PassportID, receiver)
	})
}

// notificationFrom is the status each status may be set from: forward
// only, and failed back to queued when a person retries the delivery.
var notificationFrom = map[string][]string{
	models.NotificationSent:   {models.NotificationQueued, models.NotificationFailed},
	models.NotificationFailed: {models.NotificationQueued},
	models.NotificationQueued: {models.NotificationFailed},
}

// SetNotificationStatus records how a notification's delivery ended (or, to
// queued, that a person sent it again); a change the status may not make
// (sent back to queued, say) changes nothing. Keys that are not a move's
// notification (sign-in links) match no row.
func (s *Store) SetNotificationStatus(ctx context.Context, id, status, reason string) error {
	if utf8.RuneCountInString(reason) > 500 {
		reason = string([]rune(reason)[:500])
	}
	now := time.Now().UTC()
	set := map[string]any{"status": status, "error": reason, "updated_at": now}
	switch status {
	case models.NotificationSent:
		set["sent_at"], set["sealed"], set["failing_since"] = now, nil, nil
	case models.NotificationQueued:
		set["failing_since"] = nil
	}
	err := s.db.WithContext(ctx).Model(&models.Notification{}).Where("id = ? AND status IN ?", id, notificationFrom[status]).
		Updates(set).Error
	return translate(err, "notification status")
}

// NotificationAttemptFailed records a failed attempt of a delivery that
// will be tried again: its error, and since when it has been failing.
func (s *Store) NotificationAttemptFailed(ctx context.Context, id, reason string, at time.Time) error {
	if utf8.RuneCountInString(reason) > 500 {
		reason = string([]rune(reason)[:500])
	}
	err := s.db.WithContext(ctx).Model(&models.Notification{}).Where("id = ? AND status = ?", id, models.NotificationQueued).
		Updates(map[string]any{"error": reason, "failing_since": gorm.Expr("COALESCE(failing_since, ?)", at.UTC())}).Error
	return translate(err, "notification attempt")
}

// TouchNotification marks a queued notification looked at now, so the
// sweeper leaves it for another while.
func (s *Store) TouchNotification(ctx context.Context, id string, at time.Time) error {
	err := s.db.WithContext(ctx).Model(&models.Notification{}).Where("id = ? AND status = ?", id, models.NotificationQueued).
		Update("updated_at", at.UTC()).Error
	return translate(err, "touch notification")
}

// DeleteMove removes a move whose workflow never started.
func (s *Store) DeleteMove(ctx context.Context, id string) error {
	return s.Tx(ctx, func(tx *Store) error {
		var m models.Move
		if err := tx.forUpdate(tx.db).Limit(1).Find(&m, "id = ?", id).Error; err != nil || m.ID == "" {
			return translate(err, "delete move")
		}
		if err := tx.db.Delete(&models.Move{}, "id = ?", id).Error; err != nil {
			return translate(err, "delete move")
		}
		return tx.countChange(ctx, m, models.Move{})
	})
}
