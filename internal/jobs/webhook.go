package jobs

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/hibiken/asynq"

	"github.com/nhs-staff-passport/passport/internal/hmacsig"
)

// TypeWebhook is the task type of one event to one endpoint.
const TypeWebhook = "webhook:deliver"

// QueueWebhook is the queue webhook deliveries wait in.
const QueueWebhook = "webhook"

// webhookTaskPrefix starts the task ID of a webhook delivery.
const webhookTaskPrefix = "webhook:"

// SignatureHeader carries the signature of a webhook delivery:
// "t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">".
const SignatureHeader = "X-Passport-Signature"

// Event is a webhook's thin payload: what happened and to what. Receivers
// fetch the details with their API key.
type Event struct {
	ID        string            `json:"id"`
	Type      string            `json:"type"`
	CreatedAt time.Time         `json:"created_at"`
	Data      map[string]string `json:"data"` // move_id, share_id, stage
}

type webhookTask struct {
	EndpointID string `json:"endpoint_id"`
	Event      Event  `json:"event"`
}

// EnqueueWebhook queues one event for one endpoint; the same event for the
// same endpoint queued again is a no-op.
func (q *Enqueuer) EnqueueWebhook(ctx context.Context, endpointID string, e Event) error {
	payload, err := json.Marshal(webhookTask{EndpointID: endpointID, Event: e})
	if err != nil {
		return err
	}
	_, err = q.client.EnqueueContext(ctx, asynq.NewTask(TypeWebhook, payload,
		asynq.TaskID(webhookTaskPrefix+e.ID+"/"+endpointID), asynq.Queue(QueueWebhook),
		asynq.MaxRetry(10), asynq.Timeout(30*time.Second), asynq.Retention(24*time.Hour)))
	if errors.Is(err, asynq.ErrTaskIDConflict) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("jobs: enqueue webhook: %w", err)
	}
	return nil
}

// Endpoints finds where a webhook goes and the secret that signs it.
type Endpoints interface {
	WebhookTarget(ctx context.Context, id string) (url string, secret []byte, active bool, err error)
}

func handleWebhook(ends Endpoints, hc *http.Client) asynq.HandlerFunc {
	return func(ctx context.Context, t *asynq.Task) error {
		var wt webhookTask
		if err := json.Unmarshal(t.Payload(), &wt); err != nil {
			return fmt.Errorf("jobs: decode webhook: %v: %w", err, asynq.SkipRetry)
		}
		url, secret, active, err := ends.WebhookTarget(ctx, wt.EndpointID)
		if err != nil {
			return err
		}
		if !active {
			return nil // the trust removed the endpoint: nothing to deliver
		}
		body, err := json.Marshal(wt.Event)
		if err != nil {
			return fmt.Errorf("%v: %w", err, asynq.SkipRetry)
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
		if err != nil {
			return fmt.Errorf("%v: %w", err, asynq.SkipRetry)
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("User-Agent", "StaffPassport-Webhooks/1")
		req.Header.Set("X-Passport-Event", wt.Event.Type)
		req.Header.Set("X-Passport-Event-Id", wt.Event.ID)
		req.Header.Set(SignatureHeader, hmacsig.Sign(secret, body, time.Now()))
		res, err := hc.Do(req)
		if errors.Is(err, errNotPublic) {
			return fmt.Errorf("jobs: webhook: %w: %w", err, asynq.SkipRetry)
		}
		if err != nil {
			return fmt.Errorf("jobs: webhook: %w", err)
		}
		_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
		res.Body.Close()
		if res.StatusCode < 200 || res.StatusCode > 299 {
			return fmt.Errorf("jobs: webhook answered %s", res.Status) // a redirect too: it is not followed
		}
		return nil
	}
}
