package store

import (
	"context"
	"time"

	"github.com/nhs-staff-passport/passport/models"
)

// CreateAPIKey stores a new key; a clash of prefix wraps models.ErrConflict.
func (s *Store) CreateAPIKey(ctx context.Context, k *models.APIKey) error {
	return translate(s.db.WithContext(ctx).Create(k).Error, "create api key")
}

// APIKeyByPrefix returns the key with the prefix, revoked or not, or an
// error wrapping models.ErrNotFound.
func (s *Store) APIKeyByPrefix(ctx context.Context, prefix string) (models.APIKey, error) {
	var k models.APIKey
	err := s.db.WithContext(ctx).First(&k, "prefix = ?", prefix).Error
	return k, translate(err, "api key")
}

// APIKeys returns the keys of a trust, newest first.
func (s *Store) APIKeys(ctx context.Context, trustODS string) ([]models.APIKey, error) {
	var ks []models.APIKey
	err := s.db.WithContext(ctx).Where("trust_ods = ?", trustODS).Order("created_at DESC").Find(&ks).Error
	return ks, translate(err, "list api keys")
}

// TouchAPIKey records that the key was used at t.
func (s *Store) TouchAPIKey(ctx context.Context, id string, t time.Time) error {
	err := s.db.WithContext(ctx).Model(&models.APIKey{}).Where("id = ?", id).Update("last_used_at", t.UTC()).Error
	return translate(err, "touch api key")
}

// RevokeAPIKey stops a key working from now on.
func (s *Store) RevokeAPIKey(ctx context.Context, id string, at time.Time) error {
	res := s.db.WithContext(ctx).Model(&models.APIKey{}).Where("id = ? AND revoked_at IS NULL", id).Update("revoked_at", at.UTC())
	if res.Error != nil {
		return translate(res.Error, "revoke api key")
	}
	if res.RowsAffected == 0 {
		return translate(errNotFound, "api key "+id)
	}
	return nil
}
