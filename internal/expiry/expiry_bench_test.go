package expiry_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/hibiken/asynq"
	"github.com/jackc/pgx/v5"

	"github.com/nhs-staff-passport/passport/internal/expiry"
	"github.com/nhs-staff-passport/passport/internal/jobs"
	"github.com/nhs-staff-passport/passport/internal/store"
	"github.com/nhs-staff-passport/passport/internal/testenv"
	"github.com/nhs-staff-passport/passport/models"
)

// BenchmarkDailyRun100k is the daily job over 100,000 credentials of
// 20,000 people on PostgreSQL, 2,000 of them due within 30 days: from the
// start of a run until every email is queued in Redis (delivery itself is
// the email queue's, not measured here). The second run of the same day
// queues nothing; its time is reported as second-run-ms.
func BenchmarkDailyRun100k(b *testing.B) {
	ctx := context.Background()
	dsn := testenv.PostgresDB(b)
	st, err := store.Open(ctx, dsn)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	now := time.Now().UTC()
	if err := st.SaveTrust(ctx, &models.Trust{ODSCode: "RJ1", Name: "Guy's and St Thomas'", ContactEmail: "hr@rj1.example", Registered: true, RegisteredAt: now}); err != nil {
		b.Fatal(err)
	}
	const people, each, due = 20000, 5, 2000
	var ps []models.Passport
	for i := range people {
		ps = append(ps, models.Passport{ID: uuid.NewString(), Email: fmt.Sprintf("p%d@nhs.net", i), GivenName: "Pat", FamilyName: fmt.Sprint(i)})
	}
	if _, err := st.CreatePassports(ctx, ps); err != nil {
		b.Fatal(err)
	}
	var cs []models.Credential
	for i := range people * each {
		c := models.Credential{ID: uuid.NewString(), PassportID: ps[i/each].ID, Type: models.CredCoreSkillsTraining, Subject: fmt.Sprint(i % each),
			IssuerODS: "RJ1", KeyID: "k", Claims: []byte(`{}`), IssuedAt: now, ValidFrom: now, StatusIndex: i, JWS: "x"}
		var until time.Time
		if i%(people*each/due) == 0 {
			until = now.Add(time.Duration(1+rand.IntN(29*24)) * time.Hour) // due within 30 days
		} else {
			until = now.AddDate(0, 2+rand.IntN(30), 0)
		}
		c.ValidUntil = &until
		cs = append(cs, c)
	}
	if err := st.CreateCredentials(ctx, cs); err != nil {
		b.Fatal(err)
	}
	rdb := testenv.Redis(b)
	queue := asynq.NewInspectorFromRedisClient(rdb)
	job := &expiry.Job{Store: st, Email: jobs.NewEnqueuer(asynq.NewClientFromRedisClient(rdb)), PublicURL: "https://passport.example.nhs.uk"}
	var second time.Duration
	b.ResetTimer()
	for i := range b.N {
		b.StopTimer()
		if i > 0 { // the queue exists once a run has filled it
			if _, err := queue.DeleteAllPendingTasks(jobs.QueueEmail); err != nil {
				b.Fatal(err)
			}
		}
		if err := clearNotices(ctx, dsn); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		r, err := job.Run(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if r.Due != due || r.Emails != due+1 {
			b.Fatalf("run: %+v", r)
		}
		b.StopTimer()
		start := time.Now()
		if r, err := job.Run(ctx); err != nil || r.Emails != 0 {
			b.Fatalf("second run: %+v %v", r, err)
		}
		second += time.Since(start)
		b.StartTimer()
	}
	b.ReportMetric(float64(second.Milliseconds())/float64(b.N), "second-run-ms")
}

// clearNotices forgets every notice sent, so the next run is a new day's.
func clearNotices(ctx context.Context, dsn string) error {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, "DELETE FROM credential_notices")
	return err
}
