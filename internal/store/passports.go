package store

import (
	"context"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm/clause"

	"github.com/nhs-staff-passport/passport/models"
)

// FindOrCreatePassport returns the passport with the (normalised) email
// address, making it from d when there is none. created says which.
func (s *Store) FindOrCreatePassport(ctx context.Context, d models.StaffDetails) (p models.Passport, created bool, err error) {
	if err := d.Validate("staff."); err != nil {
		return models.Passport{}, false, err
	}
	p = models.Passport{ID: uuid.NewString(), Email: d.Email, GivenName: d.GivenName, FamilyName: d.FamilyName}
	res := s.db.WithContext(ctx).Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "email"}}, DoNothing: true}).Create(&p)
	if res.Error != nil {
		return models.Passport{}, false, translate(res.Error, "create passport")
	}
	if res.RowsAffected == 1 {
		return p, true, nil
	}
	var existing models.Passport
	err = s.db.WithContext(ctx).First(&existing, "email = ?", d.Email).Error
	return existing, false, translate(err, "passport by email")
}

// ClaimPassport finds the person's passport by email address for a trust,
// making it when there is none. A passport the trust has no dealings with
// yet is the trust's to reach only when the details name its holder (see
// models.NotTheirName); field names in the refusal take prefix. It does
// not link the passport to the trust: the caller does, with its change.
func (s *Store) ClaimPassport(ctx context.Context, d models.StaffDetails, trust, prefix string) (models.Passport, bool, error) {
	p, created, err := s.FindOrCreatePassport(ctx, d)
	if err != nil || created || d.Names(p) {
		return p, created, err
	}
	linked, err := s.LinkedPassports(ctx, trust, []string{p.ID})
	if err != nil || linked[p.ID] {
		return p, false, err
	}
	var v models.ValidationError
	v.Add(prefix+"given_name", models.NotTheirName)
	return models.Passport{}, false, v.Err()
}

// PassportExists reports whether the passport exists, or an error
// wrapping models.ErrNotFound.
func (s *Store) PassportExists(ctx context.Context, id string) error {
	var n int64
	if err := s.db.WithContext(ctx).Model(&models.Passport{}).Where("id = ?", id).Count(&n).Error; err != nil {
		return translate(err, "passport")
	}
	if n == 0 {
		return translate(errNotFound, "passport "+id)
	}
	return nil
}

// passportRow is one row of the passport-with-credentials join.
type passportRow struct {
	PID         string
	PEmail      string
	PGivenName  string
	PFamilyName string
	PCreatedAt  time.Time
	models.Credential
}

// Passport returns a passport with every credential on it, in one query.
func (s *Store) Passport(ctx context.Context, id string) (models.Passport, error) {
	return s.passportWith(ctx, id, "")
}

// PassportForTrust returns a passport with only the credentials the trust
// may see: those it issued and those shared with it and not withdrawn.
func (s *Store) PassportForTrust(ctx context.Context, id, trust string) (models.Passport, error) {
	return s.passportWith(ctx, id, trust)
}

func (s *Store) passportWith(ctx context.Context, id, trust string) (models.Passport, error) {
	on := "c.passport_id = p.id"
	args := []any{}
	if trust != "" {
		on += " AND (c.issuer_ods = ? OR c.id IN (SELECT credential_id FROM shares WHERE receiver_ods = ? AND passport_id = p.id AND revoked_at IS NULL))"
		args = append(args, trust, trust)
	}
	args = append(args, id)
	var rows []passportRow
	err := s.db.WithContext(ctx).Raw(`
SELECT p.id AS p_id, p.email AS p_email, p.given_name AS p_given_name, p.family_name AS p_family_name,
       p.created_at AS p_created_at, c.*
FROM passports p LEFT JOIN credentials c ON `+on+`
WHERE p.id = ?
ORDER BY c.type, c.subject, c.issued_at`, args...).Scan(&rows).Error
	if err != nil {
		return models.Passport{}, translate(err, "passport")
	}
	if len(rows) == 0 {
		return models.Passport{}, translate(errNotFound, "passport "+id)
	}
	r := rows[0]
	p := models.Passport{ID: r.PID, Email: r.PEmail, GivenName: r.PGivenName, FamilyName: r.PFamilyName, CreatedAt: r.PCreatedAt}
	for _, row := range rows {
		if row.Credential.ID != "" {
			p.Credentials = append(p.Credentials, row.Credential)
		}
	}
	return p, nil
}

// LinkPassport records that the trust deals with the passport's holder.
func (s *Store) LinkPassport(ctx context.Context, passportID, trust string) error {
	l := models.PassportLink{PassportID: passportID, TrustODS: trust, CreatedAt: time.Now().UTC()}
	err := s.db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&l).Error
	return translate(err, "link passport")
}

// PassportLinked reports whether the trust deals with the passport's
// holder; when not, it returns an error wrapping models.ErrNotFound, so the
// passport's existence is not revealed.
func (s *Store) PassportLinked(ctx context.Context, passportID, trust string) error {
	var n int64
	err := s.db.WithContext(ctx).Model(&models.PassportLink{}).Where("passport_id = ? AND trust_ods = ?", passportID, trust).Count(&n).Error
	if err != nil {
		return translate(err, "passport link")
	}
	if n == 0 {
		return translate(errNotFound, "passport "+passportID)
	}
	return nil
}

// PassportOnly returns a passport without its credentials.
func (s *Store) PassportOnly(ctx context.Context, id string) (models.Passport, error) {
	var p models.Passport
	err := s.db.WithContext(ctx).First(&p, "id = ?", id).Error
	return p, translate(err, "passport "+id)
}

// SetIdentityRef records the passport's verified identity reference unless
// it has one; another passport holding the same reference wraps
// models.ErrConflict.
func (s *Store) SetIdentityRef(ctx context.Context, passportID, ref string) error {
	err := s.db.WithContext(ctx).Model(&models.Passport{}).
		Where("id = ? AND identity_ref IS NULL", passportID).Update("identity_ref", ref).Error
	return translate(err, "set identity reference")
}

// PassportByIdentityRef finds the passport with a verified identity
// reference, or an error wrapping models.ErrNotFound.
func (s *Store) PassportByIdentityRef(ctx context.Context, ref string) (models.Passport, error) {
	var p models.Passport
	err := s.db.WithContext(ctx).First(&p, "identity_ref = ?", ref).Error
	return p, translate(err, "passport by identity")
}

// PassportSearch finds the passports a trust deals with.
type PassportSearch struct {
	Trust string
	// Query matches a name or an email address (case-insensitive, any part).
	Query string
	// IdentityRefs match a professional registration, as keyed hashes of
	// each regulator's form of the number searched for.
	IdentityRefs []string
	// After is the last ID of the previous page (passports are listed by
	// family name, given name and ID).
	After *PassportPosition
	Limit int
}

// PassportPosition is a passport's place in the list order.
type PassportPosition struct {
	FamilyName, GivenName, ID string
}

// SearchPassports lists the passports linked to the trust that match, in
// order of family name.
func (s *Store) SearchPassports(ctx context.Context, f PassportSearch) ([]models.Passport, error) {
	q := s.db.WithContext(ctx).Table("passports").Select("passports.*").
		Joins("JOIN passport_links ON passport_links.passport_id = passports.id AND passport_links.trust_ods = ?", f.Trust)
	var match []string
	var args []any
	if t := strings.ToLower(strings.TrimSpace(f.Query)); t != "" {
		like := "%" + likeEscaper.Replace(t) + "%"
		match = append(match, "LOWER(passports.given_name || ' ' || passports.family_name) LIKE ? ESCAPE '\\'", "passports.email LIKE ? ESCAPE '\\'")
		args = append(args, like, like)
	}
	if len(f.IdentityRefs) > 0 {
		match = append(match, "passports.identity_ref IN ?")
		args = append(args, f.IdentityRefs)
	}
	if len(match) > 0 {
		q = q.Where("("+strings.Join(match, " OR ")+")", args...)
	}
	if a := f.After; a != nil {
		q = q.Where("(passports.family_name, passports.given_name, passports.id) > (?, ?, ?)", a.FamilyName, a.GivenName, a.ID)
	}
	var out []models.Passport
	err := q.Order("passports.family_name, passports.given_name, passports.id").Limit(f.Limit).Find(&out).Error
	return out, translate(err, "search passports")
}

// CredentialShares returns every share of the given credentials, oldest
// first.
func (s *Store) CredentialShares(ctx context.Context, credentialIDs []string) ([]models.Share, error) {
	var out []models.Share
	if len(credentialIDs) == 0 {
		return out, nil
	}
	err := s.db.WithContext(ctx).Where("credential_id IN ?", credentialIDs).Order("shared_at").Find(&out).Error
	return out, translate(err, "credential shares")
}

// PassportMoves returns the moves of a passport that the trust sends or
// receives, newest first.
func (s *Store) PassportMoves(ctx context.Context, passportID, trust string) ([]models.Move, error) {
	var out []models.Move
	err := s.db.WithContext(ctx).Where("passport_id = ? AND (sending_ods = ? OR receiving_ods = ?)", passportID, trust, trust).
		Order("created_at DESC").Limit(50).Find(&out).Error
	return out, translate(err, "passport moves")
}
