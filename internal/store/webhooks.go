package store

import (
	"context"
	"time"

	"github.com/nhs-staff-passport/passport/models"
)

// CreateWebhook stores an endpoint.
func (s *Store) CreateWebhook(ctx context.Context, w *models.WebhookEndpoint) error {
	return translate(s.db.WithContext(ctx).Create(w).Error, "create webhook")
}

// Webhooks returns a trust's endpoints in use.
func (s *Store) Webhooks(ctx context.Context, trust string) ([]models.WebhookEndpoint, error) {
	var out []models.WebhookEndpoint
	err := s.db.WithContext(ctx).Where("trust_ods = ? AND disabled_at IS NULL", trust).Order("created_at").Find(&out).Error
	return out, translate(err, "webhooks")
}

// Webhook returns one endpoint, disabled or not.
func (s *Store) Webhook(ctx context.Context, id string) (models.WebhookEndpoint, error) {
	var w models.WebhookEndpoint
	err := s.db.WithContext(ctx).First(&w, "id = ?", id).Error
	return w, translate(err, "webhook")
}

// DisableWebhook stops deliveries to a trust's endpoint.
func (s *Store) DisableWebhook(ctx context.Context, trust, id string) error {
	res := s.db.WithContext(ctx).Model(&models.WebhookEndpoint{}).
		Where("id = ? AND trust_ods = ? AND disabled_at IS NULL", id, trust).Update("disabled_at", time.Now().UTC())
	if res.Error != nil {
		return translate(res.Error, "disable webhook")
	}
	if res.RowsAffected == 0 {
		return translate(errNotFound, "webhook "+id)
	}
	return nil
}
