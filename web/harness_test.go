package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"

	"github.com/nhs-staff-passport/passport/internal/credentials"
	"github.com/nhs-staff-passport/passport/internal/edge"
	"github.com/nhs-staff-passport/passport/internal/moves"
	"github.com/nhs-staff-passport/passport/internal/store"
	"github.com/nhs-staff-passport/passport/internal/testenv"
	"github.com/nhs-staff-passport/passport/models"
	"github.com/nhs-staff-passport/passport/web"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// newHandler is the pages on the router every process serves, as the
// service mounts them.
func newHandler(o web.Options) http.Handler {
	r := edge.NewEngine(edge.Options{Logger: o.Logger, PublicURL: o.PublicURL, Page: web.ProblemPage})
	web.Mount(r, o)
	return r
}

func get(t *testing.T, h http.Handler, path string) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	return rec
}

// harness is the pages on a fresh PostgreSQL database with three
// registered trusts and an API key for each trust and role (which the
// portal's settings list and revoke).
type harness struct {
	t       *testing.T
	handler http.Handler
	store   *store.Store
	creds   *credentials.Service
	keys    map[string]string // "RJ1/hr" -> key
}

func newHarness(t *testing.T, opts ...func(*web.Options)) *harness {
	t.Helper()
	st := testenv.Store(t, testenv.PostgresDB(t))
	creds, err := credentials.New(st, []byte("0123456789abcdef0123456789abcdef"), "https://passport.example.nhs.uk", nil)
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, store: st, creds: creds, keys: testenv.TrustsWithKeys(t, st, "RJ1", "RRK", "R0A")}
	// Moves with a Temporal server that does not answer: every form is
	// judged up to the point where it would reach a workflow.
	down, err := client.NewLazyClient(client.Options{HostPort: "127.0.0.1:1", Logger: sdklog.NewStructuredLogger(quiet)})
	if err != nil {
		t.Fatal(err)
	}
	mv := &moves.Service{Store: st, Temporal: down, TaskQueue: "passport"}
	o := web.Options{Logger: quiet, Store: st, Credentials: creds, Moves: mv}
	for _, f := range opts {
		f(&o)
	}
	h.handler = newHandler(o)
	return h
}

// get fetches a page anonymously.
func (h *harness) get(path string) *httptest.ResponseRecorder {
	h.t.Helper()
	return get(h.t, h.handler, path)
}

// rj1HR is HR of RJ1 as the services see them.
var rj1HR = models.Actor{Kind: models.ActorUser, ID: "rj1-hr", Trust: "RJ1", Role: models.RoleHR}

// priyasMove is a passport RJ1 holds with a DBS check, and a move of it to
// RRK waiting on Priya's consent.
func priyasMove(t *testing.T, h *harness) (models.Passport, models.Credential, models.Move) {
	t.Helper()
	ctx := context.Background()
	p, _, err := h.creds.FindOrAddPassport(ctx, rj1HR, models.StaffDetails{Email: "priya@nhs.net", GivenName: "Priya", FamilyName: "Secretname"})
	if err != nil {
		t.Fatal(err)
	}
	cred, err := h.creds.Issue(ctx, rj1HR, credentials.IssueInput{PassportID: p.ID, Type: "dbs_check",
		Claims: []byte(`{"level":"enhanced","workforce":"adult","certificate_number":"001234567890","issued_on":"2025-06-01","update_service":false}`)})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	mv := models.Move{ID: uuid.NewString(), SendingODS: "RJ1", ReceivingODS: "RRK", PassportID: p.ID, Kind: models.KindRotation,
		StaffGroup: models.GroupDoctorInTraining, StartDate: now, Requested: "dbs_check", Status: models.MoveActive, Stage: "consent",
		WaitingOn: models.WaitingStaff, CreatedAt: now, UpdatedAt: now}
	if _, _, err := h.store.CreateMove(ctx, &mv); err != nil {
		t.Fatal(err)
	}
	return p, cred, mv
}
