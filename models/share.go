package models

import "time"

// Consent is what a member of staff agreed to share, with whom and when,
// against which wording. Withdrawing it ends the receiver's access.
type Consent struct {
	ID              string     `gorm:"primaryKey;size:36" json:"id"`
	MoveID          string     `gorm:"size:36;not null;index" json:"move_id"`
	PassportID      string     `gorm:"size:36;not null;index" json:"passport_id"`
	ReceiverODS     string     `gorm:"size:5;not null" json:"receiving_trust"`
	CredentialTypes string     `gorm:"size:500;not null" json:"credential_types"`
	WordingVersion  string     `gorm:"size:20;not null" json:"wording_version"`
	GivenAt         time.Time  `gorm:"not null" json:"given_at"`
	WithdrawnAt     *time.Time `json:"withdrawn_at,omitempty"`
}

// Decision is the receiving trust's answer on a share.
type Decision string

// The decisions on a share.
const (
	DecisionPending  Decision = "pending"
	DecisionAccepted Decision = "accepted"
	DecisionRejected Decision = "rejected"
)

// Share is one credential as sent to a receiving trust within a move.
type Share struct {
	ID             string         `gorm:"primaryKey;size:36" json:"id"`
	MoveID         string         `gorm:"size:36;not null;index" json:"move_id"`
	CredentialID   string         `gorm:"size:36;not null;index" json:"credential_id"`
	CredentialType CredentialType `gorm:"size:40;not null" json:"credential_type"`
	ReceiverODS    string         `gorm:"size:5;not null;index:idx_share_receiver" json:"receiving_trust"`
	PassportID     string         `gorm:"size:36;not null;index:idx_share_receiver" json:"passport_id"`
	SharedAt       time.Time      `gorm:"not null" json:"shared_at"`
	// Verification is the JSON result of verifying the credential when shared.
	Verification   string     `gorm:"type:text;not null;default:'{}'" json:"-"`
	Decision       Decision   `gorm:"size:20;not null;default:pending" json:"decision"`
	DecisionReason string     `gorm:"size:500;not null;default:''" json:"decision_reason,omitempty"`
	DecidedAt      *time.Time `json:"decided_at,omitempty"`
	RevokedAt      *time.Time `json:"revoked_at,omitempty"`
}
