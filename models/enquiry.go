package models

import (
	"strings"
	"time"
	"unicode/utf8"
)

// Enquiry is a question sent through the contact forms.
type Enquiry struct {
	ID         string     `gorm:"primaryKey;size:36" json:"id"`
	Kind       string     `gorm:"size:10;not null;index" json:"kind"` // staff | trust
	Name       string     `gorm:"size:200;not null" json:"name"`
	Email      string     `gorm:"size:320;not null" json:"email"`
	TrustODS   string     `gorm:"size:5;not null;default:''" json:"trust,omitempty"`
	Message    string     `gorm:"type:text;not null" json:"message"`
	Status     string     `gorm:"size:10;not null;index" json:"status"` // open | answered
	CreatedAt  time.Time  `json:"created_at"`
	AnsweredAt *time.Time `json:"answered_at,omitempty"`
}

// Validate checks an enquiry from a form, normalising what it can.
func (e *Enquiry) Validate() error {
	var v ValidationError
	e.Name, e.Message = strings.TrimSpace(e.Name), strings.TrimSpace(e.Message)
	switch {
	case e.Name == "" || utf8.RuneCountInString(e.Name) > 200 || !CleanText(e.Name, false):
		v.Add("name", "Enter your name")
	case LooksLikeAddress(e.Name):
		v.Add("name", "Enter your name, not a web address")
	}
	if em, ok := NormalizeEmail(e.Email); ok {
		e.Email = em
	} else {
		v.Add("email", "Enter an email address in the correct format, like name@nhs.net")
	}
	if e.Kind == "trust" {
		e.TrustODS = strings.ToUpper(strings.TrimSpace(e.TrustODS))
		if !ValidODSCode(e.TrustODS) {
			v.Add("trust", "Enter your trust's ODS code, like RJ1")
		}
	}
	if n := utf8.RuneCountInString(e.Message); n < 10 || n > 5000 {
		v.Add("message", "Enter your question, between 10 and 5,000 characters")
	}
	return v.Err()
}
