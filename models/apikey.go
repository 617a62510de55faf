package models

import "time"

// Role is what an API key or a person may do.
type Role string

// The roles of the service.
const (
	RoleHR         Role = "hr"          // sees and acts on its trust's moves
	RoleTrustAdmin Role = "trust_admin" // also manages its trust's keys and policies
	RoleOperator   Role = "operator"    // sees all trusts, retries failed steps, reads the audit trail
)

// Roles lists every role in order of increasing reach.
func Roles() []Role { return []Role{RoleHR, RoleTrustAdmin, RoleOperator} }

// Reaches reports whether an account of role r may see and manage an
// account or key of role other: its own role or below, never above (a
// trust's administrator cannot touch the service's operators).
func (r Role) Reaches(other Role) bool {
	rank := func(x Role) int {
		for i, k := range Roles() {
			if k == x {
				return i
			}
		}
		return len(Roles())
	}
	return rank(other) <= rank(r)
}

// OperationsName is what the portal calls the operators' side, where a
// trust's people see their trust's name.
const OperationsName = "Staff Passport operations"

// AccountTrust says what is wrong with an account's or key's trust for its
// role, or "": operators belong to the service and name no trust; everyone
// else belongs to exactly one.
func AccountTrust(r Role, ods string) string {
	switch {
	case r == RoleOperator && ods != "":
		return "Operators belong to the service, not to a trust: leave the trust out"
	case r != RoleOperator && !ValidODSCode(ods):
		return "Enter the trust's ODS code, like RJ1"
	}
	return ""
}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	for _, known := range Roles() {
		if r == known {
			return true
		}
	}
	return false
}

// APIKey is a machine credential of one trust and role. Only a hash of the
// secret is stored; Prefix is shown to people so they can tell keys apart.
type APIKey struct {
	ID         string `gorm:"primaryKey;size:36"`
	Prefix     string `gorm:"size:16;not null;uniqueIndex"`
	SecretHash []byte `gorm:"not null"`
	TrustODS   string `gorm:"size:5;not null;index"` // "" for an operator's key
	Role       Role   `gorm:"size:20;not null"`
	Name       string `gorm:"size:200;not null;default:''"`
	CreatedAt  time.Time
	LastUsedAt *time.Time
	RevokedAt  *time.Time
}
