package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/nhs-staff-passport/passport/internal/vc"
	"github.com/nhs-staff-passport/passport/models"
)

// ActiveSigningKey returns the key a trust signs with now.
func (s *Store) ActiveSigningKey(ctx context.Context, trust string) (models.SigningKey, error) {
	var k models.SigningKey
	err := s.db.WithContext(ctx).Where("trust_ods = ? AND retired_at IS NULL", trust).Order("created_at DESC").First(&k).Error
	return k, translate(err, "signing key of "+trust)
}

// AddSigningKey makes k the trust's key in use and retires the one before,
// which stays published for what it signed.
func (s *Store) AddSigningKey(ctx context.Context, k *models.SigningKey) error {
	return s.Tx(ctx, func(tx *Store) error {
		if err := tx.db.Model(&models.SigningKey{}).Where("trust_ods = ? AND retired_at IS NULL", k.TrustODS).
			Update("retired_at", k.CreatedAt).Error; err != nil {
			return translate(err, "retire signing key")
		}
		return translate(tx.db.Create(k).Error, "add signing key")
	})
}

// SigningKeys returns every key of a trust, newest first, retired or not.
func (s *Store) SigningKeys(ctx context.Context, trust string) ([]models.SigningKey, error) {
	var ks []models.SigningKey
	err := s.db.WithContext(ctx).Where("trust_ods = ?", trust).Order("created_at DESC").Find(&ks).Error
	return ks, translate(err, "signing keys")
}

// PublicKey finds a key by ID for verification (vc.Keys).
func (s *Store) PublicKey(ctx context.Context, kid string) ([]byte, string, error) {
	var k models.SigningKey
	err := s.db.WithContext(ctx).Select("public_key", "trust_ods").First(&k, "kid = ?", kid).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, "", vc.ErrUnknownKey
	}
	if err != nil {
		return nil, "", translate(err, "public key")
	}
	return k.PublicKey, k.TrustODS, nil
}

const revocation = "revocation"

// AllocateStatusIndex returns the next free index in the trust's revocation
// list, making the list on first use. Indexes are never reused.
func (s *Store) AllocateStatusIndex(ctx context.Context, trust string) (int, error) {
	db := s.db.WithContext(ctx)
	next := func() (int, error) {
		var n []int
		err := db.Raw("UPDATE status_lists SET next_index = next_index + 1 WHERE trust_ods = ? AND purpose = ? RETURNING next_index",
			trust, revocation).Scan(&n).Error
		if err != nil || len(n) == 0 {
			return 0, translate(err, "allocate status index")
		}
		return n[0], nil
	}
	n, err := next()
	if err != nil {
		return 0, err
	}
	if n == 0 { // the trust's first credential: make its list
		list := models.StatusList{TrustODS: trust, Purpose: revocation, Bits: vc.NewBitstring(), UpdatedAt: time.Now()}
		if err := db.Clauses(clause.OnConflict{DoNothing: true}).Create(&list).Error; err != nil {
			return 0, translate(err, "create status list")
		}
		if n, err = next(); err != nil {
			return 0, err
		}
	}
	if n > vc.StatusListBits {
		return 0, fmt.Errorf("store: the revocation list of %s is full", trust)
	}
	return n - 1, nil
}

// SetRevokedBit sets a credential's bit in its issuer's revocation list.
func (s *Store) SetRevokedBit(ctx context.Context, trust string, index int) error {
	return s.Tx(ctx, func(tx *Store) error {
		var list models.StatusList
		if err := tx.forUpdate(tx.db).First(&list, "trust_ods = ? AND purpose = ?", trust, revocation).Error; err != nil {
			return translate(err, "status list")
		}
		if err := vc.SetBit(list.Bits, index); err != nil {
			return err
		}
		return translate(tx.db.Model(&list).Where("trust_ods = ? AND purpose = ?", trust, revocation).
			Updates(map[string]any{"bits": list.Bits, "updated_at": time.Now().UTC()}).Error, "update status list")
	})
}

// RevocationList returns a trust's revocation bitstring (vc.StatusLists);
// a trust that never issued has an empty one.
func (s *Store) RevocationList(ctx context.Context, trust string) ([]byte, error) {
	var list models.StatusList
	err := s.db.WithContext(ctx).First(&list, "trust_ods = ? AND purpose = ?", trust, revocation).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return vc.NewBitstring(), nil
	}
	return list.Bits, translate(err, "status list")
}

// Registered says whether a trust takes part now (vc.Registry).
func (s *Store) Registered(ctx context.Context, ods string) (bool, error) {
	var n int64
	err := s.db.WithContext(ctx).Model(&models.Trust{}).Where("ods_code = ? AND registered", ods).Count(&n).Error
	return n > 0, translate(err, "trust registered")
}
