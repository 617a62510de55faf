package models

import "time"

// Step names, in order.
const (
	StepInvite     = "invite"
	StepIdentity   = "identity"
	StepRecords    = "records"
	StepConsent    = "consent"
	StepTransfer   = "transfer"
	StepAcceptance = "acceptance"
	StepComplete   = "complete"
)

// StepNames lists the steps in order. (Moves started before the records
// step existed have no such step in their progress.)
func StepNames() []string {
	return []string{StepInvite, StepIdentity, StepRecords, StepConsent, StepTransfer, StepAcceptance, StepComplete}
}

// Step states.
const (
	StateNotStarted = "not_started"
	StateRunning    = "running"
	StateWaiting    = "waiting"
	StateDone       = "done"
	StateSkipped    = "skipped"
	StateFailed     = "failed"
	StateCancelled  = "cancelled"
)

// Step is one stage's progress.
type Step struct {
	Name       string     `json:"name"`
	State      string     `json:"state"`
	StartedAt  *time.Time `json:"started_at,omitempty"`
	FinishedAt *time.Time `json:"finished_at,omitempty"`
	Reminders  int        `json:"reminders"`
	Error      string     `json:"error,omitempty"`
}

// Failure is the last step that failed, with its cause.
type Failure struct {
	Step  string    `json:"step"`
	Error string    `json:"error"`
	At    time.Time `json:"at"`
}

// ShareState is one share as the workflow tracks it.
type ShareState struct {
	ID             string         `json:"id"`
	CredentialID   string         `json:"credential_id"`
	CredentialType CredentialType `json:"credential_type"`
	Verified       bool           `json:"verified"`
	Problems       []string       `json:"problems,omitempty"`
	Decision       Decision       `json:"decision"`
	Reason         string         `json:"reason,omitempty"`
}

// What became of one credential the records step asked the sending trust
// for.
const (
	RecordMissing  = "missing"   // asked for; not on the passport yet
	RecordRecorded = "recorded"  // the passport now holds a valid one
	RecordNoRecord = "no_record" // the sending trust holds no record: the receiving trust checks it
)

// RecordItem is one credential type the receiving trust asked for and the
// passport did not hold valid when the records step began.
type RecordItem struct {
	Type  CredentialType `json:"credential_type"`
	State string         `json:"state"` // missing | recorded | no_record
	At    *time.Time     `json:"at,omitempty"`
}

// MoveProgress is a move as the workflow's progress query and the read
// model show it.
type MoveProgress struct {
	MoveID        string     `json:"move_id"`
	Seq           int64      `json:"seq"`
	Status        MoveStatus `json:"status"`
	Stage         string     `json:"stage"`
	WaitingOn     WaitingOn  `json:"waiting_on"`
	Steps         []Step     `json:"steps"`
	RemindersSent int        `json:"reminders_sent"`
	Escalated     bool       `json:"escalated"`
	Deadline      time.Time  `json:"deadline"`
	LastFailure   *Failure   `json:"last_failure,omitempty"`
	// Records are what the records step asked the sending trust for.
	Records   []RecordItem     `json:"records,omitempty"`
	Held      []CredentialType `json:"held,omitempty"`
	Consented []CredentialType `json:"consented,omitempty"`
	Shares    []ShareState     `json:"shares,omitempty"`
	EndReason string           `json:"end_reason,omitempty"`
	// Paused is set while an operator holds the move (one of its trusts is
	// suspended), with the reason they gave.
	Paused      bool      `json:"paused,omitempty"`
	PauseReason string    `json:"pause_reason,omitempty"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// NewMoveProgress is a move's progress before anything has happened: every
// step not started, the deadline set from now.
func NewMoveProgress(moveID string, now time.Time, deadline time.Duration) MoveProgress {
	p := MoveProgress{MoveID: moveID, Status: MoveActive, Stage: StepInvite, Deadline: now.Add(deadline), UpdatedAt: now}
	for _, name := range StepNames() {
		p.Steps = append(p.Steps, Step{Name: name, State: StateNotStarted})
	}
	return p
}
