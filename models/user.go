package models

import (
	"strings"
	"time"
	"unicode/utf8"
)

// User is a person who signs in to the portal: HR, a trust's
// administrator or an operator. People sign in by an emailed link; there
// is no password.
type User struct {
	ID           string `gorm:"primaryKey;size:36"`
	TrustODS     string `gorm:"size:5;not null;index"` // "" for an operator: operators belong to the service
	Role         Role   `gorm:"size:20;not null"`
	Email        string `gorm:"size:254;not null;uniqueIndex"`
	Name         string `gorm:"size:200;not null"`
	CreatedAt    time.Time
	LastSignInAt *time.Time
	DisabledAt   *time.Time
}

// Validate tidies and checks a new user, naming each field at fault.
func (u *User) Validate() error {
	var v ValidationError
	u.Name = strings.TrimSpace(u.Name)
	if u.Name == "" || utf8.RuneCountInString(u.Name) > 200 || !CleanText(u.Name, false) || LooksLikeAddress(u.Name) {
		v.Add("name", "Enter the person's name, up to 200 characters")
	}
	if em, ok := NormalizeEmail(u.Email); ok {
		u.Email = em
	} else {
		v.Add("email", "Enter an email address in the correct format, like name@nhs.net")
	}
	if !u.Role.Valid() {
		v.Add("role", "Choose hr, trust_admin or operator")
	}
	u.TrustODS = strings.ToUpper(strings.TrimSpace(u.TrustODS))
	if err := AccountTrust(u.Role, u.TrustODS); err != "" {
		v.Add("trust", err)
	}
	return v.Err()
}

// SignInToken is an emailed sign-in link's server side: only a hash of its
// secret is kept, and it works once, until it expires.
type SignInToken struct {
	ID         string    `gorm:"primaryKey;size:36"`
	SecretHash []byte    `gorm:"not null"`
	UserID     string    `gorm:"size:36;not null;index"`
	ExpiresAt  time.Time `gorm:"not null"`
	UsedAt     *time.Time
	CreatedAt  time.Time `gorm:"not null"`
}

// Session is a signed-in browser. The cookie holds a random token; the
// database keeps only its SHA-256, so a copy of the database signs no one
// in.
type Session struct {
	ID         string    `gorm:"primaryKey;size:64"` // hex SHA-256 of the cookie's token
	UserID     string    `gorm:"size:36;not null;index"`
	CreatedAt  time.Time `gorm:"not null"`
	LastSeenAt time.Time `gorm:"not null"`
	ExpiresAt  time.Time `gorm:"not null"` // the absolute end; idle sessions end sooner
}

// RotationUpload keeps what became of a rotation uploaded in the portal,
// so the page of results (and the CSV of failed rows) can be seen again.
type RotationUpload struct {
	ID             string    `gorm:"primaryKey;size:36"`
	TrustODS       string    `gorm:"size:5;not null;index"`
	UserID         string    `gorm:"size:36;not null"`
	FileName       string    `gorm:"size:200;not null;default:''"`
	Started        int       `gorm:"not null"`
	AlreadyStarted int       `gorm:"not null"`
	Invalid        int       `gorm:"not null"`
	Results        string    `gorm:"type:text;not null"` // the rows' results as JSON
	CreatedAt      time.Time `gorm:"not null"`
}
