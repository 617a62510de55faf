package models

import (
	"strings"
	"time"
)

// DefaultChecklist is what a receiving trust asks for from a staff group
// when it has not set its own list.
func DefaultChecklist(g StaffGroup) []CredentialType {
	switch g {
	case GroupDoctorInTraining:
		return []CredentialType{CredIdentity, CredRightToWork, CredDBSCheck, CredProfessionalRegistration,
			CredEmploymentHistory, CredCoreSkillsTraining, CredOccupationalHealth}
	case GroupTemporaryMover:
		return []CredentialType{CredIdentity, CredRightToWork, CredDBSCheck, CredCoreSkillsTraining, CredOccupationalHealth}
	}
	return nil
}

// Checklist is a trust's own list of required credentials for a staff group.
type Checklist struct {
	TrustODS   string     `gorm:"primaryKey;size:5" json:"trust"`
	StaffGroup StaffGroup `gorm:"primaryKey;size:40" json:"staff_group"`
	// Types is a comma-separated list of credential types.
	Types     string    `gorm:"size:500;not null" json:"-"`
	UpdatedAt time.Time `json:"updated_at"`
}

// CredentialTypes returns the list.
func (c Checklist) CredentialTypes() []CredentialType {
	var out []CredentialType
	for _, t := range strings.Split(c.Types, ",") {
		if t != "" {
			out = append(out, CredentialType(t))
		}
	}
	return out
}

// NewChecklist validates a trust's list; duplicates are dropped.
func NewChecklist(trust string, g StaffGroup, types []CredentialType) (Checklist, error) {
	var v ValidationError
	if !g.Valid() {
		v.Add("staff_group", "must be temporary_mover or doctor_in_training")
	}
	if len(types) == 0 {
		v.Add("credential_types", "must list at least one credential type")
	}
	seen := map[CredentialType]bool{}
	var names []string
	for _, t := range types {
		if !t.Valid() {
			v.Add("credential_types", "unknown credential type "+string(t))
			continue
		}
		if !seen[t] {
			seen[t] = true
			names = append(names, string(t))
		}
	}
	if err := v.Err(); err != nil {
		return Checklist{}, err
	}
	return Checklist{TrustODS: trust, StaffGroup: g, Types: strings.Join(names, ",")}, nil
}

// ChecklistBypass waives one required credential for one move. It needs a
// reason, and is written to the audit trail.
type ChecklistBypass struct {
	CredentialType CredentialType `json:"credential_type"`
	Reason         string         `json:"reason"`
}

// Validate checks that the bypass names a required item and says why.
func (b ChecklistBypass) Validate(required []CredentialType) error {
	var v ValidationError
	found := false
	for _, t := range required {
		if t == b.CredentialType {
			found = true
		}
	}
	if !found {
		v.Add("credential_type", "is not on the checklist for this move")
	}
	if len(strings.TrimSpace(b.Reason)) < 10 {
		v.Add("reason", "say why the check is not needed (at least 10 characters)")
	}
	return v.Err()
}
