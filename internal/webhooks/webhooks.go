// Package webhooks keeps trusts' webhook endpoints and turns what happens
// to moves into signed, queued deliveries to them.
package webhooks

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/nhs-staff-passport/passport/internal/jobs"
	"github.com/nhs-staff-passport/passport/internal/secretbox"
	"github.com/nhs-staff-passport/passport/internal/store"
	"github.com/nhs-staff-passport/passport/models"
)

// Queue queues one event for one endpoint; *jobs.Enqueuer is one.
type Queue interface {
	EnqueueWebhook(ctx context.Context, endpointID string, e jobs.Event) error
}

// Service registers endpoints and emits events.
type Service struct {
	store *store.Store
	box   *secretbox.Box
	queue Queue
	// Dev lets endpoints be plain http and on this machine (development
	// mode only).
	Dev bool
}

// New makes the service; secret is PASSPORT_SECRET_KEY decoded. queue may
// be nil where only endpoints are managed or looked up.
func New(st *store.Store, secret []byte, queue Queue) (*Service, error) {
	box, err := secretbox.New(secret, "webhook-secrets/v1")
	if err != nil {
		return nil, err
	}
	return &Service{store: st, box: box, queue: queue}, nil
}

// Register adds an endpoint for a trust and returns it with its signing
// secret, which is shown this once.
func (s *Service) Register(ctx context.Context, actor models.Actor, trust, url string, events []string) (models.WebhookEndpoint, string, error) {
	if err := models.ValidateWebhook(url, events, s.Dev); err != nil {
		return models.WebhookEndpoint{}, "", err
	}
	raw := make([]byte, 24)
	_, _ = rand.Read(raw)
	secret := "whsec_" + base64.RawURLEncoding.EncodeToString(raw)
	w := models.WebhookEndpoint{ID: uuid.NewString(), TrustODS: trust, URL: url, Events: strings.Join(events, ","), CreatedAt: time.Now().UTC()}
	w.SealedSecret = s.box.Seal([]byte(secret), []byte(w.ID))
	err := s.store.Audited(ctx, actor, "webhook.registered", "trust", trust, map[string]any{"id": w.ID, "url": url, "events": w.Events},
		func(tx *store.Store) error { return tx.CreateWebhook(ctx, &w) })
	if err != nil {
		return models.WebhookEndpoint{}, "", err
	}
	return w, secret, nil
}

// WebhookTarget implements jobs.Endpoints.
func (s *Service) WebhookTarget(ctx context.Context, id string) (string, []byte, bool, error) {
	w, err := s.store.Webhook(ctx, id)
	if errors.Is(err, models.ErrNotFound) {
		return "", nil, false, nil
	}
	if err != nil {
		return "", nil, false, err
	}
	secret, err := s.box.Open(w.SealedSecret, []byte(w.ID))
	if err != nil {
		return "", nil, false, err
	}
	return w.URL, secret, w.DisabledAt == nil, nil
}

// eventNamespace makes event IDs from what happened, so an activity run
// twice emits the same event (and the queue drops the copy).
var eventNamespace = uuid.MustParse("3b0f8b5e-2b9a-4d0e-a7f6-5a7f1f0c9e11")

// Emit queues an event for every endpoint of the trusts that subscribed
// to it. key names the occurrence (for example "<move>/stage/consent").
func (s *Service) Emit(ctx context.Context, trusts []string, eventType, key string, data map[string]string, at time.Time) error {
	e := jobs.Event{ID: uuid.NewSHA1(eventNamespace, []byte(eventType+"/"+key)).String(), Type: eventType, CreatedAt: at.UTC(), Data: data}
	var errs []error
	for _, t := range trusts {
		ends, err := s.store.Webhooks(ctx, t)
		if err != nil {
			return err
		}
		for _, w := range ends {
			if w.Wants(eventType) {
				errs = append(errs, s.queue.EnqueueWebhook(ctx, w.ID, e))
			}
		}
	}
	return errors.Join(errs...)
}
