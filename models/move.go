package models

import (
	"strings"
	"time"
)

// MoveKind is a temporary move or a rotation.
type MoveKind string

// The kinds of move.
const (
	KindTemporaryMove MoveKind = "temporary_move"
	KindRotation      MoveKind = "rotation"
)

// MoveStatus is where a move stands overall.
type MoveStatus string

// The statuses of a move; all but active are terminal.
const (
	MoveActive    MoveStatus = "active"
	MoveCompleted MoveStatus = "completed"
	MoveCancelled MoveStatus = "cancelled"
	MoveDeclined  MoveStatus = "declined"
	MoveExpired   MoveStatus = "expired"
)

// WaitingOn says whose turn it is.
type WaitingOn string

// Who a move can wait on; empty when no one.
const (
	WaitingNobody         WaitingOn = ""
	WaitingStaff          WaitingOn = "staff"
	WaitingSendingTrust   WaitingOn = "sending_trust"
	WaitingReceivingTrust WaitingOn = "receiving_trust"
	WaitingOperator       WaitingOn = "operator"
)

// Move is the read model of one move: written by the workflow's
// activities at every transition (Seq only ever grows, so a stale write
// never overwrites a newer one) and read by lists and dashboards.
type Move struct {
	ID            string     `gorm:"primaryKey;size:36"`
	SendingODS    string     `gorm:"size:5;not null;index:idx_move_sending,priority:1;index:idx_move_sending_status,priority:1;uniqueIndex:idx_move_idempotency,priority:1"`
	ReceivingODS  string     `gorm:"size:5;not null;index:idx_move_receiving,priority:1;index:idx_move_receiving_status,priority:1"`
	PassportID    string     `gorm:"size:36;not null;index"`
	Kind          MoveKind   `gorm:"size:20;not null"`
	StaffGroup    StaffGroup `gorm:"size:40;not null"`
	StartDate     time.Time  `gorm:"not null"`
	EndDate       *time.Time
	Requested     string     `gorm:"size:500;not null"` // comma-separated credential types
	Status        MoveStatus `gorm:"size:20;not null;index;index:idx_move_sending_status,priority:2;index:idx_move_receiving_status,priority:2;index:idx_move_counts,priority:1"`
	Stage         string     `gorm:"size:20;not null;index:idx_move_counts,priority:2"`
	WaitingOn     WaitingOn  `gorm:"size:20;not null;default:'';index:idx_move_counts,priority:3"`
	HasFailedStep bool       `gorm:"not null;default:false;index:idx_move_counts,priority:4"`
	// Escalated: the current wait has had every reminder and gone to HR.
	Escalated      bool    `gorm:"not null;default:false;index:idx_move_counts,priority:5"`
	Progress       string  `gorm:"type:text;not null;default:'{}'"` // workflows.Progress as JSON
	Seq            int64   `gorm:"not null;default:0"`
	IdempotencyKey *string `gorm:"size:200;uniqueIndex:idx_move_idempotency,priority:2"`
	// RequestHash is the SHA-256 of the request that started the move under
	// its idempotency key: the same key with another request is refused.
	RequestHash string `gorm:"size:64;not null;default:''"`
	// StartedBy is the portal user who started the move (themselves, or by
	// a rotation upload): the sending trust's emails about it go to them as
	// well as to the trust's address. Empty for a move a trust's system
	// started with an API key.
	StartedBy string    `gorm:"size:64;not null;default:''"`
	CreatedAt time.Time `gorm:"not null;index:idx_move_created;index:idx_move_sending,priority:2;index:idx_move_receiving,priority:2"`
	UpdatedAt time.Time `gorm:"not null"`
}

// RequestedTypes returns the credential types the receiver asked for.
func (m Move) RequestedTypes() []CredentialType {
	var out []CredentialType
	for _, t := range strings.Split(m.Requested, ",") {
		if t != "" {
			out = append(out, CredentialType(t))
		}
	}
	return out
}

// Involves reports whether the trust sends or receives the move.
func (m Move) Involves(ods string) bool { return m.SendingODS == ods || m.ReceivingODS == ods }

// MoveCount is a maintained count of active moves, so that a dashboard
// reads a handful of rows however many moves are open: one row per trust,
// direction and the columns a dashboard groups by; TrustODS "" counts
// every trust's moves (operators). Written in the same transaction as the
// moves it counts.
type MoveCount struct {
	TrustODS      string    `gorm:"primaryKey;size:5"`
	Outgoing      bool      `gorm:"primaryKey"`
	Stage         string    `gorm:"primaryKey;size:20"`
	WaitingOn     WaitingOn `gorm:"primaryKey;size:20"`
	HasFailedStep bool      `gorm:"primaryKey"`
	Escalated     bool      `gorm:"primaryKey"`
	N             int       `gorm:"not null"`
}
