package models

import "time"

// CredentialImport keeps what became of an import of credentials from a
// trust's HR or learning system: the counts and the rows that were not
// issued, so the results (and the CSV of failures) can be seen again.
type CredentialImport struct {
	ID            string    `gorm:"primaryKey;size:36" json:"id"`
	TrustODS      string    `gorm:"size:5;not null;index:idx_import_trust,priority:1" json:"trust"`
	ActorID       string    `gorm:"size:64;not null" json:"-"`
	FileName      string    `gorm:"size:200;not null;default:''" json:"file_name,omitempty"`
	DryRun        bool      `gorm:"not null" json:"dry_run"`
	Rows          int       `gorm:"not null" json:"rows"`
	Issued        int       `gorm:"not null" json:"issued"`
	AlreadyIssued int       `gorm:"not null" json:"already_issued"`
	Invalid       int       `gorm:"not null" json:"invalid"`
	PeopleAdded   int       `gorm:"not null" json:"people_added"`
	Failures      string    `gorm:"type:text;not null" json:"-"` // the rows not issued, as JSON
	CreatedAt     time.Time `gorm:"not null;index:idx_import_trust,priority:2" json:"created_at"`
}

// TrainingName maps a name a trust's learning system gives a course to
// the CSTF subject it covers (and, when the name says, its level).
type TrainingName struct {
	TrustODS string `gorm:"primaryKey;size:5" json:"-"`
	// Name is the course's name as the trust's exports write it.
	Name    string    `gorm:"primaryKey;size:200" json:"name"`
	Subject string    `gorm:"size:60;not null" json:"subject"`
	Level   int       `gorm:"not null;default:0" json:"level,omitempty"` // 0: from the row's level column
	Created time.Time `gorm:"not null" json:"-"`
}
