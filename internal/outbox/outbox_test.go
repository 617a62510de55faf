package outbox

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/redis/go-redis/v9"

	"github.com/nhs-staff-passport/passport/internal/jobs"
	"github.com/nhs-staff-passport/passport/internal/mail"
	"github.com/nhs-staff-passport/passport/internal/store"
	"github.com/nhs-staff-passport/passport/internal/testenv"
	"github.com/nhs-staff-passport/passport/models"
)

// relay counts what reaches it, by recipient; it refuses while down.
type relay struct {
	mu   sync.Mutex
	got  map[string]int
	down error
}

func (r *relay) Send(_ context.Context, e mail.Email) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.down != nil {
		return r.down
	}
	r.got[e.To]++
	return nil
}

func (r *relay) count(to string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.got[to]
}

type rig struct {
	t     *testing.T
	st    *store.Store
	rdb   *redis.Client
	box   *Outbox
	relay *relay
	clock time.Time
}

func newRig(t *testing.T) *rig {
	st := testenv.Store(t, testenv.PostgresDB(t))
	rdb := testenv.Redis(t)
	r := &rig{t: t, st: st, rdb: rdb, relay: &relay{got: map[string]int{}}, clock: time.Now()}
	var err error
	r.box, err = New(st, jobs.NewEnqueuer(asynq.NewClientFromRedisClient(rdb)), jobs.NewDeliveries(asynq.NewInspectorFromRedisClient(rdb)),
		[]byte("0123456789abcdef0123456789abcdef"), nil)
	if err != nil {
		t.Fatal(err)
	}
	r.box.now = func() time.Time { return r.clock }
	return r
}

// deliver runs a delivery server until the test ends; observed says
// whether it reports outcomes to the outbox (a database away does not
// hear them).
func (r *rig) deliver(observed bool) {
	opts := jobs.ServerOptions{CheckInterval: 50 * time.Millisecond}
	if observed {
		opts.Observer = r.box
	}
	srv, h := jobs.NewServer(r.rdb, r.relay, opts)
	if err := srv.Start(h); err != nil {
		r.t.Fatal(err)
	}
	r.t.Cleanup(srv.Shutdown)
}

// waitCompleted waits for the queue to hold one completed email task.
func (r *rig) waitCompleted(insp *asynq.Inspector, what string) {
	r.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if done, _ := insp.ListCompletedTasks(jobs.QueueEmail); len(done) == 1 {
			return
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("%s was never delivered", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (r *rig) send(id, to string) {
	r.t.Helper()
	n := models.Notification{ID: id, MoveID: "m1", Template: "invitation", Recipient: "staff"}
	if err := r.box.Send(context.Background(), n, jobs.Email{To: to, Subject: "Your move", Text: "Open the link"}); err != nil {
		r.t.Fatal(err)
	}
}

func (r *rig) row(id string) models.Notification {
	r.t.Helper()
	ns, err := r.st.Notifications(context.Background(), "m1")
	if err != nil {
		r.t.Fatal(err)
	}
	for _, n := range ns {
		if n.ID == id {
			return n
		}
	}
	r.t.Fatalf("no notification %s", id)
	return models.Notification{}
}

func (r *rig) waitStatus(id, status string) models.Notification {
	r.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		n := r.row(id)
		if n.Status == status {
			return n
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("%s stayed %s, want %s", id, n.Status, status)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// sweepLater moves the clock past StaleAfter and sweeps.
func (r *rig) sweepLater() int {
	r.t.Helper()
	r.clock = r.clock.Add(StaleAfter + time.Minute)
	n, err := r.box.Sweep(context.Background())
	if err != nil {
		r.t.Fatal(err)
	}
	return n
}

// The row comes first and holds the email sealed (no address or link in
// the clear); once sent, it is marked so, the sealed copy is dropped, and
// running the activity again sends nothing twice nor puts the row back.
func TestAnEmailIsRecordedThenSentOnce(t *testing.T) {
	r := newRig(t)
	r.send("m1/invitation/staff/0", "sam@example.org")
	n := r.row("m1/invitation/staff/0")
	if n.Status != models.NotificationQueued || len(n.Sealed) == 0 || strings.Contains(string(n.Sealed), "sam@") {
		t.Fatalf("before delivery: status %s, sealed %d bytes", n.Status, len(n.Sealed))
	}
	r.deliver(true)
	n = r.waitStatus("m1/invitation/staff/0", models.NotificationSent)
	if n.Sealed != nil || n.SentAt == nil {
		t.Errorf("after delivery: sealed %d bytes, sent at %v", len(n.Sealed), n.SentAt)
	}
	r.send("m1/invitation/staff/0", "sam@example.org") // the activity, run again
	if err := r.st.SetNotificationStatus(context.Background(), "m1/invitation/staff/0", models.NotificationQueued, ""); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	if got := r.row("m1/invitation/staff/0").Status; got != models.NotificationSent {
		t.Errorf("a sent email's row went back to %s", got)
	}
	if got := r.relay.count("sam@example.org"); got != 1 {
		t.Errorf("the relay got %d emails, want 1", got)
	}
	if r.sweepLater() != 0 {
		t.Error("the sweep queued a sent email again")
	}
	// The task run again (its worker died after recording the delivery,
	// before acknowledging it): the email is not sent a second time.
	insp := asynq.NewInspectorFromRedisClient(r.rdb)
	if err := insp.DeleteTask(jobs.QueueEmail, "email:m1/invitation/staff/0"); err != nil {
		t.Fatal(err)
	}
	q := jobs.NewEnqueuer(asynq.NewClientFromRedisClient(r.rdb))
	if again, err := q.QueueEmail(context.Background(), "m1/invitation/staff/0", jobs.Email{To: "sam@example.org", Subject: "Your move", Text: "Open the link"}); err != nil || !again {
		t.Fatalf("queue again: %v %v", again, err)
	}
	r.waitCompleted(insp, "the task run again")
	if got := r.relay.count("sam@example.org"); got != 1 {
		t.Errorf("the relay got %d emails after the task ran again, want 1", got)
	}
}

// Redis restarted without its data: the queue has forgotten the email; the
// sweep queues it again from the database, and it is delivered once.
func TestAnEmailTheQueueLostIsSentFromTheDatabase(t *testing.T) {
	r := newRig(t)
	r.send("m1/invitation/staff/0", "sam@example.org")
	if err := r.rdb.FlushDB(context.Background()).Err(); err != nil {
		t.Fatal(err)
	}
	if n := r.sweepLater(); n != 1 {
		t.Fatalf("the sweep queued %d emails again, want 1", n)
	}
	if n := r.sweepLater(); n != 0 {
		t.Errorf("a second sweep queued %d again, want 0 (the queue holds it now)", n)
	}
	r.deliver(true)
	r.waitStatus("m1/invitation/staff/0", models.NotificationSent)
	time.Sleep(300 * time.Millisecond)
	if got := r.relay.count("sam@example.org"); got != 1 {
		t.Errorf("the relay got %d emails, want 1", got)
	}
}

// Outcomes the database missed (it was away when the delivery ended) are
// recorded by the sweep from what the queue knows, and the email is not
// sent again.
func TestAnOutcomeTheDatabaseMissedIsRecorded(t *testing.T) {
	r := newRig(t)
	r.send("m1/invitation/staff/0", "sam@example.org")
	r.deliver(false)
	r.waitCompleted(asynq.NewInspectorFromRedisClient(r.rdb), "the email")
	if got := r.row("m1/invitation/staff/0").Status; got != models.NotificationQueued {
		t.Fatalf("before the sweep: %s", got)
	}
	if n := r.sweepLater(); n != 0 {
		t.Errorf("the sweep queued a delivered email again")
	}
	if got := r.row("m1/invitation/staff/0").Status; got != models.NotificationSent {
		t.Errorf("after the sweep: %s, want sent", got)
	}
	if got := r.relay.count("sam@example.org"); got != 1 {
		t.Errorf("the relay got %d emails, want 1", got)
	}
}

// A relay that refuses shows: the row says failing since when, with the
// error (no address), and /metrics counts it; when the relay is back the
// email goes, once.
func TestAFailingDeliveryShows(t *testing.T) {
	r := newRig(t)
	r.relay.down = errors.New("421 4.3.2 service not available for <sam@example.org>")
	r.send("m1/invitation/staff/0", "sam@example.org")
	r.deliver(true)
	deadline := time.Now().Add(10 * time.Second)
	var n models.Notification
	for n = r.row("m1/invitation/staff/0"); n.FailingSince == nil; n = r.row("m1/invitation/staff/0") {
		if time.Now().After(deadline) {
			t.Fatal("the failing delivery was never recorded")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if n.Status != models.NotificationQueued || !strings.Contains(n.Error, "421") || strings.Contains(n.Error, "sam@") {
		t.Errorf("while failing: %s %q", n.Status, n.Error)
	}
	ctx, cancel := context.WithCancel(context.Background())
	go r.box.Run(ctx, time.Hour) // reads the figures once
	defer cancel()
	reg := prometheus.NewRegistry()
	reg.MustRegister(r.box)
	deadline = time.Now().Add(5 * time.Second)
	for gauge(t, reg, "passport_notifications_failing") != 1 {
		if time.Now().After(deadline) {
			t.Fatal("passport_notifications_failing never showed the failing email")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if v := gauge(t, reg, "passport_notifications_unsent"); v != 1 {
		t.Errorf("passport_notifications_unsent = %v, want 1", v)
	}
	if n, err := testutil.GatherAndCount(reg, "passport_delivery_queue_tasks"); err != nil || n == 0 {
		t.Errorf("no delivery queue sizes in the metrics: %d %v", n, err)
	}
	if got := testutil.ToFloat64(r.box.deliveries.WithLabelValues("retrying")); got < 1 {
		t.Errorf("retrying deliveries counted: %v", got)
	}
	r.relay.mu.Lock()
	r.relay.down = nil
	r.relay.mu.Unlock()
	insp := asynq.NewInspectorFromRedisClient(r.rdb)
	if err := insp.RunTask(jobs.QueueEmail, "email:m1/invitation/staff/0"); err != nil { // the next retry, now
		t.Fatal(err)
	}
	n = r.waitStatus("m1/invitation/staff/0", models.NotificationSent)
	if n.FailingSince != nil || r.relay.count("sam@example.org") != 1 {
		t.Errorf("after the relay came back: failing since %v, %d emails", n.FailingSince, r.relay.count("sam@example.org"))
	}
}

func gauge(t *testing.T, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == name && len(mf.GetMetric()) == 1 {
			return mf.GetMetric()[0].GetGauge().GetValue()
		}
	}
	t.Fatalf("no metric %s", name)
	return 0
}
