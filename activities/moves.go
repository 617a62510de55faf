package activities

import "github.com/nhs-staff-passport/passport/models"

// Application error types of the move activities. The workflow treats all
// failures alike (the step fails and waits for a retry), but a type that is
// not retryable fails at once instead of after the retry policy.
const (
	ErrTypeNotFound = "NotFound"
	ErrTypeInvalid  = "Invalid"
)

// Notification templates.
const (
	TemplateInvitation       = "invitation"
	TemplateIdentity         = "identity"
	TemplateConsent          = "consent"
	TemplateRecordsRequested = "records_requested"
	TemplateSharesReceived   = "shares_received"
	TemplateReminder         = "reminder"
	TemplateEscalation       = "escalation"
	TemplateStepFailed       = "step_failed"
	TemplatePaused           = "paused"
	TemplateResumed          = "resumed"
	TemplateCompleted        = "completed"
	TemplateClosed           = "closed"
	TemplateCancelled        = "cancelled"
	TemplateDeclined         = "declined"
	TemplateExpired          = "expired"
	TemplateConsentWithdrawn = "consent_withdrawn"
)

// NoticeInput names one notification of a move. N numbers repeats (0 for
// the first, 1 for the first reminder...), so every send has its own
// stable key.
type NoticeInput struct {
	MoveID   string
	Template string
	Stage    string // the stage a reminder or escalation is about
	N        int
	Reason   string // for failures, cancellations and declines
}

// IdentityInput records a verified identity as a credential.
type IdentityInput struct {
	MoveID string
	Method string
	Claims string // identity claims JSON
	// VerifiedBy is the trust that checked (the sending trust for a manual
	// check; the sending trust on behalf of a provider).
	VerifiedBy string
}

// RecordsInput asks what a move's passport still lacks of what the
// receiving trust asked for. N numbers the requests to the sending trust
// (0 the first, then reminders); NoRecord are the types the sending trust
// answered it holds no record of, left out of the answer.
type RecordsInput struct {
	MoveID   string
	N        int
	NoRecord []models.CredentialType
}

// TransferInput shares the consented credentials with the receiving trust.
type TransferInput struct {
	MoveID string
	Types  []models.CredentialType
	// WordingVersion is the consent wording the staff member agreed to.
	WordingVersion string
}

// RevokeInput withdraws the receiving trust's access to a move's shares.
type RevokeInput struct {
	MoveID string
	Reason string
}
