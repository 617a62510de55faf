// Package jobs holds the asynq delivery tasks: every email (and, later,
// webhook) goes out as a queued task that is retried with backoff,
// deduplicated by a stable task ID and archived for operators when it
// finally fails.
package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/nhs-staff-passport/passport/internal/mail"
)

// TypeSendEmail is the task type of one email to one recipient.
const TypeSendEmail = "email:send"

// QueueEmail is the queue emails that ask someone to act wait in; notices
// (a move completed, cancelled, held; credentials expiring) wait in
// QueueNotices, served after them.
const (
	QueueEmail   = "email"
	QueueNotices = "notices"
)

// emailQueues are the queues an email may be in.
var emailQueues = []string{QueueEmail, QueueNotices}

// DefaultMailRate is how many emails a second every worker together sends
// unless PASSPORT_MAIL_RATE says otherwise: a 1,000-row rotation's
// invitations go out in 10 s.
const DefaultMailRate = 100

// mailRateKey is the Redis key the workers share their rate of sending by.
const mailRateKey = "passport:mail-rate"

// sendRate keeps every worker that shares a Redis within one rate of
// sending (GCRA, in Redis: github.com/go-redis/redis_rate).
type sendRate struct {
	lim *redis_rate.Limiter
	per redis_rate.Limit
}

func newSendRate(rdb redis.UniversalClient, perSecond int) *sendRate {
	return &sendRate{lim: redis_rate.NewLimiter(rdb), per: redis_rate.PerSecond(perSecond)}
}

// wait returns once this worker may send one email.
func (r *sendRate) wait(ctx context.Context) error {
	for {
		res, err := r.lim.Allow(ctx, mailRateKey, r.per)
		if err != nil {
			return fmt.Errorf("jobs: mail rate: %w", err)
		}
		if res.Allowed > 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(res.RetryAfter):
		}
	}
}

// emailTaskPrefix starts the task ID of an email; the rest is its key.
const emailTaskPrefix = "email:"

// Email is the payload of a TypeSendEmail task.
type Email struct {
	To      string `json:"to"`
	Subject string `json:"subject"`
	Text    string `json:"text"`
	HTML    string `json:"html,omitempty"`
	// Notice: the email tells rather than asks someone to act; it waits
	// in QueueNotices.
	Notice bool `json:"notice,omitempty"`
}

// emailRetries is how often a failed email is tried again before it is
// archived for an operator: with emailRetryDelay, about 12 hours.
const emailRetries = 80

// emailRetryDelay spaces an email's attempts: doubling from 5 seconds to
// a minute for the first half hour (a relay back from an outage of minutes
// gets its backlog within a minute, not after asynq's default backoff of
// up to n^4 seconds, which left emails 6 minutes late after a 3-minute
// outage), then every 15 minutes.
func emailRetryDelay(n int) time.Duration {
	if n >= 30 {
		return 15 * time.Minute
	}
	return min(5*time.Second<<min(n, 10), time.Minute)
}

// Enqueuer puts delivery tasks on the queue.
type Enqueuer struct {
	client *asynq.Client
	// Keep is how long a sent email's task is kept (default a day): the
	// outbox's sweep reads a sent email's outcome from it when recording
	// the outcome failed, within minutes. Dev mode keeps them an hour, so
	// its in-process Redis stays small.
	Keep time.Duration
}

// NewEnqueuer wraps an asynq client; the caller closes the client.
func NewEnqueuer(c *asynq.Client) *Enqueuer { return &Enqueuer{client: c} }

// EnqueueEmail queues e under key. The same key enqueued again while the
// first task is queued, running or kept after completion (a day) is a no-op,
// so callers that run at least once (Temporal activities) send one email.
func (q *Enqueuer) EnqueueEmail(ctx context.Context, key string, e Email) error {
	_, err := q.QueueEmail(ctx, key, e)
	return err
}

// QueueEmail is EnqueueEmail that also says whether the email was queued
// now (false: the queue held it already).
func (q *Enqueuer) QueueEmail(ctx context.Context, key string, e Email) (bool, error) {
	if key == "" {
		return false, errors.New("jobs: an email needs an idempotency key")
	}
	payload, err := json.Marshal(e)
	if err != nil {
		return false, fmt.Errorf("jobs: encode email: %w", err)
	}
	queue, keep := QueueEmail, q.Keep
	if e.Notice {
		queue = QueueNotices
	}
	if keep <= 0 {
		keep = 24 * time.Hour
	}
	task := asynq.NewTask(TypeSendEmail, payload,
		asynq.TaskID(emailTaskPrefix+key),
		asynq.Queue(queue),
		asynq.MaxRetry(emailRetries),
		asynq.Timeout(time.Minute),
		asynq.Retention(keep),
	)
	_, err = q.client.EnqueueContext(ctx, task)
	if errors.Is(err, asynq.ErrTaskIDConflict) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("jobs: enqueue email: %w", err)
	}
	return true, nil
}

// Mailer sends one email; *mail.Sender is one.
type Mailer interface {
	Send(ctx context.Context, e mail.Email) error
}

// handleEmail delivers a TypeSendEmail task. The task ID becomes the
// Message-ID so that a retry after a lost acknowledgement can be recognised.
func handleEmail(m Mailer, limit *sendRate, obs Observer) asynq.HandlerFunc {
	return func(ctx context.Context, t *asynq.Task) error {
		var e Email
		if err := json.Unmarshal(t.Payload(), &e); err != nil {
			return fmt.Errorf("jobs: decode email: %v: %w", err, asynq.SkipRetry)
		}
		id, _ := asynq.GetTaskID(ctx)
		key := strings.TrimPrefix(id, emailTaskPrefix)
		// A task run again after its worker died between recording the
		// delivery and acknowledging the task is not sent twice.
		if obs != nil && obs.Sent(ctx, key) {
			return nil
		}
		if err := limit.wait(ctx); err != nil {
			return err
		}
		err := m.Send(ctx, mail.Email{To: e.To, Subject: e.Subject, Text: e.Text, HTML: e.HTML, MessageID: messageID(id)})
		if errors.Is(err, mail.ErrPermanent) {
			return fmt.Errorf("%v: %w", err, asynq.SkipRetry)
		}
		if err == nil && obs != nil {
			obs.Delivered(ctx, key)
		}
		return err
	}
}

func messageID(taskID string) string {
	if taskID == "" {
		return ""
	}
	return fmt.Sprintf("%x@staff-passport", []byte(taskID))
}
