package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"

	"github.com/nhs-staff-passport/passport/api"
	"github.com/nhs-staff-passport/passport/internal/credentials"
	"github.com/nhs-staff-passport/passport/internal/moves"
	"github.com/nhs-staff-passport/passport/internal/problem"
	"github.com/nhs-staff-passport/passport/internal/store"
	"github.com/nhs-staff-passport/passport/internal/testenv"
	"github.com/nhs-staff-passport/passport/models"
)

// harness is the API on a fresh PostgreSQL database with two registered
// trusts and a key for each trust and role.
type harness struct {
	t       *testing.T
	handler http.Handler
	store   *store.Store
	keys    map[string]string // "RJ1/hr" -> key
}

func newHarness(t *testing.T, opts ...func(*api.Options)) *harness {
	t.Helper()
	return buildHarness(t, t, testenv.PostgresDB(t), opts...)
}

// newSQLiteHarness is the harness on the development database, for input
// the two databases treat differently.
func newSQLiteHarness(t *testing.T) *harness {
	t.Helper()
	return buildHarness(t, t, "sqlite:"+filepath.Join(t.TempDir(), "passport.db"))
}

// newBenchHarness is the harness for a benchmark.
func newBenchHarness(b *testing.B) *harness { return buildHarness(b, nil, testenv.PostgresDB(b)) }

func buildHarness(tb testing.TB, t *testing.T, dsn string, opts ...func(*api.Options)) *harness {
	tb.Helper()
	ctx := context.Background()
	st := testenv.Store(tb, dsn)
	creds, err := credentials.New(st, []byte("0123456789abcdef0123456789abcdef"), "https://passport.example.nhs.uk", nil)
	if err != nil {
		tb.Fatal(err)
	}
	// The operators' key belongs to the service, never a trust.
	if _, _, err := st.IssueAPIKey(ctx, models.Actor{Kind: models.ActorSystem}, "RJ1", models.RoleOperator, "x"); err == nil {
		tb.Fatal("an operator's key was filed under a trust")
	}
	h := &harness{t: t, store: st, keys: testenv.TrustsWithKeys(tb, st, "RJ1", "RRK", "R0A")}
	// Moves with a Temporal server that does not answer: every request is
	// judged up to the point where it would reach a workflow, which then
	// answers 503.
	down, err := client.NewLazyClient(client.Options{HostPort: "127.0.0.1:1", Logger: sdklog.NewStructuredLogger(quiet)})
	if err != nil {
		tb.Fatal(err)
	}
	mv := &moves.Service{Store: st, Temporal: down, TaskQueue: "passport"}
	o := api.Options{Logger: quiet, Store: st, Credentials: creds, Moves: mv}
	for _, f := range opts {
		f(&o)
	}
	h.handler = api.NewHandler(o)
	return h
}

// do sends a request as the key named by who ("" for none) and decodes a
// JSON answer into out when out is not nil.
func (h *harness) do(who, method, path string, body any, out any) *httptest.ResponseRecorder {
	h.t.Helper()
	var r *http.Request
	switch b := body.(type) {
	case nil:
		r = httptest.NewRequest(method, path, nil)
	case string:
		r = httptest.NewRequest(method, path, bytes.NewBufferString(b))
		r.Header.Set("Content-Type", "application/json")
	default:
		data, _ := json.Marshal(b)
		r = httptest.NewRequest(method, path, bytes.NewReader(data))
		r.Header.Set("Content-Type", "application/json")
	}
	if who != "" {
		key, ok := h.keys[who]
		if !ok {
			key = who // a literal key
		}
		r.Header.Set("Authorization", "Bearer "+key)
	}
	rec := httptest.NewRecorder()
	h.handler.ServeHTTP(rec, r)
	if out != nil {
		if err := json.Unmarshal(rec.Body.Bytes(), out); err != nil {
			h.t.Fatalf("%s %s: %d %s: %v", method, path, rec.Code, rec.Body, err)
		}
	}
	return rec
}

// problem decodes a problem+json answer.
func (h *harness) problem(rec *httptest.ResponseRecorder) problem.Problem {
	h.t.Helper()
	if ct := rec.Header().Get("Content-Type"); ct != "application/problem+json" {
		h.t.Fatalf("content type %q for %d %s", ct, rec.Code, rec.Body)
	}
	var p problem.Problem
	if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil {
		h.t.Fatal(err)
	}
	return p
}

func hasField(p problem.Problem, field string) bool {
	for _, f := range p.Errors {
		if f.Field == field {
			return true
		}
	}
	return false
}

func passportDetails(email string) models.StaffDetails {
	return models.StaffDetails{Email: email, GivenName: "A", FamilyName: "B"}
}
