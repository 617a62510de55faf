package store

import (
	"context"
	"errors"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/nhs-staff-passport/passport/models"
)

// SaveChecklist sets a trust's own checklist for a staff group.
func (s *Store) SaveChecklist(ctx context.Context, c *models.Checklist) error {
	err := s.db.WithContext(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "trust_ods"}, {Name: "staff_group"}},
		DoUpdates: clause.AssignmentColumns([]string{"types", "updated_at"}),
	}).Create(c).Error
	return translate(err, "save checklist")
}

// RequiredCredentials returns what a trust asks of a staff group: its own
// list (own is true), or the default when it has none.
func (s *Store) RequiredCredentials(ctx context.Context, trust string, g models.StaffGroup) (types []models.CredentialType, own bool, err error) {
	var c models.Checklist
	err = s.db.WithContext(ctx).First(&c, "trust_ods = ? AND staff_group = ?", trust, g).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return models.DefaultChecklist(g), false, nil
	}
	if err != nil {
		return nil, false, translate(err, "checklist")
	}
	return c.CredentialTypes(), true, nil
}
