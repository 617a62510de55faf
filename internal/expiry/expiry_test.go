package expiry_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/hibiken/asynq"

	"github.com/nhs-staff-passport/passport/internal/credentials"
	"github.com/nhs-staff-passport/passport/internal/expiry"
	"github.com/nhs-staff-passport/passport/internal/jobs"
	"github.com/nhs-staff-passport/passport/internal/store"
	"github.com/nhs-staff-passport/passport/internal/testenv"
	"github.com/nhs-staff-passport/passport/models"
)

// clock is a settable time source.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// events records the webhook events the job sends.
type events struct {
	mu  sync.Mutex
	got []string
}

func (e *events) Emit(_ context.Context, trusts []string, eventType, key string, data map[string]string, _ time.Time) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.got = append(e.got, strings.Join(trusts, ",")+" "+eventType+" "+data["credential_id"])
	return nil
}

type world struct {
	t      *testing.T
	st     *store.Store
	creds  *credentials.Service
	clock  *clock
	job    *expiry.Job
	events *events
	queue  *asynq.Inspector
	sam    models.Passport
}

func newWorld(t *testing.T) *world {
	ctx := context.Background()
	st := testenv.Store(t, testenv.PostgresDB(t))
	t0 := time.Date(2026, 12, 1, 6, 0, 0, 0, time.UTC)
	for _, tr := range []models.Trust{
		{ODSCode: "RJ1", Name: "Guy's and St Thomas' NHS Foundation Trust", ContactEmail: "hr@rj1.example", Registered: true, RegisteredAt: t0},
		{ODSCode: "RRK", Name: "University Hospitals Birmingham NHS Foundation Trust", ContactEmail: "hr@rrk.example", Registered: true, RegisteredAt: t0},
	} {
		if err := st.SaveTrust(ctx, &tr); err != nil {
			t.Fatal(err)
		}
	}
	c := &clock{t: t0}
	creds, err := credentials.New(st, []byte("0123456789abcdef0123456789abcdef"), "https://passport.example.nhs.uk", c.now)
	if err != nil {
		t.Fatal(err)
	}
	sam, _, err := st.FindOrCreatePassport(ctx, models.StaffDetails{Email: "sam.patel@nhs.net", GivenName: "Sam", FamilyName: "Patel"})
	if err != nil {
		t.Fatal(err)
	}
	rdb := testenv.Redis(t)
	ev := &events{}
	w := &world{t: t, st: st, creds: creds, clock: c, events: ev, sam: sam, queue: asynq.NewInspectorFromRedisClient(rdb),
		job: &expiry.Job{Store: st, Email: jobs.NewEnqueuer(asynq.NewClientFromRedisClient(rdb)), Webhooks: ev,
			PublicURL: "https://passport.example.nhs.uk", Now: c.now}}
	return w
}

func (w *world) issue(typ string, claims string) models.Credential {
	w.t.Helper()
	c, err := w.creds.Issue(context.Background(), models.Actor{Kind: models.ActorUser, ID: "u1", Trust: "RJ1", Role: models.RoleHR},
		credentials.IssueInput{PassportID: w.sam.ID, Type: typ, Claims: json.RawMessage(claims)})
	if err != nil {
		w.t.Fatalf("issue %s: %v", typ, err)
	}
	return c
}

func (w *world) share(c models.Credential) {
	w.t.Helper()
	sh := models.Share{ID: uuid.NewString(), MoveID: uuid.NewString(), CredentialID: c.ID, CredentialType: c.Type, ReceiverODS: "RRK",
		PassportID: w.sam.ID, SharedAt: w.clock.now(), Decision: models.DecisionAccepted}
	if err := w.st.CreateShare(context.Background(), &sh); err != nil {
		w.t.Fatal(err)
	}
}

// emails lists "to: subject" of every email queued so far, and forgets
// them.
func (w *world) emails() []string {
	w.t.Helper()
	tasks, err := w.queue.ListPendingTasks(jobs.QueueNotices, asynq.PageSize(100))
	if errors.Is(err, asynq.ErrQueueNotFound) {
		return nil
	}
	if err != nil {
		w.t.Fatal(err)
	}
	var out []string
	for _, task := range tasks {
		var e jobs.Email
		_ = json.Unmarshal(task.Payload, &e)
		out = append(out, e.To+": "+e.Subject+" | "+e.Text)
		_ = w.queue.DeleteTask(jobs.QueueNotices, task.ID)
	}
	return out
}

func (w *world) run() expiry.Report {
	w.t.Helper()
	r, err := w.job.Run(context.Background())
	if err != nil {
		w.t.Fatal(err)
	}
	return r
}

func contains(list []string, to, text string) bool {
	for _, l := range list {
		if strings.HasPrefix(l, to+": ") && strings.Contains(l, text) {
			return true
		}
	}
	return false
}

// A credential is reminded of 30, 14 and 1 days before it runs out, each
// once, to its holder and its issuer; when one that is shared expires or
// is revoked, the trust it is shared with is told by email and webhook.
func TestCredentialsStayCurrent(t *testing.T) {
	w := newWorld(t)
	t0 := w.clock.now()
	// Information governance is refreshed yearly: done 11 months and 10
	// days ago, it runs out in about 20 days.
	ig := w.issue("core_skills_training", `{"subject":"information_governance","level":1,"completed_on":"`+t0.AddDate(0, -11, -10).Format(time.DateOnly)+`","provider":"e-LfH"}`)
	rtw := w.issue("right_to_work", `{"basis":"visa","checked_on":"2026-06-01","expires":"`+t0.AddDate(0, 0, 40).Format(time.DateOnly)+`"}`)
	dbs := w.issue("dbs_check", `{"level":"basic","certificate_number":"001234567890","issued_on":"2026-01-01","update_service":false}`)
	w.share(rtw)
	w.share(dbs)

	if r := w.run(); r.Due != 1 || r.Emails != 2 {
		t.Fatalf("first run: %+v", r)
	}
	got := w.emails()
	if !contains(got, "sam.patel@nhs.net", "Core skills training: Information governance and data security (recorded by Guy's and St Thomas' NHS Foundation Trust) runs out on 22 December 2026") ||
		!contains(got, "hr@rj1.example", "Sam Patel: Core skills training: Information governance and data security, 22 December 2026") || len(got) != 2 {
		t.Fatalf("first run's emails: %q", got)
	}
	if r := w.run(); r.Emails != 0 || r.Due != 0 {
		t.Fatalf("the same day again: %+v", r)
	}
	if got := w.emails(); len(got) != 0 {
		t.Fatalf("the same day again sent %q", got)
	}

	// 11 days on: the right to work has 29 days left, the training 9.
	w.clock.set(t0.AddDate(0, 0, 11))
	if r := w.run(); r.Due != 2 || r.Emails != 2 {
		t.Fatalf("day 11: %+v", r)
	}
	if got := w.emails(); !contains(got, "sam.patel@nhs.net", "Right to work") || !contains(got, "sam.patel@nhs.net", "Information governance") {
		t.Fatalf("day 11: %q", got)
	}
	w.clock.set(t0.AddDate(0, 0, 12))
	if r := w.run(); r.Emails != 0 {
		t.Fatalf("day 12 sent %d emails", r.Emails)
	}
	// The last day of the training.
	w.clock.set(ig.ValidUntil.Add(-time.Hour))
	if r := w.run(); r.Due != 1 {
		t.Fatalf("the training's last day: %+v", r)
	}
	w.emails()

	// The right to work expires: it is shared with RRK, which is told.
	w.clock.set(rtw.ValidUntil.Add(time.Hour))
	r := w.run()
	if r.Expired != 2 { // the training too, shared with no one
		t.Fatalf("after the right to work expired: %+v", r)
	}
	got = w.emails()
	if !contains(got, "hr@rrk.example", "Right to work of Sam Patel, recorded by Guy's and St Thomas' NHS Foundation Trust and shared with University Hospitals Birmingham NHS Foundation Trust, expired on") {
		t.Fatalf("expiry emails: %q", got)
	}
	if strings.Join(w.events.got, ";") != "RRK credential.expired "+rtw.ID {
		t.Fatalf("webhooks: %v", w.events.got)
	}
	if r := w.run(); r.Emails != 0 || r.Expired != 0 {
		t.Fatalf("again after expiry: %+v", r)
	}
	// Expired everywhere: it fails verification with that reason.
	res, err := w.creds.Verify(context.Background(), rtw.JWS)
	if err != nil || res.Valid || !strings.Contains(strings.Join(res.Reasons(), " "), "expired on") {
		t.Fatalf("an expired credential verifies: %+v %v", res, err)
	}

	// RJ1 revokes the DBS check: RRK is told at once, and only once.
	if err := w.creds.Revoke(context.Background(), models.Actor{Trust: "RJ1"}, dbs.ID, "certificate belonged to someone else"); err != nil {
		t.Fatal(err)
	}
	if err := w.job.Revoked(context.Background(), dbs.ID); err != nil {
		t.Fatal(err)
	}
	if got := w.emails(); !contains(got, "hr@rrk.example", "has revoked the DBS check of Sam Patel") || !contains(got, "hr@rrk.example", "certificate belonged to someone else") {
		t.Fatalf("revocation emails: %q", got)
	}
	if r := w.run(); r.Emails != 0 || r.Revoked != 0 {
		t.Fatalf("the daily run after the revocation was told: %+v", r)
	}
	if !strings.Contains(strings.Join(w.events.got, ";"), "RRK credential.revoked "+dbs.ID) {
		t.Fatalf("webhooks: %v", w.events.got)
	}
}

// A revocation whose notice did not go out at once (the queue was down)
// is told by the next daily run.
func TestMissedRevocationNoticeIsSentByTheDailyRun(t *testing.T) {
	w := newWorld(t)
	dbs := w.issue("dbs_check", `{"level":"basic","certificate_number":"001234567890","issued_on":"2026-01-01","update_service":false}`)
	w.share(dbs)
	if err := w.creds.Revoke(context.Background(), models.Actor{Trust: "RJ1"}, dbs.ID, "issued in error"); err != nil {
		t.Fatal(err)
	}
	if r := w.run(); r.Revoked != 1 || r.Emails != 1 {
		t.Fatalf("daily run: %+v", r)
	}
	if got := w.emails(); !contains(got, "hr@rrk.example", "issued in error") {
		t.Fatalf("emails: %q", got)
	}
}
