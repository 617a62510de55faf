package store

import (
	"context"
	"time"

	"gorm.io/gorm/clause"

	"github.com/nhs-staff-passport/passport/models"
)

// chunk is how many rows one statement carries in bulk work (well under
// PostgreSQL's 65,535 parameters and SQLite's 32,766).
const chunk = 500

// eachChunk calls fn with successive slices of at most chunk items.
func eachChunk[T any](items []T, fn func([]T) error) error {
	for len(items) > 0 {
		n := min(chunk, len(items))
		if err := fn(items[:n]); err != nil {
			return err
		}
		items = items[n:]
	}
	return nil
}

// PassportsByEmail returns the passports with the given (normalised)
// addresses, by address.
func (s *Store) PassportsByEmail(ctx context.Context, emails []string) (map[string]models.Passport, error) {
	out := map[string]models.Passport{}
	err := eachChunk(emails, func(part []string) error {
		var ps []models.Passport
		if err := s.db.WithContext(ctx).Where("email IN ?", part).Find(&ps).Error; err != nil {
			return translate(err, "passports by email")
		}
		for _, p := range ps {
			out[p.Email] = p
		}
		return nil
	})
	return out, err
}

// PassportsByIdentityRef returns the passports with the given verified
// identity references, by reference.
func (s *Store) PassportsByIdentityRef(ctx context.Context, refs []string) (map[string]models.Passport, error) {
	out := map[string]models.Passport{}
	err := eachChunk(refs, func(part []string) error {
		var ps []models.Passport
		if err := s.db.WithContext(ctx).Where("identity_ref IN ?", part).Find(&ps).Error; err != nil {
			return translate(err, "passports by identity")
		}
		for _, p := range ps {
			out[*p.IdentityRef] = p
		}
		return nil
	})
	return out, err
}

// CreatePassports makes the passports that do not exist yet (by email
// address) and returns every one of the addresses' passports, by address.
func (s *Store) CreatePassports(ctx context.Context, ps []models.Passport) (map[string]models.Passport, error) {
	err := eachChunk(ps, func(part []models.Passport) error {
		return translate(s.db.WithContext(ctx).Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "email"}}, DoNothing: true}).
			Create(&part).Error, "create passports")
	})
	if err != nil {
		return nil, err
	}
	emails := make([]string, len(ps))
	for i, p := range ps {
		emails[i] = p.Email
	}
	return s.PassportsByEmail(ctx, emails)
}

// LinkPassports records that the trust deals with each passport.
func (s *Store) LinkPassports(ctx context.Context, passportIDs []string, trust string) error {
	now := time.Now().UTC()
	links := make([]models.PassportLink, len(passportIDs))
	for i, id := range passportIDs {
		links[i] = models.PassportLink{PassportID: id, TrustODS: trust, CreatedAt: now}
	}
	return eachChunk(links, func(part []models.PassportLink) error {
		return translate(s.db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&part).Error, "link passports")
	})
}

// LinkedPassports returns which of the passports the trust deals with.
func (s *Store) LinkedPassports(ctx context.Context, trust string, passportIDs []string) (map[string]bool, error) {
	out := map[string]bool{}
	err := eachChunk(passportIDs, func(part []string) error {
		var found []string
		if err := s.db.WithContext(ctx).Model(&models.PassportLink{}).Where("trust_ods = ? AND passport_id IN ?", trust, part).
			Pluck("passport_id", &found).Error; err != nil {
			return translate(err, "linked passports")
		}
		for _, id := range found {
			out[id] = true
		}
		return nil
	})
	return out, err
}

// ExistingCredentials returns which of the given credential IDs exist.
func (s *Store) ExistingCredentials(ctx context.Context, ids []string) (map[string]bool, error) {
	out := map[string]bool{}
	err := eachChunk(ids, func(part []string) error {
		var found []string
		if err := s.db.WithContext(ctx).Model(&models.Credential{}).Where("id IN ?", part).Pluck("id", &found).Error; err != nil {
			return translate(err, "existing credentials")
		}
		for _, id := range found {
			out[id] = true
		}
		return nil
	})
	return out, err
}

// CreateCredentials stores newly signed credentials; one that exists
// already (the same import run twice at once) is left as it is.
func (s *Store) CreateCredentials(ctx context.Context, cs []models.Credential) error {
	return eachChunk(cs, func(part []models.Credential) error {
		return translate(s.db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&part).Error, "create credentials")
	})
}

// AuditMany appends events to the audit trail.
func (s *Store) AuditMany(ctx context.Context, evs []models.AuditEvent) error {
	return eachChunk(evs, func(part []models.AuditEvent) error {
		return translate(s.db.WithContext(ctx).Create(&part).Error, "audit")
	})
}

// SaveCredentialImport keeps an import's results.
func (s *Store) SaveCredentialImport(ctx context.Context, imp *models.CredentialImport) error {
	return translate(s.db.WithContext(ctx).Create(imp).Error, "save import")
}

// CredentialImport returns one of a trust's imports, or an error wrapping
// models.ErrNotFound.
func (s *Store) CredentialImport(ctx context.Context, trust, id string) (models.CredentialImport, error) {
	var imp models.CredentialImport
	err := s.db.WithContext(ctx).First(&imp, "id = ? AND trust_ods = ?", id, trust).Error
	return imp, translate(err, "import")
}

// CredentialImports returns a trust's latest imports, newest first,
// without their failed rows.
func (s *Store) CredentialImports(ctx context.Context, trust string, limit int) ([]models.CredentialImport, error) {
	var out []models.CredentialImport
	err := s.db.WithContext(ctx).Omit("failures").Where("trust_ods = ?", trust).Order("created_at DESC").Limit(limit).Find(&out).Error
	return out, translate(err, "imports")
}

// TrainingNames returns the names a trust has mapped to CSTF subjects.
func (s *Store) TrainingNames(ctx context.Context, trust string) ([]models.TrainingName, error) {
	var out []models.TrainingName
	err := s.db.WithContext(ctx).Where("trust_ods = ?", trust).Order("name").Find(&out).Error
	return out, translate(err, "training names")
}

// SaveTrainingNames replaces a trust's training names.
func (s *Store) SaveTrainingNames(ctx context.Context, trust string, names []models.TrainingName) error {
	return s.Tx(ctx, func(tx *Store) error {
		if err := tx.db.Where("trust_ods = ?", trust).Delete(&models.TrainingName{}).Error; err != nil {
			return translate(err, "clear training names")
		}
		if len(names) == 0 {
			return nil
		}
		return translate(tx.db.Create(&names).Error, "save training names")
	})
}

// MovesAtRecordsFor returns the active moves of any of the passports that
// wait on the sending trust at the records step.
func (s *Store) MovesAtRecordsFor(ctx context.Context, passportIDs []string, sendingTrust string) ([]models.Move, error) {
	var out []models.Move
	err := eachChunk(passportIDs, func(part []string) error {
		var mvs []models.Move
		err := s.db.WithContext(ctx).Where("passport_id IN ? AND sending_ods = ? AND status = ? AND stage = ? AND waiting_on = ?",
			part, sendingTrust, models.MoveActive, models.StepRecords, models.WaitingSendingTrust).Find(&mvs).Error
		out = append(out, mvs...)
		return translate(err, "moves at records")
	})
	return out, err
}
