// Package activities holds every side effect the workflows ask for. Each
// activity is idempotent, since Temporal runs it at least once, and reaches
// the outside world only through what is injected here.
package activities

import (
	"context"
	"time"

	"github.com/nhs-staff-passport/passport/internal/credentials"
	"github.com/nhs-staff-passport/passport/internal/jobs"
	"github.com/nhs-staff-passport/passport/internal/linktoken"
	"github.com/nhs-staff-passport/passport/internal/store"
	"github.com/nhs-staff-passport/passport/models"
)

// EmailQueue queues an email for delivery; the same key queued twice sends
// one email. *jobs.Enqueuer is one.
type EmailQueue interface {
	EnqueueEmail(ctx context.Context, key string, e jobs.Email) error
}

// Outbox records a move's notification and queues its email;
// *outbox.Outbox is one.
type Outbox interface {
	Send(ctx context.Context, n models.Notification, e jobs.Email) error
}

// Emitter queues webhook events to the trusts that subscribed;
// *webhooks.Service is one.
type Emitter interface {
	Emit(ctx context.Context, trusts []string, eventType, key string, data map[string]string, at time.Time) error
}

// emit tells the trusts' systems, when webhooks are set up.
func (a *Activities) emit(ctx context.Context, trusts []string, eventType, key string, data map[string]string) error {
	if a.Webhooks == nil {
		return nil
	}
	return a.Webhooks.Emit(ctx, trusts, eventType, key, data, a.now())
}

// Activities is registered with the Temporal worker as one struct; its
// exported methods are the activities.
type Activities struct {
	Email EmailQueue
	// Outbox records and queues a move's notifications (the database
	// first, so none is lost with the queue).
	Outbox      Outbox
	Store       *store.Store
	Credentials *credentials.Service
	Links       *linktoken.Signer
	// Webhooks, if set, tells trusts' systems what happens to their moves.
	Webhooks Emitter
	// PublicURL starts every link in an email.
	PublicURL string
	Now       func() time.Time
}

func (a *Activities) now() time.Time {
	if a.Now != nil {
		return a.Now()
	}
	return time.Now()
}
