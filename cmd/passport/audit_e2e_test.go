package main

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/nhs-staff-passport/passport/internal/moves"
	"github.com/nhs-staff-passport/passport/internal/testenv"
	"github.com/nhs-staff-passport/passport/models"
	"github.com/nhs-staff-passport/passport/workflows"
)

// An answer the move took keeps its audit record even when the process
// that gave it is gone and the database was away at the time: the record
// travels with the answer, and the move writes it with its own state once
// the database is back. (The API used to write it after the answer: an API
// that died during a database outage lost it.)
func TestAnAnswerTakenDuringAnOutageKeepsItsRecord(t *testing.T) {
	direct, err := url.Parse(testenv.PostgresDB(t))
	if err != nil {
		t.Fatal(err)
	}
	proxy := testenv.NewProxy(t, direct.Host)
	through := *direct
	through.Host = proxy.Addr()

	dir := t.TempDir()
	cfg := devConfigServing(t, dir)
	cfg.DatabaseURL = through.String()
	rdb := testenv.Redis(t)
	cfg.RedisAddr, cfg.RedisDB = testenv.RedisAddr(), rdb.Options().DB
	d := startTestDev(t, cfg)
	defer d.stop()
	api := cfg.PublicURL + "/api/v1"
	keys := demoKeys(t, dir)

	var mv struct {
		ID, Stage  string
		PassportID string `json:"passport_id"`
		WaitingOn  string `json:"waiting_on"`
	}
	if code := call(t, keys["RJ1/hr"], "POST", api+"/moves", `{"staff":{"email":"leo.martins@staff.demo.nhs.localhost","given_name":"Leo","family_name":"Martins",
		"staff_group":"temporary_mover"},"receiving_trust":"RRK","kind":"temporary_move","start_date":"`+time.Now().AddDate(0, 1, 0).Format(time.DateOnly)+
		`","end_date":"`+time.Now().AddDate(0, 4, 0).Format(time.DateOnly)+`"}`, &mv); code != http.StatusCreated {
		t.Fatalf("start the move: %d", code)
	}
	eventually(t, "the move waits for Leo", func() bool {
		call(t, keys["RJ1/hr"], "GET", api+"/moves/"+mv.ID, "", &mv)
		return mv.Stage == models.StepInvite && mv.WaitingOn == string(models.WaitingStaff)
	})

	// The database goes away; Leo's yes reaches the move, sent as the link
	// API sends it, by a caller that then vanishes.
	proxy.Cut()
	tc, err := client.Dial(client.Options{HostPort: d.temporal.Address(), Namespace: cfg.TemporalNamespace})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	caller := &moves.Service{Temporal: tc}
	staff := models.Actor{Kind: models.ActorStaff, ID: mv.PassportID}
	_, err = caller.Answer(ctx, mv.ID, workflows.UpdateAcceptInvitation, workflows.AcceptInvitation{Caller: workflows.Caller{Kind: staff.Kind, ID: staff.ID}},
		moves.Note(staff, "invitation.accepted", nil))
	tc.Close()
	if err != nil {
		t.Fatalf("the move did not take the answer: %v", err)
	}
	time.Sleep(3 * time.Second)
	proxy.Restore()

	var events []models.AuditEvent
	eventually(t, "the answer's record", func() bool {
		events = nil
		call(t, keys["RJ1/hr"], "GET", api+"/moves/"+mv.ID+"/events", "", &events)
		for _, ev := range events {
			if ev.Action == "invitation.accepted" {
				return true
			}
		}
		return false
	})
	n := 0
	for _, ev := range events {
		if ev.Action == "invitation.accepted" {
			n++
			if ev.ActorKind != models.ActorStaff || ev.ActorID != mv.PassportID {
				t.Errorf("the record names %s %s, want the member of staff", ev.ActorKind, ev.ActorID)
			}
		}
	}
	if n != 1 {
		t.Errorf("the answer is recorded %d times, want once: %+v", n, events)
	}
}
