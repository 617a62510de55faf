package jobs

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hibiken/asynq"
)

// FailedDelivery is an email that will not be tried again by itself. It
// carries no address or content: operators see what failed and why.
type FailedDelivery struct {
	Key      string    `json:"key"` // the notification ID
	Type     string    `json:"type"`
	Error    string    `json:"error"`
	FailedAt time.Time `json:"failed_at"`
	Attempts int       `json:"attempts"`
}

// WebhookEndpointOf returns the endpoint a failed webhook delivery was for,
// from its key ("webhook:<event>/<endpoint>"), or "" for an email.
func WebhookEndpointOf(key string) string {
	rest, ok := strings.CutPrefix(key, webhookTaskPrefix)
	if !ok {
		return ""
	}
	_, endpoint, _ := strings.Cut(rest, "/")
	return endpoint
}

// ErrNoSuchDelivery is returned for a key with no failed delivery.
var ErrNoSuchDelivery = errors.New("jobs: no failed delivery with that key")

// Deliveries lets operators see and re-run deliveries that failed for good.
type Deliveries struct{ insp *asynq.Inspector }

// NewDeliveries wraps an inspector on the delivery queues.
func NewDeliveries(insp *asynq.Inspector) *Deliveries { return &Deliveries{insp: insp} }

// Failed lists the emails that failed for good, newest first (up to 500).
func (d *Deliveries) Failed() ([]FailedDelivery, error) {
	out := []FailedDelivery{}
	for _, q := range []struct{ queue, prefix string }{{QueueEmail, emailTaskPrefix}, {QueueNotices, emailTaskPrefix}, {QueueWebhook, webhookTaskPrefix}} {
		tasks, err := d.insp.ListArchivedTasks(q.queue, asynq.PageSize(500))
		if err != nil && !errors.Is(err, asynq.ErrQueueNotFound) {
			return nil, fmt.Errorf("jobs: list failed deliveries: %w", err)
		}
		for _, t := range tasks {
			key := strings.TrimPrefix(t.ID, q.prefix)
			if q.queue == QueueWebhook {
				key = t.ID // webhook keys keep their prefix, so Retry can tell them apart
			}
			out = append(out, FailedDelivery{
				Key: key, Type: t.Type, Error: redactAddresses(t.LastErr), FailedAt: t.LastFailedAt, Attempts: t.Retried + 1,
			})
		}
	}
	return out, nil
}

// Retry puts a failed delivery back on the queue, to be tried at once.
func (d *Deliveries) Retry(key string) error {
	queues, id := emailQueues, emailTaskPrefix+key
	if strings.HasPrefix(key, webhookTaskPrefix) {
		queues, id = []string{QueueWebhook}, key
	}
	for _, queue := range queues {
		err := d.insp.RunTask(queue, id)
		if errors.Is(err, asynq.ErrTaskNotFound) || errors.Is(err, asynq.ErrQueueNotFound) {
			continue
		}
		if err != nil {
			return fmt.Errorf("jobs: retry delivery: %w", err)
		}
		return nil
	}
	return ErrNoSuchDelivery
}

// EmailState says where the email queued under key is: "pending",
// "active", "scheduled", "retry", "archived" (failed for good) or
// "completed" (sent, kept a day), or "" when the queue does not hold it
// (never queued, kept past its day, or lost with the queue's data).
func (d *Deliveries) EmailState(key string) (string, error) {
	for _, queue := range emailQueues {
		info, err := d.insp.GetTaskInfo(queue, emailTaskPrefix+key)
		if errors.Is(err, asynq.ErrTaskNotFound) || errors.Is(err, asynq.ErrQueueNotFound) {
			continue
		}
		if err != nil {
			return "", fmt.Errorf("jobs: look up email: %w", err)
		}
		return info.State.String(), nil
	}
	return "", nil
}

// QueueSize is how many delivery tasks wait in one queue, by state.
type QueueSize struct {
	Queue                                       string
	Pending, Active, Scheduled, Retry, Archived int
}

// QueueSizes reports the delivery queues' sizes (a queue not yet used
// reports nothing).
func (d *Deliveries) QueueSizes() ([]QueueSize, error) {
	known, err := d.insp.Queues()
	if err != nil {
		return nil, fmt.Errorf("jobs: list queues: %w", err)
	}
	var out []QueueSize
	for _, q := range []string{QueueEmail, QueueNotices, QueueWebhook} {
		if !slices.Contains(known, q) {
			continue
		}
		info, err := d.insp.GetQueueInfo(q)
		if err != nil {
			return out, fmt.Errorf("jobs: queue %s: %w", q, err)
		}
		out = append(out, QueueSize{Queue: q, Pending: info.Pending, Active: info.Active, Scheduled: info.Scheduled, Retry: info.Retry, Archived: info.Archived})
	}
	return out, nil
}
