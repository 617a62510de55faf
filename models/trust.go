package models

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// odsCodeRE matches an organisation code as the NHS Organisation Data Service
// issues them to trusts: three to five upper-case letters and digits.
var odsCodeRE = regexp.MustCompile(`^[A-Z0-9]{3,5}$`)

// ValidODSCode reports whether code is shaped like a trust's ODS code.
func ValidODSCode(code string) bool { return odsCodeRE.MatchString(code) }

// Trust is an NHS organisation taking part in the service, keyed by ODS code.
type Trust struct {
	ODSCode      string     `gorm:"primaryKey;size:5"`
	Name         string     `gorm:"size:200;not null"`
	Region       string     `gorm:"size:100;not null;default:''"`
	ContactEmail string     `gorm:"size:320;not null;default:''"`
	Registered   bool       `gorm:"not null;default:false"`
	RegisteredAt time.Time  `gorm:"not null"`
	Policy       MovePolicy `gorm:"embedded;embeddedPrefix:policy_"`
	// SkipRecordRequests: the moves this trust sends do not ask it for the
	// credentials a passport lacks (the records step is skipped); the
	// receiving trust checks them itself.
	SkipRecordRequests bool `gorm:"not null;default:false"`
	// AlsoTell are the addresses (comma-separated, at most MaxAlsoTell)
	// told what the trust is told about its moves, besides ContactEmail
	// and the person who started a move.
	AlsoTell string `gorm:"size:1700;not null;default:''"`
	// SuspendedAt is set while an operator has suspended the trust: no new
	// moves to or from it.
	SuspendedAt *time.Time
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Validate checks the fields a trust must have.
func (t Trust) Validate() error {
	var v ValidationError
	if !ValidODSCode(t.ODSCode) {
		v.Add("ods_code", "must be 3 to 5 upper-case letters and digits")
	}
	if t.Name == "" || len(t.Name) > 200 {
		v.Add("name", "is required, up to 200 characters")
	}
	if len(t.Region) > 100 {
		v.Add("region", "must be at most 100 characters")
	}
	if t.ContactEmail != "" {
		if _, ok := NormalizeEmail(t.ContactEmail); !ok {
			v.Add("contact_email", "must be an email address")
		}
	}
	return v.Err()
}

// MaxAlsoTell bounds the addresses a trust may have told of its moves
// besides its own.
const MaxAlsoTell = 5

// AlsoTellList is AlsoTell as a list.
func (t Trust) AlsoTellList() []string {
	var out []string
	for _, a := range strings.Split(t.AlsoTell, ",") {
		if a = strings.TrimSpace(a); a != "" {
			out = append(out, a)
		}
	}
	return out
}

// CheckAlsoTell normalises the addresses a trust wants told of its moves;
// a *ValidationError names each one at fault (field "also_tell[i]").
func CheckAlsoTell(addrs []string) ([]string, error) {
	var v ValidationError
	if len(addrs) > MaxAlsoTell {
		v.Add("also_tell", "at most 5 addresses")
	}
	var out []string
	for i, a := range addrs {
		e, ok := NormalizeEmail(a)
		switch {
		case !ok:
			v.Add("also_tell["+strconv.Itoa(i)+"]", "must be an email address such as name@nhs.net")
		case slices.Contains(out, e):
			v.Add("also_tell["+strconv.Itoa(i)+"]", "is listed twice")
		default:
			out = append(out, e)
		}
	}
	return out, v.Err()
}
