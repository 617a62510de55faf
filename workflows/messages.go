// Package workflows holds the move workflow and its messages: the names,
// inputs and results of its updates and queries. Workflow code here is
// deterministic: time, timers and concurrency come from package workflow.
package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/nhs-staff-passport/passport/models"
)

// MoveWorkflowName is the registered name of the move workflow.
const MoveWorkflowName = "MoveWorkflow"

// WorkflowID is the workflow ID of a move: derived from the move's ID, never
// from personal data.
func WorkflowID(moveID string) string { return "move-" + moveID }

// Update and query names.
const (
	UpdateAcceptInvitation = "accept_invitation"
	UpdateIdentityResult   = "identity_result"
	UpdateGiveConsent      = "give_consent"
	UpdateDecline          = "decline"
	UpdateDecideShare      = "decide_share"
	UpdateCancel           = "cancel"
	UpdateWithdrawConsent  = "withdraw_consent"
	UpdateRetryStep        = "retry_step"
	UpdateExtendDeadline   = "extend_deadline"
	UpdatePause            = "pause"
	UpdateResume           = "resume"
	UpdateNoRecord         = "no_record"
	UpdateRecordsChanged   = "records_changed"
	QueryProgress          = "progress"
)

// Search attributes, registered with the namespace (dev mode does it at
// start-up; docker-compose's temporal-namespace job in production).
var (
	SAStatus         = temporal.NewSearchAttributeKeyKeyword("PassportMoveStatus")
	SAStage          = temporal.NewSearchAttributeKeyKeyword("PassportMoveStage")
	SASendingTrust   = temporal.NewSearchAttributeKeyKeyword("PassportSendingTrust")
	SAReceivingTrust = temporal.NewSearchAttributeKeyKeyword("PassportReceivingTrust")
	SAWaitingOn      = temporal.NewSearchAttributeKeyKeyword("PassportWaitingOn")
)

// startIndex is status, stage and waiting on as a move starts: at the
// invitation, waiting on the member of staff (as it will be within seconds,
// once the invitation is sent), so that coming to rest there costs the
// server no second write of the move's visibility record. (Moves started
// before said waiting on nobody; each takes what its own start said.)
var startIndex = [3]string{string(models.MoveActive), models.StepInvite, string(models.WaitingStaff)}

// StartSearchAttributes are a move's search attributes when it is started;
// the workflow takes them as already set.
func StartSearchAttributes(in MoveInput) temporal.SearchAttributes {
	return temporal.NewSearchAttributes(
		SAStatus.ValueSet(startIndex[0]), SAStage.ValueSet(startIndex[1]), SAWaitingOn.ValueSet(startIndex[2]),
		SASendingTrust.ValueSet(in.SendingTrust), SAReceivingTrust.ValueSet(in.ReceivingTrust),
	)
}

// SearchAttributeNames lists the custom search attributes, all keywords.
func SearchAttributeNames() []string {
	return []string{SAStatus.GetName(), SAStage.GetName(), SASendingTrust.GetName(), SAReceivingTrust.GetName(), SAWaitingOn.GetName()}
}

// MoveInput starts a move. It carries identifiers only: names and addresses
// stay in the database, out of the workflow's history.
type MoveInput struct {
	MoveID         string
	PassportID     string
	SendingTrust   string
	ReceivingTrust string
	Kind           models.MoveKind
	StaffGroup     models.StaffGroup
	StartDate      time.Time
	EndDate        time.Time // temporary moves only
	Requested      []models.CredentialType
	Policy         models.MovePolicy
	// RetryWindow is how long the move's steps retry infrastructure
	// faults before one is marked failed; zero (moves started before it
	// existed) is activityWindow.
	RetryWindow time.Duration `json:",omitempty"`
}

// MoveResult is how a move ended.
type MoveResult struct {
	Status models.MoveStatus
	Reason string
}

// Caller identifies who sends an update, as the API authenticated them.
type Caller struct {
	Kind  models.ActorKind
	ID    string
	Trust string
	Role  models.Role
}

// AcceptInvitation is the staff member's yes to the invitation.
type AcceptInvitation struct {
	Caller Caller
}

// IdentityResult reports an identity check: by HR in person, by an
// external provider, or by the development simulator.
type IdentityResult struct {
	Caller   Caller
	Verified bool
	Method   string // in_person_documents | certified_identity_service
	// Claims are the identity credential's claims when Verified.
	Claims string
	Reason string // when not verified
}

// GiveConsent is what the staff member agrees to share: a subset of what
// was requested and is held.
type GiveConsent struct {
	Caller         Caller
	Types          []models.CredentialType
	WordingVersion string
}

// Decline ends the move at the staff member's request.
type Decline struct {
	Caller Caller
	Reason string
}

// DecideShare is the receiving trust's decision on one share.
type DecideShare struct {
	Caller   Caller
	ShareID  string
	Decision models.Decision
	Reason   string // required to reject: what must be re-checked
}

// Cancel ends the move (sending or receiving trust, or an operator).
type Cancel struct {
	Caller Caller
	Reason string
}

// WithdrawConsent ends the receiver's access to what was shared.
type WithdrawConsent struct {
	Caller Caller
	Reason string
}

// RetryStep asks for a failed step to run again.
type RetryStep struct {
	Caller Caller
	Step   string
}

// Pause holds a move while one of its trusts is suspended: no reminders,
// escalation or expiry, and no answers until it is resumed (operators).
type Pause struct {
	Caller Caller
	Reason string
}

// Resume lets a paused move carry on; its deadline moves on by the time it
// was held (operators).
type Resume struct {
	Caller Caller
}

// NoRecord is the sending trust's answer, at the records step, that it
// holds no record of one credential the move asked for: the receiving
// trust checks it itself.
type NoRecord struct {
	Caller Caller
	Type   models.CredentialType
}

// RecordsChanged tells a move waiting at the records step that the
// passport may hold more than it did: the move looks again at what is
// still missing, and its reply shows it.
type RecordsChanged struct {
	Caller Caller
}

// ExtendDeadline moves the deadline later.
type ExtendDeadline struct {
	Caller      Caller
	NewDeadline time.Time
}
