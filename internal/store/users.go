package store

import (
	"context"
	"time"

	"github.com/nhs-staff-passport/passport/models"
)

// CreateUser stores a new person; an email address already in use wraps
// models.ErrConflict.
func (s *Store) CreateUser(ctx context.Context, u *models.User) error {
	return translate(s.db.WithContext(ctx).Create(u).Error, "create user")
}

// SaveUser creates or updates a user by ID (for seeding).
func (s *Store) SaveUser(ctx context.Context, u *models.User) error {
	return translate(s.db.WithContext(ctx).Save(u).Error, "save user")
}

// UserByEmail returns the person with the address, or an error wrapping
// models.ErrNotFound.
func (s *Store) UserByEmail(ctx context.Context, email string) (models.User, error) {
	var u models.User
	err := s.db.WithContext(ctx).First(&u, "email = ?", email).Error
	return u, translate(err, "user")
}

// User returns the person with the ID, or an error wrapping
// models.ErrNotFound.
func (s *Store) User(ctx context.Context, id string) (models.User, error) {
	var u models.User
	err := s.db.WithContext(ctx).First(&u, "id = ?", id).Error
	return u, translate(err, "user")
}

// Users returns a trust's people (every trust's when trust is ""), by
// name.
func (s *Store) Users(ctx context.Context, trust string) ([]models.User, error) {
	var out []models.User
	q := s.db.WithContext(ctx)
	if trust != "" {
		q = q.Where("trust_ods = ?", trust)
	}
	err := q.Order("name, id").Find(&out).Error
	return out, translate(err, "list users")
}

// DisableUser stops a person of the trust signing in and ends their
// sessions, when their role is one the caller's reaches; anyone else is
// not found.
func (s *Store) DisableUser(ctx context.Context, caller models.Role, trust, id string, at time.Time) error {
	var reachable []models.Role
	for _, r := range models.Roles() {
		if caller.Reaches(r) {
			reachable = append(reachable, r)
		}
	}
	return s.Tx(ctx, func(tx *Store) error {
		res := tx.db.Model(&models.User{}).Where("id = ? AND trust_ods = ? AND role IN ? AND disabled_at IS NULL", id, trust, reachable).
			Update("disabled_at", at.UTC())
		if res.Error != nil {
			return translate(res.Error, "disable user")
		}
		if res.RowsAffected == 0 {
			return translate(errNotFound, "user "+id)
		}
		return translate(tx.db.Where("user_id = ?", id).Delete(&models.Session{}).Error, "end sessions")
	})
}

// CreateSignInToken stores a sign-in link's hash.
func (s *Store) CreateSignInToken(ctx context.Context, t *models.SignInToken) error {
	return translate(s.db.WithContext(ctx).Create(t).Error, "create sign-in token")
}

// UseSignInToken marks a sign-in token used and returns it, if it is
// unused and unexpired at now; otherwise an error wrapping
// models.ErrNotFound. Of two uses at once, one wins.
func (s *Store) UseSignInToken(ctx context.Context, id string, now time.Time) (models.SignInToken, error) {
	var t models.SignInToken
	err := s.Tx(ctx, func(tx *Store) error {
		res := tx.db.Model(&models.SignInToken{}).Where("id = ? AND used_at IS NULL AND expires_at > ?", id, now.UTC()).Update("used_at", now.UTC())
		if res.Error != nil {
			return translate(res.Error, "use sign-in token")
		}
		if res.RowsAffected == 0 {
			return translate(errNotFound, "sign-in token")
		}
		return translate(tx.db.First(&t, "id = ?", id).Error, "sign-in token")
	})
	return t, err
}

// SignInToken returns a token without using it.
func (s *Store) SignInToken(ctx context.Context, id string) (models.SignInToken, error) {
	var t models.SignInToken
	err := s.db.WithContext(ctx).First(&t, "id = ?", id).Error
	return t, translate(err, "sign-in token")
}

// CreateSession stores a new session and records the sign-in.
func (s *Store) CreateSession(ctx context.Context, sess *models.Session) error {
	return s.Tx(ctx, func(tx *Store) error {
		if err := tx.db.Create(sess).Error; err != nil {
			return translate(err, "create session")
		}
		return translate(tx.db.Model(&models.User{}).Where("id = ?", sess.UserID).Update("last_sign_in_at", sess.CreatedAt).Error, "record sign-in")
	})
}

// SessionUser returns a session and its person, or an error wrapping
// models.ErrNotFound.
func (s *Store) SessionUser(ctx context.Context, id string) (models.Session, models.User, error) {
	var sess models.Session
	var u models.User
	if err := s.db.WithContext(ctx).First(&sess, "id = ?", id).Error; err != nil {
		return sess, u, translate(err, "session")
	}
	err := s.db.WithContext(ctx).First(&u, "id = ?", sess.UserID).Error
	return sess, u, translate(err, "user")
}

// TouchSession records that a session was used at t.
func (s *Store) TouchSession(ctx context.Context, id string, t time.Time) error {
	return translate(s.db.WithContext(ctx).Model(&models.Session{}).Where("id = ?", id).Update("last_seen_at", t.UTC()).Error, "touch session")
}

// DeleteSession ends a session.
func (s *Store) DeleteSession(ctx context.Context, id string) error {
	return translate(s.db.WithContext(ctx).Where("id = ?", id).Delete(&models.Session{}).Error, "end session")
}

// DeleteExpiredSessions removes sessions and sign-in tokens past their
// end, returning how many sessions went.
func (s *Store) DeleteExpiredSessions(ctx context.Context, idleBefore, now time.Time) (int64, error) {
	res := s.db.WithContext(ctx).Where("expires_at < ? OR last_seen_at < ?", now.UTC(), idleBefore.UTC()).Delete(&models.Session{})
	if res.Error != nil {
		return 0, translate(res.Error, "expire sessions")
	}
	err := s.db.WithContext(ctx).Where("expires_at < ?", now.UTC().Add(-24*time.Hour)).Delete(&models.SignInToken{}).Error
	return res.RowsAffected, translate(err, "expire sign-in tokens")
}

// RotationUpload returns a trust's upload, or an error wrapping
// models.ErrNotFound (also for another trust's).
func (s *Store) RotationUpload(ctx context.Context, trust, id string) (models.RotationUpload, error) {
	var u models.RotationUpload
	q := s.db.WithContext(ctx).Where("id = ?", id)
	if trust != "" {
		q = q.Where("trust_ods = ?", trust)
	}
	err := q.First(&u).Error
	return u, translate(err, "rotation upload")
}

// RotationUploads returns a trust's latest uploads, newest first.
func (s *Store) RotationUploads(ctx context.Context, trust string, limit int) ([]models.RotationUpload, error) {
	var out []models.RotationUpload
	err := selectUploads(s.db.WithContext(ctx)).Where("trust_ods = ?", trust).Order("created_at DESC").Limit(limit).Find(&out).Error
	return out, translate(err, "list rotation uploads")
}
