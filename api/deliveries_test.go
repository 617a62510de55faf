package api_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/hibiken/asynq"

	"github.com/nhs-staff-passport/passport/api"
	"github.com/nhs-staff-passport/passport/internal/jobs"
	"github.com/nhs-staff-passport/passport/internal/testenv"
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
