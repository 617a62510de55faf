package store

import (
	"context"
	"time"

	"github.com/nhs-staff-passport/passport/models"
)

// CreateEnquiry stores an enquiry.
func (s *Store) CreateEnquiry(ctx context.Context, e *models.Enquiry) error {
	return translate(s.db.WithContext(ctx).Create(e).Error, "create enquiry")
}

// Enquiries lists enquiries with the status ("" for all), newest first.
func (s *Store) Enquiries(ctx context.Context, status string) ([]models.Enquiry, error) {
	q := s.db.WithContext(ctx).Order("created_at DESC").Limit(500)
	if status != "" {
		q = q.Where("status = ?", status)
	}
	var out []models.Enquiry
	return out, translate(q.Find(&out).Error, "enquiries")
}

// MarkEnquiryAnswered closes an open enquiry.
func (s *Store) MarkEnquiryAnswered(ctx context.Context, id string, at time.Time) error {
	res := s.db.WithContext(ctx).Model(&models.Enquiry{}).Where("id = ? AND status = 'open'", id).
		Updates(map[string]any{"status": "answered", "answered_at": at.UTC()})
	if res.Error != nil {
		return translate(res.Error, "answer enquiry")
	}
	if res.RowsAffected == 0 {
		return translate(errNotFound, "open enquiry "+id)
	}
	return nil
}
