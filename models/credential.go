package models

import (
	"encoding/json"
	"time"
)

// CredentialType names one kind of verified fact on a passport.
type CredentialType string

// The credential catalogue.
const (
	CredIdentity                 CredentialType = "identity"
	CredRightToWork              CredentialType = "right_to_work"
	CredDBSCheck                 CredentialType = "dbs_check"
	CredProfessionalRegistration CredentialType = "professional_registration"
	CredEmploymentHistory        CredentialType = "employment_history"
	CredCoreSkillsTraining       CredentialType = "core_skills_training"
	CredOccupationalHealth       CredentialType = "occupational_health"
)

// CredentialTypes lists the catalogue in the order pages show it.
func CredentialTypes() []CredentialType {
	return []CredentialType{CredIdentity, CredRightToWork, CredDBSCheck, CredProfessionalRegistration,
		CredEmploymentHistory, CredCoreSkillsTraining, CredOccupationalHealth}
}

// Valid reports whether t is in the catalogue.
func (t CredentialType) Valid() bool {
	for _, k := range CredentialTypes() {
		if t == k {
			return true
		}
	}
	return false
}

// Title is the type's name as people read it.
func (t CredentialType) Title() string {
	switch t {
	case CredIdentity:
		return "Identity check"
	case CredRightToWork:
		return "Right to work"
	case CredDBSCheck:
		return "DBS check"
	case CredProfessionalRegistration:
		return "Professional registration"
	case CredEmploymentHistory:
		return "Employment history"
	case CredCoreSkillsTraining:
		return "Core skills training"
	case CredOccupationalHealth:
		return "Occupational health clearance"
	}
	return string(t)
}

// CredentialStatus is where a credential stands today.
type CredentialStatus string

// The statuses of a credential.
const (
	StatusValid   CredentialStatus = "valid"
	StatusExpired CredentialStatus = "expired"
	StatusRevoked CredentialStatus = "revoked"
)

// Credential is one signed fact on a passport. JWS is the signed document
// and the source of truth; the other fields index it for queries and pages.
type Credential struct {
	ID         string         `gorm:"primaryKey;size:36" json:"id"`
	PassportID string         `gorm:"size:36;not null;index" json:"passport_id"`
	Type       CredentialType `gorm:"size:40;not null" json:"type"`
	// Subject tells apart credentials of one type on a passport: the CSTF
	// subject for training, the employer for employment history.
	Subject          string          `gorm:"size:200;not null;default:''" json:"subject,omitempty"`
	IssuerODS        string          `gorm:"size:5;not null;index" json:"issuer"`
	KeyID            string          `gorm:"size:64;not null" json:"-"`
	Claims           json.RawMessage `gorm:"type:text;not null;serializer:json" json:"claims"`
	IssuedAt         time.Time       `gorm:"not null" json:"issued_at"`
	ValidFrom        time.Time       `gorm:"not null" json:"valid_from"`
	ValidUntil       *time.Time      `gorm:"index" json:"valid_until,omitempty"`
	StatusIndex      int             `gorm:"not null" json:"-"`
	StatusList       int             `gorm:"not null;default:0" json:"-"` // which of the issuer's revocation lists
	RevokedAt        *time.Time      `json:"revoked_at,omitempty"`
	RevocationReason string          `gorm:"size:500;not null;default:''" json:"revocation_reason,omitempty"`
	JWS              string          `gorm:"type:text;not null" json:"jws"`
}

// Status is the credential's status at now.
func (c Credential) Status(now time.Time) CredentialStatus {
	switch {
	case c.RevokedAt != nil:
		return StatusRevoked
	case c.ValidUntil != nil && !now.Before(*c.ValidUntil):
		return StatusExpired
	}
	return StatusValid
}

// Name is the credential's title with what tells it apart from others of
// its type, as people read it: "Core skills training: Fire safety",
// "Professional registration: GMC".
func (c Credential) Name() string {
	if c.Subject == "" {
		return c.Type.Title()
	}
	if s, ok := CSTFSubjectByID(c.Subject); ok && c.Type == CredCoreSkillsTraining {
		return c.Type.Title() + ": " + s.Name
	}
	return c.Type.Title() + ": " + c.Subject
}
