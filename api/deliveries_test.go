package api_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/hibiken/asynq"

	"github.com/nhs-staff-passport/passport/api"
	"github.com/nhs-staff-passport/passport/internal/jobs"
	"github.com/nhs-staff-passport/passport/internal/testenv"
	"github.com/nhs-staff-passport/passport/internal/webhooks"
)

func TestOperatorsRetryFailedDeliveries(t *testing.T) {
	rdb := testenv.Redis(t)
	insp := asynq.NewInspectorFromRedisClient(rdb)
	h := newHarness(t, func(o *api.Options) { o.Deliveries = jobs.NewDeliveries(insp) })

	// One email that failed for good.
	q := jobs.NewEnqueuer(asynq.NewClientFromRedisClient(rdb))
	if err := q.EnqueueEmail(context.Background(), "move-9/invitation/staff/0", jobs.Email{To: "x@example.org", Subject: "s", Text: "t"}); err != nil {
		t.Fatal(err)
	}
	if err := insp.ArchiveTask(jobs.QueueEmail, "email:move-9/invitation/staff/0"); err != nil {
		t.Fatal(err)
	}

	if rec := h.do("RJ1/trust_admin", http.MethodGet, "/api/v1/deliveries/failed", nil, nil); rec.Code != http.StatusForbidden {
		t.Errorf("a trust admin listing failed deliveries: %d", rec.Code)
	}
	var failed []jobs.FailedDelivery
	if rec := h.do("RRK/operator", http.MethodGet, "/api/v1/deliveries/failed", nil, &failed); rec.Code != http.StatusOK || len(failed) != 1 || failed[0].Key != "move-9/invitation/staff/0" {
		t.Fatalf("failed deliveries: %d %s", rec.Code, rec.Body)
	}
	if rec := h.do("RRK/operator", http.MethodPost, "/api/v1/deliveries/retry", map[string]string{"key": "nope"}, nil); rec.Code != http.StatusNotFound {
		t.Errorf("retry of an unknown delivery: %d", rec.Code)
	}
	if rec := h.do("RRK/operator", http.MethodPost, "/api/v1/deliveries/retry", map[string]string{"key": failed[0].Key}, nil); rec.Code != http.StatusAccepted {
		t.Fatalf("retry: %d %s", rec.Code, rec.Body)
	}
	h.do("RRK/operator", http.MethodGet, "/api/v1/deliveries/failed", nil, &failed)
	if len(failed) != 0 {
		t.Errorf("after a retry the delivery is still listed as failed: %+v", failed)
	}
	info, err := insp.GetTaskInfo(jobs.QueueEmail, "email:move-9/invitation/staff/0")
	if err != nil || info.State != asynq.TaskStatePending {
		t.Errorf("the task is not queued again: %+v %v", info, err)
	}
}

func TestTrustsSeeAndRetryTheirFailedWebhooks(t *testing.T) {
	rdb := testenv.Redis(t)
	insp := asynq.NewInspectorFromRedisClient(rdb)
	q := jobs.NewEnqueuer(asynq.NewClientFromRedisClient(rdb))
	var wh *webhooks.Service
	h := newHarness(t, func(o *api.Options) {
		var err error
		if wh, err = webhooks.New(o.Store, []byte("0123456789abcdef0123456789abcdef"), q); err != nil {
			t.Fatal(err)
		}
		o.Webhooks, o.Deliveries = wh, jobs.NewDeliveries(insp)
	})
	var ep struct{ ID, Secret string }
	if rec := h.do("RJ1/trust_admin", http.MethodPost, "/api/v1/trusts/RJ1/webhooks",
		map[string]any{"url": "https://esr.example.nhs.uk/hooks", "events": []string{"move.completed"}}, &ep); rec.Code != http.StatusCreated || ep.Secret == "" {
		t.Fatalf("register: %d %s", rec.Code, rec.Body)
	}
	if rec := h.do("RJ1/trust_admin", http.MethodPost, "/api/v1/trusts/RJ1/webhooks",
		map[string]any{"url": "http://esr.example.nhs.uk/hooks", "events": []string{"move.completed"}}, nil); rec.Code != http.StatusUnprocessableEntity {
		t.Errorf("plain http to a remote host: %d, want 422", rec.Code)
	}
	var listed []struct{ ID, Secret string }
	h.do("RJ1/hr", http.MethodGet, "/api/v1/trusts/RJ1/webhooks", nil, &listed)
	if len(listed) != 1 || listed[0].Secret != "" {
		t.Errorf("the list must not show secrets: %+v", listed)
	}

	ev := jobs.Event{ID: "ev-9", Type: "move.completed", Data: map[string]string{"move_id": "m"}}
	if err := q.EnqueueWebhook(context.Background(), ep.ID, ev); err != nil {
		t.Fatal(err)
	}
	key := "webhook:ev-9/" + ep.ID
	if err := insp.ArchiveTask(jobs.QueueWebhook, key); err != nil {
		t.Fatal(err)
	}
	var failed []jobs.FailedDelivery
	if rec := h.do("RJ1/hr", http.MethodGet, "/api/v1/trusts/RJ1/webhooks/failures", nil, &failed); rec.Code != http.StatusOK || len(failed) != 1 || failed[0].Key != key {
		t.Fatalf("RJ1's failures: %d %s", rec.Code, rec.Body)
	}
	h.do("RRK/hr", http.MethodGet, "/api/v1/trusts/RRK/webhooks/failures", nil, &failed)
	if len(failed) != 0 {
		t.Errorf("RRK sees RJ1's failed webhooks: %+v", failed)
	}
	if rec := h.do("RRK/trust_admin", http.MethodPost, "/api/v1/trusts/RRK/webhooks/failures/retry", map[string]string{"key": key}, nil); rec.Code != http.StatusNotFound {
		t.Errorf("RRK retrying RJ1's delivery: %d", rec.Code)
	}
	if rec := h.do("RJ1/trust_admin", http.MethodPost, "/api/v1/trusts/RJ1/webhooks/failures/retry", map[string]string{"key": key}, nil); rec.Code != http.StatusAccepted {
		t.Fatalf("retry: %d %s", rec.Code, rec.Body)
	}
	if info, err := insp.GetTaskInfo(jobs.QueueWebhook, key); err != nil || info.State != asynq.TaskStatePending {
		t.Errorf("not queued again: %+v %v", info, err)
	}
	if rec := h.do("RJ1/trust_admin", http.MethodDelete, "/api/v1/trusts/RJ1/webhooks/"+ep.ID, nil, nil); rec.Code != http.StatusNoContent {
		t.Errorf("remove: %d", rec.Code)
	}
	if rec := h.do("RRK/trust_admin", http.MethodDelete, "/api/v1/trusts/RJ1/webhooks/"+ep.ID, nil, nil); rec.Code != http.StatusNotFound {
		t.Errorf("another trust removing: %d", rec.Code)
	}
}
