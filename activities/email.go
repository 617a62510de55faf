package activities

import (
	"context"
	"errors"

	"go.temporal.io/sdk/temporal"

	"github.com/nhs-staff-passport/passport/internal/jobs"
)

// ErrTypeInvalidEmail is the application error type of an email that can
// never be sent as asked; the workflow does not retry it.
const ErrTypeInvalidEmail = "InvalidEmail"

// SendEmailInput is one email to queue. Key makes it idempotent: use one
// derived from the move and step (for example "move-<id>/invite/1"), never
// from personal data.
type SendEmailInput struct {
	Key     string
	To      string
	Subject string
	Text    string
	HTML    string
}

// SendEmail queues the email for delivery. Delivery itself (SMTP, retries
// with backoff) happens in the asynq worker, so the activity finishes as soon
// as the task is safely queued.
func (a *Activities) SendEmail(ctx context.Context, in SendEmailInput) error {
	if in.Key == "" || in.To == "" || in.Subject == "" || in.Text == "" {
		return temporal.NewNonRetryableApplicationError("an email needs a key, a recipient, a subject and a text", ErrTypeInvalidEmail, errors.New("incomplete email"))
	}
	return a.Email.EnqueueEmail(ctx, in.Key, jobs.Email{To: in.To, Subject: in.Subject, Text: in.Text, HTML: in.HTML})
}
