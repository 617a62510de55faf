package models

import "time"

// ActorKind says who did something.
type ActorKind string

// The kinds of actor in the audit trail.
const (
	ActorAPIKey ActorKind = "api_key" // a trust's system or a person through a key
	ActorStaff  ActorKind = "staff"   // the passport holder, through a link
	ActorUser   ActorKind = "user"    // a person signed in to the portal
	ActorSystem ActorKind = "system"  // the service itself (workflows, jobs)
)

// Actor is who acted: a kind, an identifier (a key ID, a passport ID) and
// the trust and role it acted for.
type Actor struct {
	Kind  ActorKind
	ID    string
	Trust string
	Role  Role
}

// AuditEvent is one append-only record of who did what to which subject.
// Details never hold secrets or tokens.
type AuditEvent struct {
	ID          int64     `gorm:"primaryKey" json:"id"`
	At          time.Time `gorm:"not null;index" json:"at"`
	ActorKind   ActorKind `gorm:"size:20;not null" json:"actor_kind"`
	ActorID     string    `gorm:"size:64;not null" json:"actor_id"`
	ActorTrust  string    `gorm:"size:5;not null;default:''" json:"actor_trust,omitempty"`
	ActorRole   Role      `gorm:"size:20;not null;default:''" json:"actor_role,omitempty"`
	Action      string    `gorm:"size:60;not null" json:"action"`
	SubjectType string    `gorm:"size:30;not null;index:idx_audit_subject" json:"subject_type"`
	SubjectID   string    `gorm:"size:64;not null;index:idx_audit_subject" json:"subject_id"`
	Details     string    `gorm:"type:text;not null;default:'{}'" json:"details"`
}
