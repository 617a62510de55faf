package store_test

import (
	"context"
	"net/url"
	"testing"
	"time"

	"github.com/nhs-staff-passport/passport/internal/store"
	"github.com/nhs-staff-passport/passport/internal/testenv"
	"github.com/nhs-staff-passport/passport/models"
)

// The record of a change that stands (an answer a move took) survives a
// database outage: it is written once the database is back, without
// failing the caller meanwhile.
func TestARecordOfAChangeThatStandsOutlastsAnOutage(t *testing.T) {
	ctx := context.Background()
	direct := testenv.PostgresDB(t)
	u, err := url.Parse(direct)
	if err != nil {
		t.Fatal(err)
	}
	proxy := testenv.NewProxy(t, u.Host)
	u.Host = proxy.Addr()
	s := testenv.Store(t, u.String())
	proxy.Cut()
	began := time.Now()
	s.AuditDone(ctx, nil, models.Actor{Kind: models.ActorStaff, ID: "p1"}, "invitation.accepted", "move", "m1", nil)
	if time.Since(began) > 10*time.Second {
		t.Errorf("the caller waited %s for the database", time.Since(began))
	}
	time.Sleep(2 * time.Second)
	proxy.Restore()

	other, err := store.Open(ctx, direct)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	deadline := time.Now().Add(30 * time.Second)
	for {
		evs, err := other.AuditEvents(ctx, "move", "m1")
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) == 1 && evs[0].Action == "invitation.accepted" && evs[0].At.Before(began.Add(time.Second)) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the record never arrived: %+v", evs)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
