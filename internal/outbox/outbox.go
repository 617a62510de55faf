// Package outbox makes the database the source of truth for a move's
// emails. A notification's row, with the email sealed in it, is written
// before anything is queued; the queue (asynq on Redis) only carries it. A
// sweeper looks again at rows still unsent after a few minutes: one the
// queue has lost is queued again (the task ID keeps it to one delivery),
// and an outcome the row missed (sent, or failed for good, while the
// database was away) is recorded. Statuses only move forward.
package outbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/nhs-staff-passport/passport/internal/jobs"
	"github.com/nhs-staff-passport/passport/internal/secretbox"
	"github.com/nhs-staff-passport/passport/internal/store"
	"github.com/nhs-staff-passport/passport/models"
)

// Queue carries emails to the delivery workers; *jobs.Enqueuer is one.
// QueueEmail says whether it queued the email now (false: it held it).
type Queue interface {
	QueueEmail(ctx context.Context, key string, e jobs.Email) (bool, error)
}

// States tells where a queued email is ("" when the queue does not know
// it) and how full the delivery queues are; *jobs.Deliveries is one.
type States interface {
	EmailState(key string) (string, error)
	QueueSizes() ([]jobs.QueueSize, error)
}

const (
	// StaleAfter is how long a notification may sit unsent before the
	// sweeper asks the queue about it: longer than a healthy queue takes.
	StaleAfter = 3 * time.Minute
	// lookBack bounds the sweep to notifications of the last 20 hours: the
	// queue keeps a sent email's task a day, so within that time a task
	// the queue no longer holds was lost, not sent and forgotten.
	lookBack = 20 * time.Hour
	// sweepBatch bounds one sweep's work.
	sweepBatch = 500
)

// Outbox writes and queues a move's emails, and sweeps up after faults.
type Outbox struct {
	store  *store.Store
	queue  Queue
	states States
	box    *secretbox.Box
	log    *slog.Logger
	now    func() time.Time

	mu     sync.Mutex
	stats  store.NotificationStats
	queues []jobs.QueueSize
	at     time.Time // when stats were read
	// Deliveries counts email deliveries by outcome (sent, retrying,
	// failed) as this process saw them.
	deliveries *prometheus.CounterVec
}

// New builds the outbox; secret is the service's secret key (the sealed
// emails' key is derived from it). states may be nil where nothing sweeps
// (the API process).
func New(st *store.Store, q Queue, states States, secret []byte, log *slog.Logger) (*Outbox, error) {
	box, err := secretbox.New(secret, "notifications/v1")
	if err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Outbox{store: st, queue: q, states: states, box: box, log: log, now: time.Now,
		deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "passport_email_deliveries_total",
			Help: "Attempts to deliver a move's email, by outcome: sent, retrying (will be tried again), failed (given up).",
		}, []string{"outcome"})}, nil
}

// Send records the notification with its email sealed in it and queues the
// email. Run again (an activity retried), it changes nothing recorded and
// queues nothing a second time: an email already sent is not queued again.
func (o *Outbox) Send(ctx context.Context, n models.Notification, e jobs.Email) error {
	payload, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	now := o.now().UTC()
	n.Status, n.Sealed, n.CreatedAt, n.UpdatedAt = models.NotificationQueued, o.box.Seal(payload, []byte(n.ID)), now, now
	got, err := o.store.AddNotification(ctx, &n)
	if err != nil {
		return err
	}
	if got.Status == models.NotificationSent {
		return nil
	}
	_, err = o.queue.QueueEmail(ctx, n.ID, e)
	return err
}

// Sweep looks again at notifications unsent for StaleAfter: each one the
// queue no longer holds is queued again from its sealed copy; one the queue
// finished with has its outcome recorded. It returns how many it queued
// again.
func (o *Outbox) Sweep(ctx context.Context) (int, error) {
	now := o.now()
	rows, err := o.store.StaleNotifications(ctx, now.Add(-StaleAfter), now.Add(-lookBack), sweepBatch)
	if err != nil {
		return 0, err
	}
	requeued := 0
	var errs []error
	for _, n := range rows {
		state, err := o.states.EmailState(n.ID)
		if err != nil {
			return requeued, err // the queue is away: try again next time
		}
		switch state {
		case "completed":
			err = o.store.SetNotificationStatus(ctx, n.ID, models.NotificationSent, "")
		case "archived":
			err = o.store.SetNotificationStatus(ctx, n.ID, models.NotificationFailed, n.Error)
		case "": // or a queue the inspector cannot see; queuing again is a no-op if it holds the email
			var again bool
			if again, err = o.requeue(ctx, n); again {
				requeued++
				o.log.Warn("queued an email again that the queue had lost", "notification", n.ID)
			}
		default: // waiting, running or between retries: still on its way
			err = o.store.TouchNotification(ctx, n.ID, now)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("notification %s: %w", n.ID, err))
		}
	}
	return requeued, errors.Join(errs...)
}

func (o *Outbox) requeue(ctx context.Context, n models.Notification) (bool, error) {
	if len(n.Sealed) == 0 {
		return false, errors.New("outbox: nothing sealed to send again")
	}
	payload, err := o.box.Open(n.Sealed, []byte(n.ID))
	if err != nil {
		return false, err
	}
	var e jobs.Email
	if err := json.Unmarshal(payload, &e); err != nil {
		return false, fmt.Errorf("outbox: %w", err)
	}
	again, err := o.queue.QueueEmail(ctx, n.ID, e)
	if err != nil {
		return false, err
	}
	return again, o.store.TouchNotification(ctx, n.ID, o.now())
}

// Run sweeps every interval, and reads the outbox's figures for /metrics,
// until ctx ends. A sweep that fails (the database or the queue away) is
// only logged: the next one tries again.
func (o *Outbox) Run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if _, err := o.Sweep(ctx); err != nil && ctx.Err() == nil {
			o.log.Warn("outbox sweep", "err", err)
		}
		if st, err := o.store.NotificationStats(ctx); err == nil {
			o.mu.Lock()
			o.stats, o.at = st, o.now()
			o.mu.Unlock()
		}
		if qs, err := o.states.QueueSizes(); err == nil {
			o.mu.Lock()
			o.queues = qs
			o.mu.Unlock()
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// recordRetries bounds how long an outcome the database would not take is
// tried again in the background: past it (or past the process), the sweep
// records it from what the queue knows.
const recordRetries = 2 * time.Minute

// record writes a delivery's outcome, trying again in the background while
// the database is away, so an outcome is not dropped with a blip.
func (o *Outbox) record(ctx context.Context, what, key string, write func(context.Context) error) {
	if err := write(ctx); err == nil {
		return
	}
	go func() {
		ctx := context.WithoutCancel(ctx)
		// Real time, as the waits are (o.now may be a test's clock).
		deadline := time.Now().Add(recordRetries)
		for wait := time.Second; ; wait = min(2*wait, 15*time.Second) {
			time.Sleep(wait)
			err := write(ctx)
			if err == nil {
				return
			}
			if time.Now().After(deadline) {
				o.log.Warn("could not record "+what+"; the outbox sweep records it later", "notification", key, "err", err)
				return
			}
		}
	}()
}

// Sent reports whether the notification is recorded as sent (a task run
// again after a worker died before acknowledging it). An unknown key (a
// sign-in link) or a database away says no: better twice than never.
func (o *Outbox) Sent(ctx context.Context, key string) bool {
	sent, err := o.store.NotificationSent(ctx, key)
	return err == nil && sent
}

// Delivered records a sent email.
func (o *Outbox) Delivered(ctx context.Context, key string) {
	o.deliveries.WithLabelValues("sent").Inc()
	o.record(ctx, "a delivery", key, func(ctx context.Context) error {
		return o.store.SetNotificationStatus(ctx, key, models.NotificationSent, "")
	})
}

// Retrying records a failed attempt that will be tried again, so the move's
// page and the operators see the delivery failing, and since when.
func (o *Outbox) Retrying(ctx context.Context, key, reason string) {
	o.deliveries.WithLabelValues("retrying").Inc()
	at := o.now()
	o.record(ctx, "a failed attempt", key, func(ctx context.Context) error {
		return o.store.NotificationAttemptFailed(ctx, key, reason, at)
	})
}

// Failed records a delivery given up on.
func (o *Outbox) Failed(ctx context.Context, key, reason string) {
	o.deliveries.WithLabelValues("failed").Inc()
	o.record(ctx, "a failed delivery", key, func(ctx context.Context) error {
		return o.store.SetNotificationStatus(ctx, key, models.NotificationFailed, reason)
	})
}

var (
	unsentDesc  = prometheus.NewDesc("passport_notifications_unsent", "A move's emails recorded and not yet sent.", nil, nil)
	failingDesc = prometheus.NewDesc("passport_notifications_failing", "Unsent emails whose delivery has failed at least once and will be tried again.", nil, nil)
	failedDesc  = prometheus.NewDesc("passport_notifications_failed", "Emails given up on, waiting for an operator's retry.", nil, nil)
	oldestDesc  = prometheus.NewDesc("passport_notification_oldest_unsent_seconds", "Age of the oldest email not yet sent (0 when none).", nil, nil)
	queueDesc   = prometheus.NewDesc("passport_delivery_queue_tasks", "Delivery tasks in the queue (email, webhook), by state (pending, active, scheduled, retry, archived).", []string{"queue", "state"}, nil)
)

// Describe and Collect make the outbox a Prometheus collector: its figures
// as of the last sweep (at most a sweep interval old), and the deliveries
// counted.
func (o *Outbox) Describe(ch chan<- *prometheus.Desc) {
	ch <- unsentDesc
	ch <- failingDesc
	ch <- failedDesc
	ch <- oldestDesc
	ch <- queueDesc
	o.deliveries.Describe(ch)
}

// Collect reports the figures.
func (o *Outbox) Collect(ch chan<- prometheus.Metric) {
	o.mu.Lock()
	st, at, queues := o.stats, o.at, o.queues
	o.mu.Unlock()
	for _, q := range queues {
		for state, n := range map[string]int{"pending": q.Pending, "active": q.Active, "scheduled": q.Scheduled, "retry": q.Retry, "archived": q.Archived} {
			ch <- prometheus.MustNewConstMetric(queueDesc, prometheus.GaugeValue, float64(n), q.Queue, state)
		}
	}
	oldest := 0.0
	if st.OldestUnsent != nil {
		oldest = at.Sub(*st.OldestUnsent).Seconds()
	}
	ch <- prometheus.MustNewConstMetric(unsentDesc, prometheus.GaugeValue, float64(st.Unsent))
	ch <- prometheus.MustNewConstMetric(failingDesc, prometheus.GaugeValue, float64(st.Failing))
	ch <- prometheus.MustNewConstMetric(failedDesc, prometheus.GaugeValue, float64(st.Failed))
	ch <- prometheus.MustNewConstMetric(oldestDesc, prometheus.GaugeValue, oldest)
	o.deliveries.Collect(ch)
}
