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
	// Ref names a record written on someone's behalf by a move's workflow
	// (its update's ID), so that writing it again changes nothing; none
	// (NULL) for the rest.
	Ref *string `gorm:"size:80;uniqueIndex:idx_audit_ref" json:"-"`
}

// AuditNote is what a person's answer to a move asks the audit trail to
// say. It travels with the answer into the move's workflow, which writes
// it in the same transaction as the move's new state: an answer the move
// took is never without its record, whatever fails after it.
type AuditNote struct {
	Actor   Actor
	Action  string
	Details string // JSON
	// Ref and At are set by the workflow as it takes the answer.
	Ref string
	At  time.Time
}

// Event is the note as a row of the trail about a move.
func (n AuditNote) Event(moveID string) AuditEvent {
	d := n.Details
	if d == "" {
		d = "{}"
	}
	ev := AuditEvent{
		At: n.At.UTC(), ActorKind: n.Actor.Kind, ActorID: n.Actor.ID, ActorTrust: n.Actor.Trust, ActorRole: n.Actor.Role,
		Action: n.Action, SubjectType: "move", SubjectID: moveID, Details: d,
	}
	if n.Ref != "" {
		ev.Ref = &n.Ref
	}
	return ev
}
