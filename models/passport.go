package models

import (
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"
)

// StaffGroup decides which credentials a receiving trust asks for.
type StaffGroup string

// The staff groups of the service.
const (
	GroupTemporaryMover   StaffGroup = "temporary_mover"
	GroupDoctorInTraining StaffGroup = "doctor_in_training"
)

// Valid reports whether g is a known staff group.
func (g StaffGroup) Valid() bool { return g == GroupTemporaryMover || g == GroupDoctorInTraining }

// Passport is one person's set of credentials. A person has one passport:
// invitations from several trusts find it by verified identity first, then
// by email address, never by name.
type Passport struct {
	ID         string `gorm:"primaryKey;size:36" json:"id"`
	Email      string `gorm:"size:320;not null;uniqueIndex" json:"email"`
	GivenName  string `gorm:"size:100;not null" json:"given_name"`
	FamilyName string `gorm:"size:100;not null" json:"family_name"`
	// IdentityRef is a keyed hash of the verified identity (for example a
	// professional registration), set once identity has been checked; it
	// lets a person who changed email address be found again.
	IdentityRef *string      `gorm:"size:64;uniqueIndex" json:"-"`
	CreatedAt   time.Time    `json:"created_at"`
	UpdatedAt   time.Time    `json:"-"`
	Credentials []Credential `gorm:"foreignKey:PassportID" json:"credentials,omitempty"`
}

// maxEmail is the longest address SMTP carries (RFC 5321).
const maxEmail = 254

// NormalizeEmail lower-cases and trims an address, or fails when it is not
// a single plain address of at most 254 characters.
func NormalizeEmail(s string) (string, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	if len(s) > maxEmail {
		return "", false
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" || !strings.Contains(s[strings.LastIndex(s, "@")+1:], ".") {
		return "", false
	}
	return s, true
}

// StaffDetails are what a trust gives to find or make a passport.
type StaffDetails struct {
	Email      string `json:"email"`
	GivenName  string `json:"given_name"`
	FamilyName string `json:"family_name"`
}

// Validate checks the details and normalises the email address; field
// names are prefixed with prefix (for example "staff.").
func (d *StaffDetails) Validate(prefix string) error {
	var v ValidationError
	if e, ok := NormalizeEmail(d.Email); ok {
		d.Email = e
	} else {
		v.Add(prefix+"email", "must be an email address such as name@nhs.net")
	}
	d.GivenName, d.FamilyName = strings.TrimSpace(d.GivenName), strings.TrimSpace(d.FamilyName)
	for _, n := range []struct{ field, name string }{{"given_name", d.GivenName}, {"family_name", d.FamilyName}} {
		if reason := NameProblem(n.name); reason != "" {
			v.Add(prefix+n.field, reason)
		}
	}
	return v.Err()
}

// NotTheirName is the refusal when a trust that has no dealings with a
// passport's holder names them differently from their passport: the trust
// must know the person to reach their passport, and is never told the name
// it holds.
const NotTheirName = "does not match the name on the passport held for this email address: give the person's names as recorded there (ask them if they have changed)"

// Names reports whether the details name the passport's holder: both names
// alike regardless of case, spacing and the kind of apostrophe or hyphen.
func (d StaffDetails) Names(p Passport) bool {
	return foldName(d.GivenName) == foldName(p.GivenName) && foldName(d.FamilyName) == foldName(p.FamilyName)
}

var nameMarks = strings.NewReplacer("’", "'", "‘", "'", "ʼ", "'", "‐", "-", "‑", "-", "–", "-")

func foldName(s string) string {
	return strings.ToLower(strings.Join(strings.Fields(nameMarks.Replace(s)), " "))
}

// NameProblem says what is wrong with a person's given or family name
// (trimmed), or "" when nothing is: up to 100 characters, no control
// characters, no web address (names go into the emails we send).
func NameProblem(name string) string {
	switch {
	case name == "" || utf8.RuneCountInString(name) > 100:
		return "is required, up to 100 characters"
	case !CleanText(name, false):
		return "must not hold control characters"
	case LooksLikeAddress(name):
		return "must be a name, not a web address"
	}
	return ""
}
