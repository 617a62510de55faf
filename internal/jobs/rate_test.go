package jobs_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/nhs-staff-passport/passport/internal/jobs"
	"github.com/nhs-staff-passport/passport/internal/mail"
	"github.com/nhs-staff-passport/passport/internal/testenv"
)

// recordingMailer notes what it was given to send, and when.
type recordingMailer struct {
	mu   sync.Mutex
	sent []mail.Email
	at   []time.Time
}

func (m *recordingMailer) Send(_ context.Context, e mail.Email) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sent, m.at = append(m.sent, e), append(m.at, time.Now())
	return nil
}

func (m *recordingMailer) count() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.sent)
}

// Two workers on one Redis together keep to one rate of sending: the
// relay's limit holds however many workers run.
func TestWorkersShareOneMailRate(t *testing.T) {
	rdb := testenv.Redis(t)
	q := jobs.NewEnqueuer(asynq.NewClientFromRedisClient(rdb))
	ctx := context.Background()
	const emails, rate = 24, 4
	for i := range emails {
		if err := q.EnqueueEmail(ctx, fmt.Sprintf("rate/%d", i), jobs.Email{To: "a@example.org", Subject: "s", Text: "t"}); err != nil {
			t.Fatal(err)
		}
	}
	m := &recordingMailer{}
	for range 2 {
		server, handler := jobs.NewServer(rdb, m, jobs.ServerOptions{CheckInterval: 20 * time.Millisecond, Logger: quiet, MailRate: rate})
		if err := server.Start(handler); err != nil {
			t.Fatal(err)
		}
		defer server.Shutdown()
	}
	waitFor(t, func() bool { return m.count() >= 2*rate+4 })
	m.mu.Lock()
	defer m.mu.Unlock()
	// A burst of `rate`, then one every 1/rate s: whatever second is
	// looked at holds at most 2 × rate (each worker alone would allow as
	// much again).
	for i := range m.at {
		n := 0
		for _, at := range m.at[i:] {
			if at.Sub(m.at[i]) < time.Second {
				n++
			}
		}
		if n > 2*rate {
			t.Fatalf("%d emails sent within a second of email %d, with a shared rate of %d a second", n, i, rate)
		}
	}
}

// Emails that ask someone to act go out before notices queued earlier.
func TestEmailsThatAskToActComeFirst(t *testing.T) {
	rdb := testenv.Redis(t)
	q := jobs.NewEnqueuer(asynq.NewClientFromRedisClient(rdb))
	ctx := context.Background()
	for i := range 20 {
		if err := q.EnqueueEmail(ctx, fmt.Sprintf("notice/%d", i), jobs.Email{To: "n@example.org", Subject: "notice", Text: "t", Notice: true}); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 5 {
		if err := q.EnqueueEmail(ctx, fmt.Sprintf("act/%d", i), jobs.Email{To: "a@example.org", Subject: "act", Text: "t"}); err != nil {
			t.Fatal(err)
		}
	}
	m := &recordingMailer{}
	server, handler := jobs.NewServer(rdb, m, jobs.ServerOptions{CheckInterval: 20 * time.Millisecond, Logger: quiet, Concurrency: 1, MailRate: 1000})
	if err := server.Start(handler); err != nil {
		t.Fatal(err)
	}
	defer server.Shutdown()
	waitFor(t, func() bool { return m.count() == 25 })
	m.mu.Lock()
	defer m.mu.Unlock()
	last := 0
	for i, e := range m.sent {
		if e.Subject == "act" {
			last = i
		}
	}
	if last >= 10 {
		t.Errorf("the last of 5 emails asking to act went out %dth of 25, behind notices queued before it", last+1)
	}
}
