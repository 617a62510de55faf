package store

import (
	"context"
	"errors"
	"math/rand/v2"
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

// AllocateStatusIndexes hands out n places in the trust's revocation
// lists, each at a random free index of the list in use (so a credential's
// index says nothing of when it was issued), opening the next list when
// one fills. Indexes are never reused.
func (s *Store) AllocateStatusIndexes(ctx context.Context, trust string, n int) ([]models.StatusRef, error) {
	var out []models.StatusRef
	err := s.Tx(ctx, func(tx *Store) error {
		out = out[:0]
		var list models.RevocationList
		err := tx.forUpdate(tx.db).Where("trust_ods = ?", trust).Order("number DESC").First(&list).Error
		switch {
		case errors.Is(err, gorm.ErrRecordNotFound):
			list = newRevocationList(trust, 0)
		case err != nil:
			return translate(err, "revocation list")
		}
		cur := &list
		changed := []*models.RevocationList{cur}
		for range n {
			if cur.Count >= vc.StatusListBits {
				next := newRevocationList(trust, cur.Number+1)
				cur = &next
				changed = append(changed, cur)
			}
			i := freeIndex(cur.Used)
			_ = vc.SetBit(cur.Used, i)
			cur.Count++
			out = append(out, models.StatusRef{List: cur.Number, Index: i})
		}
		now := time.Now().UTC()
		for _, l := range changed {
			l.UpdatedAt = now
			if err := tx.db.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "trust_ods"}, {Name: "number"}},
				DoUpdates: clause.AssignmentColumns([]string{"used", "count", "updated_at"})}).Create(l).Error; err != nil {
				return translate(err, "save revocation list")
			}
		}
		return nil
	})
	return out, err
}

func newRevocationList(trust string, number int) models.RevocationList {
	return models.RevocationList{TrustODS: trust, Number: number, Bits: vc.NewBitstring(), Used: vc.NewBitstring()}
}

// freeIndex picks an unused index at random: a few random tries, then the
// first free one after a random place (a list nearly full).
func freeIndex(used []byte) int {
	for range 32 {
		i := rand.IntN(vc.StatusListBits)
		if set, _ := vc.Bit(used, i); !set {
			return i
		}
	}
	start := rand.IntN(vc.StatusListBits)
	for k := range vc.StatusListBits {
		i := (start + k) % vc.StatusListBits
		if set, _ := vc.Bit(used, i); !set {
			return i
		}
	}
	panic("store: freeIndex on a full list") // callers open a new list first
}

// SetRevokedBit sets a credential's bit in its issuer's revocation list.
func (s *Store) SetRevokedBit(ctx context.Context, trust string, ref models.StatusRef) error {
	return s.Tx(ctx, func(tx *Store) error {
		var list models.RevocationList
		if err := tx.forUpdate(tx.db).First(&list, "trust_ods = ? AND number = ?", trust, ref.List).Error; err != nil {
			return translate(err, "revocation list")
		}
		if err := vc.SetBit(list.Bits, ref.Index); err != nil {
			return err
		}
		return translate(tx.db.Model(&list).Where("trust_ods = ? AND number = ?", trust, ref.List).
			Updates(map[string]any{"bits": list.Bits, "updated_at": time.Now().UTC()}).Error, "update revocation list")
	})
}

// RevocationList returns one of a trust's revocation bitstrings
// (vc.StatusLists); a list not opened yet is empty, and a list beyond the
// next one does not exist (models.ErrNotFound).
func (s *Store) RevocationList(ctx context.Context, trust string, number int) ([]byte, error) {
	var list models.RevocationList
	err := s.db.WithContext(ctx).First(&list, "trust_ods = ? AND number = ?", trust, number).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		if number == 0 {
			return vc.NewBitstring(), nil
		}
		return nil, translate(errNotFound, "revocation list")
	}
	return list.Bits, translate(err, "revocation list")
}

// RevocationListCount is how many revocation lists a trust has opened.
func (s *Store) RevocationListCount(ctx context.Context, trust string) (int, error) {
	var n int64
	err := s.db.WithContext(ctx).Model(&models.RevocationList{}).Where("trust_ods = ?", trust).Count(&n).Error
	return int(n), translate(err, "revocation lists")
}

// carryOverStatusLists copies the lists of the table before several lists
// per trust (status_lists) into revocation_lists, once: the indexes it
// had handed out (0 to next_index) are marked used, its bits kept.
func (s *Store) carryOverStatusLists(ctx context.Context) error {
	if !s.db.Migrator().HasTable(&models.StatusList{}) {
		return nil
	}
	var old []models.StatusList
	if err := s.db.WithContext(ctx).Where("purpose = ?", revocation).Find(&old).Error; err != nil {
		return translate(err, "old status lists")
	}
	for _, o := range old {
		used := vc.NewBitstring()
		for i := 0; i < o.NextIndex && i < vc.StatusListBits; i++ {
			_ = vc.SetBit(used, i)
		}
		l := models.RevocationList{TrustODS: o.TrustODS, Number: 0, Bits: o.Bits, Used: used, Count: o.NextIndex, UpdatedAt: time.Now().UTC()}
		if err := s.db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&l).Error; err != nil {
			return translate(err, "carry over status list")
		}
	}
	return nil
}

// Registered says whether a trust takes part now (vc.Registry).
func (s *Store) Registered(ctx context.Context, ods string) (bool, error) {
	var n int64
	err := s.db.WithContext(ctx).Model(&models.Trust{}).Where("ods_code = ? AND registered", ods).Count(&n).Error
	return n > 0, translate(err, "trust registered")
}
