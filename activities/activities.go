// Package activities holds every side effect the workflows ask for. Each
// activity is idempotent, since Temporal runs it at least once, and reaches
// the outside world only through the small interfaces declared here.
package activities

import (
	"context"

	"github.com/nhs-staff-passport/passport/internal/jobs"
)

// EmailQueue queues an email for delivery; the same key queued twice sends
// one email. *jobs.Enqueuer is one.
type EmailQueue interface {
	EnqueueEmail(ctx context.Context, key string, e jobs.Email) error
}

// Activities is registered with the Temporal worker as one struct; its
// exported methods are the activities.
type Activities struct {
	Email EmailQueue
}
