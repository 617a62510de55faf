package store

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/nhs-staff-passport/passport/internal/apikey"
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

// APIKeys returns the keys of a trust (the operators' keys for ""), newest
// first.
func (s *Store) APIKeys(ctx context.Context, trustODS string) ([]models.APIKey, error) {
	var ks []models.APIKey
	q := s.db.WithContext(ctx).Where("trust_ods = ?", trustODS)
	if trustODS == "" {
		q = q.Where("role = ?", models.RoleOperator)
	}
	err := q.Order("created_at DESC").Find(&ks).Error
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

// IssueAPIKey makes a key for a trust and role, stores its hash with an
// audit record, and returns the plain key, which is shown once and never
// again.
func (s *Store) IssueAPIKey(ctx context.Context, actor models.Actor, trust string, role models.Role, name string) (string, models.APIKey, error) {
	var v models.ValidationError
	if !role.Valid() {
		v.Add("role", "Choose hr, trust_admin or operator")
	} else if problem := models.AccountTrust(role, trust); problem != "" {
		v.Add("trust", problem)
	}
	if err := v.Err(); err != nil {
		return "", models.APIKey{}, err
	}
	k := apikey.New()
	rec := models.APIKey{ID: uuid.NewString(), Prefix: k.Prefix, SecretHash: k.Hash, TrustODS: trust, Role: role, Name: name}
	err := s.Audited(ctx, actor, "api_key.created", "trust", trust, map[string]any{"prefix": k.Prefix, "role": role, "name": name},
		func(tx *Store) error { return tx.CreateAPIKey(ctx, &rec) })
	return k.Plain, rec, err
}

// WithdrawAPIKey revokes a trust's key by its prefix, with an audit record.
func (s *Store) WithdrawAPIKey(ctx context.Context, actor models.Actor, trust, prefix string) (models.APIKey, error) {
	k, err := s.APIKeyByPrefix(ctx, prefix)
	if err != nil {
		return k, err
	}
	// A trust's people reach their own trust's keys of their role or
	// below; the command line (a system actor) reaches every key.
	if (trust != "" && k.TrustODS != trust) || (actor.Kind != models.ActorSystem && !actor.Role.Reaches(k.Role)) {
		return k, translate(errNotFound, "api key "+prefix)
	}
	return k, s.Audited(ctx, actor, "api_key.revoked", "trust", k.TrustODS, map[string]any{"prefix": k.Prefix},
		func(tx *Store) error { return tx.RevokeAPIKey(ctx, k.ID, time.Now()) })
}
