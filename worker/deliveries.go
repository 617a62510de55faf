package worker

import (
	"context"
	"log/slog"

	"github.com/nhs-staff-passport/passport/internal/store"
)

// NotificationLog records delivery outcomes on the moves' notifications,
// so a move's page shows "email to ... failed".
type NotificationLog struct {
	Store *store.Store
	Log   *slog.Logger
}

// Delivered marks a notification sent.
func (n NotificationLog) Delivered(ctx context.Context, key string) {
	if err := n.Store.SetNotificationStatus(ctx, key, "sent", ""); err != nil {
		n.Log.Warn("record delivery", "key", key, "err", err)
	}
}

// Failed marks a notification failed for good.
func (n NotificationLog) Failed(ctx context.Context, key, reason string) {
	if err := n.Store.SetNotificationStatus(ctx, key, "failed", reason); err != nil {
		n.Log.Warn("record failed delivery", "key", key, "err", err)
	}
}
