package jobs

import (
	"testing"
	"time"
)

// A relay back from an outage of minutes gets its backlog within a minute;
// an email is given up on (archived for an operator) only after about
// twelve hours of trying.
func TestEmailRetriesKeepUpWithARelayThatComesBack(t *testing.T) {
	var halfHour, total time.Duration
	for n := range emailRetries {
		d := emailRetryDelay(n)
		if n < 30 {
			if d > time.Minute {
				t.Errorf("retry %d waits %s: more than a minute within the first half hour", n, d)
			}
			halfHour += d
		}
		total += d
	}
	if halfHour < 20*time.Minute || halfHour > 35*time.Minute {
		t.Errorf("the first 30 retries span %s, want about half an hour", halfHour)
	}
	if total < 10*time.Hour || total > 16*time.Hour {
		t.Errorf("an email is tried for %s before it is archived, want about twelve hours", total)
	}
}
