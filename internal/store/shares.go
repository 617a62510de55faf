package store

import (
	"context"

	"github.com/nhs-staff-passport/passport/models"
)

// CreateShare records one credential shared with a receiving trust.
func (s *Store) CreateShare(ctx context.Context, sh *models.Share) error {
	return translate(s.db.WithContext(ctx).Create(sh).Error, "create share")
}
