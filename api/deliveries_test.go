package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/nhs-staff-passport/passport/api"
	"github.com/nhs-staff-passport/passport/internal/jobs"
	"github.com/nhs-staff-passport/passport/models"
)

// failing records an email whose delivery has failed since ago.
func failing(t *testing.T, h *harness, key string, ago time.Duration) {
	t.Helper()
	ctx := context.Background()
	n := models.Notification{ID: key, MoveID: "00000000-0000-0000-0000-000000000001", Template: "invitation", Recipient: "staff",
		Status: models.NotificationQueued, CreatedAt: time.Now(), UpdatedAt: time.Now()}
	if _, err := h.store.AddNotification(ctx, &n); err != nil {
		t.Fatal(err)
	}
	if err := h.store.NotificationAttemptFailed(ctx, key, "421 4.3.2 service not available", time.Now().Add(-ago)); err != nil {
		t.Fatal(err)
	}
}

// A relay that refuses shows to operators before anything fails for good:
// the API lists the emails being retried, with since when and why.
func TestOperatorsSeeDeliveriesBeingRetried(t *testing.T) {
	h := newHarness(t, func(o *api.Options) { o.Deliveries = &jobs.Deliveries{} })
	failing(t, h, "m/invitation/staff/0", 5*time.Minute)
	var list []struct {
		Key          string
		FailingSince time.Time `json:"failing_since"`
		Error        string
	}
	if rec := h.do("RJ1/operator", http.MethodGet, "/api/v1/deliveries/retrying", nil, &list); rec.Code != http.StatusOK {
		t.Fatalf("%d", rec.Code)
	}
	if len(list) != 1 || list[0].Key != "m/invitation/staff/0" || !strings.Contains(list[0].Error, "421") || time.Since(list[0].FailingSince) < 4*time.Minute {
		t.Errorf("retrying deliveries: %+v", list)
	}
	if rec := h.do("RJ1/trust_admin", http.MethodGet, "/api/v1/deliveries/retrying", nil, nil); rec.Code != http.StatusForbidden {
		t.Errorf("a trust admin: %d", rec.Code)
	}
}

// The operators' page says email is not going out once an email has kept
// failing for three minutes, and not for a blip.
func TestOperatorsPageSaysWhenEmailIsNotGoingOut(t *testing.T) {
	ph := newPortalHarness(t)
	op := ph.signIn("RJ1/operator")
	failing(t, ph.harness, "m/invitation/staff/1", 30*time.Second)
	if page := op.send("GET", "/portal/operator", nil).Body.String(); strings.Contains(page, "Email is not going out") || !strings.Contains(page, "Emails being retried") {
		t.Error("a 30-second blip raised the alarm, or the retried emails are not listed")
	}
	failing(t, ph.harness, "m/consent/staff/2", 4*time.Minute)
	page := op.send("GET", "/portal/operator", nil).Body.String()
	if !strings.Contains(page, "Email is not going out") || !strings.Contains(page, "421 4.3.2") {
		t.Error("four minutes of failing email do not show on the operators' page")
	}
}
