package api_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/nhs-staff-passport/passport/api"
	"github.com/nhs-staff-passport/passport/internal/jobs"
	"github.com/nhs-staff-passport/passport/internal/testenv"
)

// A relay that refuses shows to operators before anything fails for good:
// the API lists the emails being retried, with since when and why.
func TestOperatorsSeeDeliveriesBeingRetried(t *testing.T) {
	h := newHarness(t, func(o *api.Options) { o.Deliveries = &jobs.Deliveries{} })
	testenv.FailingEmail(t, h.store, "m/invitation/staff/0", 5*time.Minute)
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
