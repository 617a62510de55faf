package models

import "time"

// The notices a credential gets as its validity runs out, or when it is
// revoked: each is sent once.
const (
	NoticeDue30   = "due_30"  // 30 days or fewer left
	NoticeDue14   = "due_14"  // 14 days or fewer left
	NoticeDue1    = "due_1"   // a day or less left
	NoticeExpired = "expired" // the trusts it is shared with told it expired
	NoticeRevoked = "revoked" // the trusts it is shared with told it was revoked
)

// CredentialNotice records that a notice about a credential went out.
type CredentialNotice struct {
	CredentialID string    `gorm:"primaryKey;size:36"`
	Kind         string    `gorm:"primaryKey;size:20"`
	SentAt       time.Time `gorm:"not null"`
}

// DueNotice is the notice a credential valid until until is due at now:
// the tightest threshold it has crossed, or "" when more than 30 days
// are left.
func DueNotice(until, now time.Time) string {
	left := until.Sub(now)
	switch {
	case left <= 0:
		return ""
	case left <= 24*time.Hour:
		return NoticeDue1
	case left <= 14*24*time.Hour:
		return NoticeDue14
	case left <= 30*24*time.Hour:
		return NoticeDue30
	}
	return ""
}
