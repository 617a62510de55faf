// Package credentials issues, revokes and verifies the credentials on staff
// passports, and keeps each trust's signing keys. It is where the catalogue
// (package models), the signed format (package vc) and storage meet.
package credentials

import (
	"context"
	"crypto/ed25519"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/nhs-staff-passport/passport/internal/secretbox"
	"github.com/nhs-staff-passport/passport/internal/store"
	"github.com/nhs-staff-passport/passport/internal/vc"
	"github.com/nhs-staff-passport/passport/models"
)

// Service issues and checks credentials.
type Service struct {
	store     *store.Store
	box       *secretbox.Box
	refKey    []byte
	publicURL string
	now       func() time.Time
}

// New makes the service. secret is PASSPORT_SECRET_KEY decoded; publicURL
// names the issuers in every document signed.
func New(st *store.Store, secret []byte, publicURL string, now func() time.Time) (*Service, error) {
	box, err := secretbox.New(secret, "signing-keys/v1")
	if err != nil {
		return nil, err
	}
	if now == nil {
		now = time.Now
	}
	refKey, err := hkdf.Key(sha256.New, secret, nil, "staff-passport/identity-ref/v1", 32)
	if err != nil {
		return nil, err
	}
	return &Service{store: st, box: box, refKey: refKey, publicURL: strings.TrimRight(publicURL, "/"), now: now}, nil
}

// IssueInput is a credential to issue.
type IssueInput struct {
	PassportID string          `json:"-"`
	Type       string          `json:"type"`
	Claims     json.RawMessage `json:"claims"`
	// ValidUntil cuts the credential's life short of what its claims imply.
	ValidUntil *time.Time `json:"valid_until,omitempty"`
	// ID, when set, is the credential's ID (a form's own key makes a
	// double submit issue once); a new one otherwise.
	ID string `json:"-"`
}

// Issue signs a credential from the actor's trust onto a passport. Bad
// claims give a *models.ValidationError naming each field; an unknown
// passport wraps models.ErrNotFound; an unregistered trust
// models.ErrForbidden.
func (s *Service) Issue(ctx context.Context, actor models.Actor, in IssueInput) (models.Credential, error) {
	return s.IssueWith(ctx, s.store, actor, in)
}

// IssueWith is Issue within the transaction st: several credentials
// issued together land together or not at all.
func (s *Service) IssueWith(ctx context.Context, st *store.Store, actor models.Actor, in IssueInput) (models.Credential, error) {
	now := s.now().UTC().Truncate(time.Second)
	typ := models.CredentialType(in.Type)
	parsed, err := models.ParseClaims(typ, in.Claims, now)
	if err != nil {
		return models.Credential{}, err
	}
	until := parsed.Expiry
	if in.ValidUntil != nil {
		// Kept in UTC whatever offset it came with (SQLite cannot read a
		// time back that it stored with one).
		utc := in.ValidUntil.UTC()
		in.ValidUntil = &utc
		if !in.ValidUntil.After(now) {
			var v models.ValidationError
			v.Add("valid_until", "must be in the future")
			return models.Credential{}, &v
		}
		if until == nil || in.ValidUntil.Before(*until) {
			until = in.ValidUntil
		}
	}
	trust, err := st.Trust(ctx, actor.Trust)
	if err != nil {
		return models.Credential{}, err
	}
	if !trust.Registered {
		return models.Credential{}, fmt.Errorf("trust %s is not registered: %w", trust.ODSCode, models.ErrForbidden)
	}
	if err := st.PassportExists(ctx, in.PassportID); err != nil {
		return models.Credential{}, err
	}
	key, priv, err := s.signingKey(ctx, st, trust.ODSCode)
	if err != nil {
		return models.Credential{}, err
	}
	refs, err := st.AllocateStatusIndexes(ctx, trust.ODSCode, 1)
	if err != nil {
		return models.Credential{}, err
	}
	ref := refs[0]
	id := in.ID
	if id == "" {
		id = uuid.NewString()
	}
	c := models.Credential{
		ID: id, PassportID: in.PassportID, Type: typ, Subject: parsed.Subject,
		IssuerODS: trust.ODSCode, KeyID: key.KID, Claims: parsed.Canonical,
		IssuedAt: now, ValidFrom: now, ValidUntil: until, StatusList: ref.List, StatusIndex: ref.Index,
	}
	doc := vc.NewCredential(vc.NewCredentialInput{
		PublicURL: s.publicURL, ID: c.ID, IssuerODS: trust.ODSCode, IssuerName: trust.Name,
		PassportID: c.PassportID, CredentialType: string(typ), Claims: parsed.Canonical,
		ValidFrom: c.ValidFrom, ValidUntil: c.ValidUntil, StatusList: ref.List, StatusIndex: ref.Index,
	})
	payload, err := json.Marshal(doc)
	if err != nil {
		return models.Credential{}, err
	}
	if c.JWS, err = vc.Sign(priv, key.KID, vc.TypVC, payload); err != nil {
		return models.Credential{}, err
	}
	err = st.Tx(ctx, func(tx *store.Store) error {
		if err := tx.CreateCredential(ctx, &c); err != nil {
			return err
		}
		// A registration checked by a trust identifies the person: later
		// invitations naming it find this passport.
		// (When another passport holds it already, the person has two; the
		// first keeps it, and the audit trail shows the second issue.)
		if reg, ok := parsed.Claims.(*models.ProfessionalRegistrationClaims); ok {
			ref := s.IdentityRef(reg.Body, reg.Number)
			if _, err := tx.PassportByIdentityRef(ctx, ref); errors.Is(err, models.ErrNotFound) {
				if err := tx.SetIdentityRef(ctx, c.PassportID, ref); err != nil {
					return err
				}
			} else if err != nil {
				return err
			}
		}
		return tx.Audit(ctx, actor, "credential.issued", "passport", c.PassportID,
			map[string]any{"credential_id": c.ID, "type": c.Type, "subject": c.Subject})
	})
	return c, err
}

// Revoke withdraws a credential its issuer no longer stands behind. Only the
// issuing trust may; to anyone else the credential does not exist
// (models.ErrNotFound). Revoking twice wraps models.ErrConflict.
func (s *Service) Revoke(ctx context.Context, actor models.Actor, credentialID, reason string) error {
	reason = strings.TrimSpace(reason)
	if len(reason) < 5 || len(reason) > 500 {
		var v models.ValidationError
		v.Add("reason", "say why, in 5 to 500 characters")
		return &v
	}
	c, err := s.store.Credential(ctx, credentialID)
	if err != nil {
		return err
	}
	if c.IssuerODS != actor.Trust {
		return fmt.Errorf("credential %s: %w", credentialID, models.ErrNotFound)
	}
	return s.store.Tx(ctx, func(tx *store.Store) error {
		if err := tx.MarkCredentialRevoked(ctx, c.ID, reason, s.now()); err != nil {
			return err
		}
		if err := tx.SetRevokedBit(ctx, c.IssuerODS, models.StatusRef{List: c.StatusList, Index: c.StatusIndex}); err != nil {
			return err
		}
		return tx.Audit(ctx, actor, "credential.revoked", "passport", c.PassportID,
			map[string]any{"credential_id": c.ID, "reason": reason})
	})
}

// signingKey returns the trust's key in use, making the first one when the
// trust has none.
func (s *Service) signingKey(ctx context.Context, st *store.Store, trust string) (models.SigningKey, ed25519.PrivateKey, error) {
	k, err := st.ActiveSigningKey(ctx, trust)
	if errors.Is(err, models.ErrNotFound) {
		k, err = s.rotateKey(ctx, st, trust)
	}
	if err != nil {
		return models.SigningKey{}, nil, err
	}
	seed, err := s.box.Open(k.SealedPrivate, []byte(k.KID))
	if err != nil {
		return models.SigningKey{}, nil, fmt.Errorf("credentials: signing key %s: %w (was PASSPORT_SECRET_KEY changed?)", k.KID, err)
	}
	return k, ed25519.NewKeyFromSeed(seed), nil
}

// RotateKey gives a trust a new signing key. Credentials signed with the
// old one still verify: its public half stays published.
func (s *Service) RotateKey(ctx context.Context, trust string) (models.SigningKey, error) {
	return s.rotateKey(ctx, s.store, trust)
}

func (s *Service) rotateKey(ctx context.Context, st *store.Store, trust string) (models.SigningKey, error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return models.SigningKey{}, err
	}
	kid := vc.Thumbprint(pub)
	k := models.SigningKey{
		KID: kid, TrustODS: trust, PublicKey: pub,
		SealedPrivate: s.box.Seal(priv.Seed(), []byte(kid)),
		CreatedAt:     s.now().UTC(),
	}
	if err := st.AddSigningKey(ctx, &k); err != nil {
		return models.SigningKey{}, err
	}
	return k, nil
}

// JWKS publishes every public key of a trust, retired ones included.
func (s *Service) JWKS(ctx context.Context, trust string) (vc.JWKS, error) {
	if _, err := s.store.Trust(ctx, trust); err != nil {
		return vc.JWKS{}, err
	}
	keys, err := s.store.SigningKeys(ctx, trust)
	if err != nil {
		return vc.JWKS{}, err
	}
	set := vc.JWKS{Keys: []vc.JWK{}}
	for _, k := range keys {
		set.Keys = append(set.Keys, vc.NewJWK(k.PublicKey))
	}
	return set, nil
}

// StatusList returns one of the trust's revocation lists (number 0 is the
// first) as a signed BitstringStatusListCredential (compact JWS). A list
// the trust has not opened wraps models.ErrNotFound.
func (s *Service) StatusList(ctx context.Context, trust string, number int) (string, error) {
	t, err := s.store.Trust(ctx, trust)
	if err != nil {
		return "", err
	}
	bits, err := s.store.RevocationList(ctx, trust, number)
	if err != nil {
		return "", err
	}
	doc, err := vc.NewStatusListCredential(s.publicURL, t.ODSCode, t.Name, number, bits, s.now())
	if err != nil {
		return "", err
	}
	payload, err := json.Marshal(doc)
	if err != nil {
		return "", err
	}
	key, priv, err := s.signingKey(ctx, s.store, trust)
	if err != nil {
		return "", err
	}
	return vc.Sign(priv, key.KID, vc.TypVC, payload)
}

// Verify checks a credential against this service's keys, trusts and status
// lists as of now.
func (s *Service) Verify(ctx context.Context, compact string) (vc.Result, error) {
	return vc.Verifier{Keys: storeKeys{s.store}, Registry: s.store, Status: s.store}.Verify(ctx, compact, s.now())
}

type storeKeys struct{ st *store.Store }

func (k storeKeys) PublicKey(ctx context.Context, kid string) (ed25519.PublicKey, string, error) {
	pub, trust, err := k.st.PublicKey(ctx, kid)
	return ed25519.PublicKey(pub), trust, err
}
