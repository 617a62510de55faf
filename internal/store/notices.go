package store

import (
	"context"
	"time"

	"gorm.io/gorm/clause"

	"github.com/nhs-staff-passport/passport/models"
)

// HeldCredential is a credential with its holder's name and address.
type HeldCredential struct {
	models.Credential
	Email      string
	GivenName  string
	FamilyName string
}

// CredentialsEnding returns the credentials not revoked whose validity
// ends after from and no later than to, with their holders, soonest first.
func (s *Store) CredentialsEnding(ctx context.Context, from, to time.Time) ([]HeldCredential, error) {
	var out []HeldCredential
	err := s.db.WithContext(ctx).Table("credentials").
		Select("credentials.*, passports.email, passports.given_name, passports.family_name").
		Joins("JOIN passports ON passports.id = credentials.passport_id").
		Where("credentials.valid_until > ? AND credentials.valid_until <= ? AND credentials.revoked_at IS NULL", from.UTC(), to.UTC()).
		Order("credentials.valid_until").Scan(&out).Error
	return out, translate(err, "credentials ending")
}

// CredentialsRevokedSince returns the credentials revoked after since,
// with their holders.
func (s *Store) CredentialsRevokedSince(ctx context.Context, since time.Time) ([]HeldCredential, error) {
	var out []HeldCredential
	err := s.db.WithContext(ctx).Table("credentials").
		Select("credentials.*, passports.email, passports.given_name, passports.family_name").
		Joins("JOIN passports ON passports.id = credentials.passport_id").
		Where("credentials.revoked_at > ?", since.UTC()).Scan(&out).Error
	return out, translate(err, "credentials revoked")
}

// HeldCredentialByID returns one credential with its holder.
func (s *Store) HeldCredentialByID(ctx context.Context, id string) (HeldCredential, error) {
	var out []HeldCredential
	err := s.db.WithContext(ctx).Table("credentials").
		Select("credentials.*, passports.email, passports.given_name, passports.family_name").
		Joins("JOIN passports ON passports.id = credentials.passport_id").
		Where("credentials.id = ?", id).Scan(&out).Error
	if err == nil && len(out) == 0 {
		err = errNotFound
	}
	if err != nil {
		return HeldCredential{}, translate(err, "credential")
	}
	return out[0], nil
}

// CredentialNotices returns the notices sent about the credentials, by
// credential.
func (s *Store) CredentialNotices(ctx context.Context, ids []string) (map[string][]string, error) {
	out := map[string][]string{}
	err := eachChunk(ids, func(part []string) error {
		var ns []models.CredentialNotice
		if err := s.db.WithContext(ctx).Where("credential_id IN ?", part).Find(&ns).Error; err != nil {
			return translate(err, "credential notices")
		}
		for _, n := range ns {
			out[n.CredentialID] = append(out[n.CredentialID], n.Kind)
		}
		return nil
	})
	return out, err
}

// SaveCredentialNotices records notices as sent; one recorded before is
// left as it was.
func (s *Store) SaveCredentialNotices(ctx context.Context, ns []models.CredentialNotice) error {
	return eachChunk(ns, func(part []models.CredentialNotice) error {
		return translate(s.db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&part).Error, "save credential notices")
	})
}
