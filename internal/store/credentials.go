package store

import (
	"context"
	"time"

	"github.com/nhs-staff-passport/passport/models"
)

// CreateCredential stores a newly signed credential.
func (s *Store) CreateCredential(ctx context.Context, c *models.Credential) error {
	return translate(s.db.WithContext(ctx).Create(c).Error, "create credential")
}

// Credential returns one credential, or an error wrapping models.ErrNotFound.
func (s *Store) Credential(ctx context.Context, id string) (models.Credential, error) {
	var c models.Credential
	err := s.db.WithContext(ctx).First(&c, "id = ?", id).Error
	return c, translate(err, "credential")
}

// MarkCredentialRevoked records a revocation; a credential already revoked
// is left as it was and the call fails with models.ErrConflict.
func (s *Store) MarkCredentialRevoked(ctx context.Context, id, reason string, at time.Time) error {
	res := s.db.WithContext(ctx).Model(&models.Credential{}).
		Where("id = ? AND revoked_at IS NULL", id).
		Updates(map[string]any{"revoked_at": at.UTC(), "revocation_reason": reason})
	if res.Error != nil {
		return translate(res.Error, "revoke credential")
	}
	if res.RowsAffected == 0 {
		return translate(errConflict, "credential already revoked")
	}
	return nil
}
