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

// RotationUpload is a rotation uploaded through the portal or the API: its
// rows are recorded at once and started by a background job (the rotation
// workflow), which keeps the counts here and each row's outcome in
// RotationRow. Uploads before the job kept their rows' results whole in
// Results.
type RotationUpload struct {
	ID       string `gorm:"primaryKey;size:36"`
	TrustODS string `gorm:"size:5;not null;index"`
	// UserID is the person (portal) or key (API) that uploaded it; the
	// job starts the moves as them (ActorKind, ActorRole).
	UserID         string         `gorm:"size:36;not null"`
	ActorKind      ActorKind      `gorm:"size:20;not null;default:'user'"`
	ActorRole      Role           `gorm:"size:20;not null;default:''"`
	FileName       string         `gorm:"size:200;not null;default:''"`
	Status         RotationStatus `gorm:"size:10;not null;default:'done'"`
	Rows           int            `gorm:"not null;default:0"`
	Started        int            `gorm:"not null"`
	AlreadyStarted int            `gorm:"not null"`
	Invalid        int            `gorm:"not null"`
	Errored        int            `gorm:"not null;default:0"` // not tried: the service gave up
	Results        string         `gorm:"type:text;not null;default:''"`
	CreatedAt      time.Time      `gorm:"not null"`
	FinishedAt     *time.Time
}

// RotationStatus says whether an upload's job is still starting its rows.
type RotationStatus string

// An upload is starting until every row has an outcome.
const (
	RotationStarting RotationStatus = "starting"
	RotationDone     RotationStatus = "done"
)

// Pending is how many rows have no outcome yet.
func (u RotationUpload) Pending() int {
	return max(0, u.Rows-u.Started-u.AlreadyStarted-u.Invalid-u.Errored)
}

// Actor is who the upload's moves are started by.
func (u RotationUpload) Actor() Actor {
	return Actor{Kind: u.ActorKind, ID: u.UserID, Trust: u.TrustODS, Role: u.ActorRole}
}

// RotationRow is one row of an upload: the move it asks for (JSON, until it
// has an outcome) and what became of it.
type RotationRow struct {
	UploadID string `gorm:"primaryKey;size:36"`
	Row      int    `gorm:"column:row_no;primaryKey;autoIncrement:false"`
	Request  string `gorm:"type:text;not null;default:''"`
	MoveID   string `gorm:"size:36;not null;default:''"`   // planned when recorded, so a row run twice knows its own move
	Result   string `gorm:"size:20;not null;default:''"`   // '' (pending) | started | already_started | invalid | error
	Errors   string `gorm:"type:text;not null;default:''"` // []FieldError as JSON
}
