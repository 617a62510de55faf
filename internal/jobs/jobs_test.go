package jobs_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/nhs-staff-passport/passport/internal/config"
	"github.com/nhs-staff-passport/passport/internal/hmacsig"
	"github.com/nhs-staff-passport/passport/internal/jobs"
	"github.com/nhs-staff-passport/passport/internal/mail"
	"github.com/nhs-staff-passport/passport/internal/mailcatcher"
	"github.com/nhs-staff-passport/passport/internal/testenv"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func TestEmailIsDeliveredOncePerKey(t *testing.T) {
	rdb := testenv.Redis(t)
	box, _ := mailcatcher.OpenMailbox("")
	srv, err := mailcatcher.Start("127.0.0.1:0", box, quiet)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	relay, _ := config.ParseSMTPURL("smtp://" + srv.Addr() + "?tls=none")
	sender, err := mail.NewSender(relay, "no-reply@passport.localhost")
	if err != nil {
		t.Fatal(err)
	}

	q := jobs.NewEnqueuer(asynq.NewClientFromRedisClient(rdb))
	ctx := context.Background()
	e := jobs.Email{To: "sam@example.org", Subject: "Your move", Text: "Open http://localhost/x"}
	// Temporal may run the activity that enqueues this more than once.
	for range 3 {
		if err := q.EnqueueEmail(ctx, "move-1/invite/1", e); err != nil {
			t.Fatal(err)
		}
	}
	if err := q.EnqueueEmail(ctx, "move-1/invite/2", e); err != nil {
		t.Fatal(err)
	}

	obs := &observer{}
	server, handler := jobs.NewServer(rdb, sender, jobs.ServerOptions{CheckInterval: 50 * time.Millisecond, Logger: quiet, Observer: obs})
	if err := server.Start(handler); err != nil {
		t.Fatal(err)
	}
	defer server.Shutdown()

	waitFor(t, func() bool { return len(box.Messages()) >= 2 })
	time.Sleep(300 * time.Millisecond) // room for a wrongly duplicated third
	if n := len(box.Messages()); n != 2 {
		t.Errorf("want 2 emails (one per key), got %d", n)
	}
	waitFor(t, func() bool { return len(obs.all()) == 2 })
	if got := strings.Join(obs.all(), ","); got != "sent move-1/invite/1,sent move-1/invite/2" && got != "sent move-1/invite/2,sent move-1/invite/1" {
		t.Errorf("deliveries reported: %s", got)
	}
}

type failingMailer struct {
	mu    sync.Mutex
	calls int
	err   error
}

func (f *failingMailer) Send(context.Context, mail.Email) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	return f.err
}

func (f *failingMailer) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls
}

func TestPermanentFailureIsArchivedWithoutRetry(t *testing.T) {
	rdb := testenv.Redis(t)
	m := &failingMailer{err: errors.Join(mail.ErrPermanent, errors.New("550 no such user <x@example.org>"))}
	obs := &observer{}
	insp := deliverOne(t, rdb, m, obs)
	waitFor(t, func() bool {
		archived, _ := insp.ListArchivedTasks(jobs.QueueEmail)
		return len(archived) == 1
	})
	if m.count() != 1 {
		t.Errorf("a permanent failure was tried %d times, want 1", m.count())
	}
	waitFor(t, func() bool { return obs.get() == "failed k" })
	if strings.Contains(obs.reason, "x@example.org") {
		t.Errorf("the failure reason keeps an address: %q", obs.reason)
	}
}

func TestTemporaryFailureIsRetried(t *testing.T) {
	rdb := testenv.Redis(t)
	m := &failingMailer{err: errors.New("421 try later")}
	obs := &observer{}
	insp := deliverOne(t, rdb, m, obs)
	waitFor(t, func() bool {
		retry, _ := insp.ListRetryTasks(jobs.QueueEmail)
		return len(retry) == 1 && retry[0].Retried == 1 && retry[0].MaxRetry > 1
	})
	if got := obs.get(); got != "" {
		t.Errorf("a delivery that will be retried was reported as %q", got)
	}
}

// deliverOne queues one email and runs a delivery server with m until the
// test ends; the inspector shows what became of the task.
func deliverOne(t *testing.T, rdb *redis.Client, m jobs.Mailer, obs jobs.Observer) *asynq.Inspector {
	t.Helper()
	q := jobs.NewEnqueuer(asynq.NewClientFromRedisClient(rdb))
	if err := q.EnqueueEmail(context.Background(), "k", jobs.Email{To: "x@example.org", Subject: "s", Text: "t"}); err != nil {
		t.Fatal(err)
	}
	server, handler := jobs.NewServer(rdb, m, jobs.ServerOptions{CheckInterval: 50 * time.Millisecond, Logger: quiet, Observer: obs})
	if err := server.Start(handler); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(server.Shutdown)
	return asynq.NewInspectorFromRedisClient(rdb)
}

// observer records the outcomes reported to it.
type observer struct {
	mu     sync.Mutex
	events []string
	reason string
}

func (o *observer) Delivered(_ context.Context, key string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.events = append(o.events, "sent "+key)
}

func (o *observer) Retrying(context.Context, string, string) {}

func (o *observer) Sent(context.Context, string) bool { return false }

func (o *observer) Failed(_ context.Context, key, reason string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.events = append(o.events, "failed "+key)
	o.reason = reason
}

func (o *observer) all() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]string(nil), o.events...)
}

func (o *observer) get() string {
	all := o.all()
	if len(all) == 0 {
		return ""
	}
	return all[len(all)-1]
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 15s")
		}
		time.Sleep(25 * time.Millisecond)
	}
}

func TestOperatorsSeeAndRetryFailedDeliveries(t *testing.T) {
	rdb := testenv.Redis(t)
	m := &failingMailer{err: errors.Join(mail.ErrPermanent, errors.New("550 mailbox unavailable <x@example.org>"))}
	insp := deliverOne(t, rdb, m, nil)
	d := jobs.NewDeliveries(insp)
	var failed []jobs.FailedDelivery
	waitFor(t, func() bool {
		failed, _ = d.Failed()
		return len(failed) == 1
	})
	if failed[0].Key != "k" || !strings.Contains(failed[0].Error, "550") || strings.Contains(failed[0].Error, "x@example.org") {
		t.Errorf("failed delivery %+v", failed[0])
	}
	m.mu.Lock()
	m.err = nil // the relay is fixed
	m.mu.Unlock()
	if err := d.Retry("k"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return m.count() == 2 })
	waitFor(t, func() bool {
		failed, _ = d.Failed()
		return len(failed) == 0
	})
	if err := d.Retry("nope"); !errors.Is(err, jobs.ErrNoSuchDelivery) {
		t.Errorf("retry of an unknown key: %v", err)
	}
}

type endpoint struct {
	url    string
	active bool
}

func (e endpoint) WebhookTarget(context.Context, string) (string, []byte, bool, error) {
	return e.url, []byte("whsec_x"), e.active, nil
}

func TestWebhookRetriedUntilTheReceiverTakesIt(t *testing.T) {
	rdb := testenv.Redis(t)
	var mu sync.Mutex
	calls := 0
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		calls++
		if calls == 1 {
			w.WriteHeader(http.StatusServiceUnavailable) // down for a moment
			return
		}
		body, _ := io.ReadAll(r.Body)
		if err := hmacsig.Check([]byte("whsec_x"), r.Header.Get(jobs.SignatureHeader), body, time.Now(), time.Minute); err != nil {
			t.Errorf("signature: %v", err)
		}
	}))
	defer receiver.Close()
	q := jobs.NewEnqueuer(asynq.NewClientFromRedisClient(rdb))
	ev := jobs.Event{ID: "ev-1", Type: "move.completed", CreatedAt: time.Now(), Data: map[string]string{"move_id": "m"}}
	for range 2 { // twice: still one delivery
		if err := q.EnqueueWebhook(context.Background(), "ep-1", ev); err != nil {
			t.Fatal(err)
		}
	}
	server, handler := jobs.NewServer(rdb, &failingMailer{}, jobs.ServerOptions{CheckInterval: 50 * time.Millisecond, Logger: quiet,
		Webhooks: endpoint{url: receiver.URL, active: true}, PrivateWebhooks: true}) // the receiver is on this machine
	if err := server.Start(handler); err != nil {
		t.Fatal(err)
	}
	defer server.Shutdown()
	// asynq's first retry waits a few seconds; move it along.
	insp := asynq.NewInspectorFromRedisClient(rdb)
	waitFor(t, func() bool {
		tasks, _ := insp.ListRetryTasks(jobs.QueueWebhook)
		for _, tk := range tasks {
			_ = insp.RunTask(jobs.QueueWebhook, tk.ID)
		}
		mu.Lock()
		defer mu.Unlock()
		return calls >= 2
	})
	time.Sleep(200 * time.Millisecond)
	mu.Lock()
	defer mu.Unlock()
	if calls != 2 {
		t.Errorf("receiver called %d times, want 2 (one failure, one success)", calls)
	}
}

// A webhook never reaches this service's own network: an endpoint whose
// address is private (here, this machine) is refused when the connection
// is made, and archived at once; a redirect is not followed.
func TestWebhooksReachOnlyPublicAddresses(t *testing.T) {
	rdb := testenv.Redis(t)
	var mu sync.Mutex
	hits := map[string]int{}
	inside := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		hits[r.URL.Path]++
		if r.URL.Path == "/redirect" {
			http.Redirect(w, r, "/metadata", http.StatusTemporaryRedirect)
		}
	}))
	defer inside.Close()
	insp := asynq.NewInspectorFromRedisClient(rdb)
	for _, c := range []struct {
		private bool
		path    string
	}{{false, "/hook"}, {true, "/redirect"}} {
		q := jobs.NewEnqueuer(asynq.NewClientFromRedisClient(rdb))
		if err := q.EnqueueWebhook(context.Background(), "ep"+c.path, jobs.Event{ID: "ev" + c.path, Type: "move.completed", CreatedAt: time.Now()}); err != nil {
			t.Fatal(err)
		}
		server, handler := jobs.NewServer(rdb, &failingMailer{}, jobs.ServerOptions{CheckInterval: 50 * time.Millisecond, Logger: quiet,
			Webhooks: endpoint{url: inside.URL + c.path, active: true}, PrivateWebhooks: c.private})
		if err := server.Start(handler); err != nil {
			t.Fatal(err)
		}
		waitFor(t, func() bool {
			archived, _ := insp.ListArchivedTasks(jobs.QueueWebhook)
			retrying, _ := insp.ListRetryTasks(jobs.QueueWebhook)
			return len(archived)+len(retrying) > 0
		})
		server.Shutdown()
		if !c.private {
			if archived, _ := insp.ListArchivedTasks(jobs.QueueWebhook); len(archived) != 1 || !strings.Contains(archived[0].LastErr, "not a public") {
				t.Errorf("a webhook to a private address: archived %+v", archived)
			}
		}
		_, _ = insp.DeleteAllArchivedTasks(jobs.QueueWebhook)
		_, _ = insp.DeleteAllRetryTasks(jobs.QueueWebhook)
	}
	mu.Lock()
	defer mu.Unlock()
	if hits["/hook"] != 0 {
		t.Errorf("the private address was reached %d times", hits["/hook"])
	}
	if hits["/redirect"] == 0 || hits["/metadata"] != 0 {
		t.Errorf("a redirect was followed: %v", hits)
	}
}
