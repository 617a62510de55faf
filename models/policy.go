package models

import "time"

// MovePolicy says how a trust chases the moves it waits on: remind after an
// interval, a bounded number of times, then escalate to HR, and expire the
// move at a deadline. A move may override its trust's policy.
type MovePolicy struct {
	ReminderInterval time.Duration `gorm:"not null;default:259200000000000" json:"reminder_interval"` // 3 days
	MaxReminders     int           `gorm:"not null;default:3" json:"max_reminders"`
	Deadline         time.Duration `gorm:"not null;default:2419200000000000" json:"deadline"` // 28 days
}

// DefaultMovePolicy is what a trust that set nothing uses.
func DefaultMovePolicy() MovePolicy {
	return MovePolicy{ReminderInterval: 72 * time.Hour, MaxReminders: 3, Deadline: 28 * 24 * time.Hour}
}

// Validate checks the policy makes sense: reminders come before the
// deadline, and not more often than hourly (seconds are for tests, which
// build policies directly).
func (p MovePolicy) Validate() error {
	var v ValidationError
	if p.ReminderInterval < time.Hour {
		v.Add("reminder_interval", "must be at least an hour")
	}
	if p.MaxReminders < 0 || p.MaxReminders > 10 {
		v.Add("max_reminders", "must be between 0 and 10")
	}
	if p.Deadline < 24*time.Hour || p.Deadline > 365*24*time.Hour {
		v.Add("deadline", "must be between a day and a year")
	}
	if p.Deadline <= p.ReminderInterval*time.Duration(p.MaxReminders) {
		v.Add("deadline", "must come after the last reminder")
	}
	return v.Err()
}
