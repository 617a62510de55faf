package models

import "time"

// LinkAction is what an emailed link lets its holder do.
type LinkAction string

// The actions behind email links.
const (
	LinkAcceptInvitation LinkAction = "accept_invitation"
	LinkVerifyIdentity   LinkAction = "verify_identity"
	LinkGiveConsent      LinkAction = "give_consent"
	LinkViewPassport     LinkAction = "view_passport"
)

// LinkToken is an emailed link's server side: only a hash of its secret is
// kept. A token works for one action, once, until it expires.
type LinkToken struct {
	ID         string     `gorm:"primaryKey;size:36"`
	SecretHash []byte     `gorm:"not null"`
	Action     LinkAction `gorm:"size:30;not null"`
	MoveID     string     `gorm:"size:36;not null;index"`
	PassportID string     `gorm:"size:36;not null"`
	ExpiresAt  time.Time  `gorm:"not null"`
	UsedAt     *time.Time
	CreatedAt  time.Time `gorm:"not null"`
}

// Notification is one message to one person about a move: its delivery
// task ID is the notification ID, so sending it again is a no-op.
type Notification struct {
	ID        string `gorm:"primaryKey;size:120"` // move ID / template / n
	MoveID    string `gorm:"size:36;not null;index"`
	Template  string `gorm:"size:40;not null"`
	Recipient string `gorm:"size:20;not null"`                               // staff | sending_trust | receiving_trust | operator
	Status    string `gorm:"size:20;not null;index:idx_notification_status"` // queued | sent | failed, only ever forward
	Error     string `gorm:"size:500;not null;default:''"`                   // the last failed attempt's, relays' addresses hidden
	// Sealed is the email itself (recipient, subject, bodies), sealed under
	// the service's secret key, kept until it is sent so that it can be
	// queued again if the queue loses it; it carries single-use links.
	Sealed       []byte
	FailingSince *time.Time // the first failed attempt of a delivery not yet sent
	SentAt       *time.Time
	CreatedAt    time.Time `gorm:"not null"`
	UpdatedAt    time.Time `gorm:"not null"`
}

// Notification statuses. A notification only moves forward: queued to
// sent or failed; failed back to queued only when a person retries it.
const (
	NotificationQueued = "queued"
	NotificationSent   = "sent"
	NotificationFailed = "failed"
)
