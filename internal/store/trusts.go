package store

import (
	"context"
	"time"

	"gorm.io/gorm/clause"

	"github.com/nhs-staff-passport/passport/models"
)

// SaveTrust inserts a trust or updates the one with the same ODS code.
func (s *Store) SaveTrust(ctx context.Context, t *models.Trust) error {
	if err := t.Validate(); err != nil {
		return err
	}
	err := s.db.WithContext(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "ods_code"}},
		DoUpdates: clause.AssignmentColumns([]string{"name", "region", "contact_email", "registered", "registered_at", "updated_at"}),
	}).Create(t).Error
	return translate(err, "save trust")
}

// Trust returns the trust with the ODS code, or an error wrapping
// models.ErrNotFound.
func (s *Store) Trust(ctx context.Context, ods string) (models.Trust, error) {
	var t models.Trust
	err := s.db.WithContext(ctx).First(&t, "ods_code = ?", ods).Error
	return t, translate(err, "trust "+ods)
}

// Trusts returns every trust ordered by ODS code.
func (s *Store) Trusts(ctx context.Context) ([]models.Trust, error) {
	var ts []models.Trust
	err := s.db.WithContext(ctx).Order("ods_code").Find(&ts).Error
	return ts, translate(err, "list trusts")
}

// SaveAlsoTell sets the addresses told of a trust's moves besides its own
// (comma-separated, checked by models.CheckAlsoTell).
func (s *Store) SaveAlsoTell(ctx context.Context, ods, addrs string) error {
	err := s.db.WithContext(ctx).Model(&models.Trust{}).Where("ods_code = ?", ods).Update("also_tell", addrs).Error
	return translate(err, "save also tell")
}

// SaveMovePolicy sets a trust's move policy.
func (s *Store) SaveMovePolicy(ctx context.Context, ods string, p models.MovePolicy, skipRecordRequests bool) error {
	if err := p.Validate(); err != nil {
		return err
	}
	res := s.db.WithContext(ctx).Model(&models.Trust{}).Where("ods_code = ?", ods).Updates(map[string]any{
		"policy_reminder_interval": p.ReminderInterval, "policy_max_reminders": p.MaxReminders, "policy_deadline": p.Deadline,
		"skip_record_requests": skipRecordRequests,
	})
	if res.Error != nil {
		return translate(res.Error, "save move policy")
	}
	if res.RowsAffected == 0 {
		return translate(errNotFound, "trust "+ods)
	}
	return nil
}

// RegisterTrust adds a trust to the service; one registered already wraps
// models.ErrConflict.
func (s *Store) RegisterTrust(ctx context.Context, t *models.Trust) error {
	if err := t.Validate(); err != nil {
		return err
	}
	t.Registered = true
	if t.Policy.ReminderInterval == 0 {
		t.Policy = models.DefaultMovePolicy()
	}
	return translate(s.db.WithContext(ctx).Create(t).Error, "register trust "+t.ODSCode)
}

// RegisteredTrusts returns the trusts taking part (registered and not
// suspended), by name.
func (s *Store) RegisteredTrusts(ctx context.Context) ([]models.Trust, error) {
	var ts []models.Trust
	err := s.db.WithContext(ctx).Where("registered AND suspended_at IS NULL").Order("name").Find(&ts).Error
	return ts, translate(err, "registered trusts")
}

// SetSuspended suspends (at set) or reinstates (at nil) a registered trust.
func (s *Store) SetSuspended(ctx context.Context, ods string, at *time.Time) error {
	res := s.db.WithContext(ctx).Model(&models.Trust{}).Where("ods_code = ? AND registered", ods).Update("suspended_at", at)
	if res.Error != nil {
		return translate(res.Error, "suspend trust")
	}
	if res.RowsAffected == 0 {
		return translate(errNotFound, "trust "+ods)
	}
	return nil
}
