package models

import "time"

// PassportLink records that a trust deals with a person: it looked them up
// to issue credentials, or a move between it and another trust involves
// them. Only a linked trust can see the passport at all.
type PassportLink struct {
	PassportID string    `gorm:"primaryKey;size:36"`
	TrustODS   string    `gorm:"primaryKey;size:5;index"`
	CreatedAt  time.Time `gorm:"not null"`
}
