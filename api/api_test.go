package api_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/nhs-staff-passport/passport/api"
	"github.com/nhs-staff-passport/passport/internal/edge"
	"github.com/nhs-staff-passport/passport/internal/metrics"
	"github.com/nhs-staff-passport/passport/internal/problem"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func get(t *testing.T, h http.Handler, path string) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	return rec
}

func TestReadyzNamesWhatIsDown(t *testing.T) {
	ok := func(context.Context) error { return nil }
	down := func(context.Context) error { return errors.New("dial tcp 10.0.0.7:6379: connection refused") }
	h := api.NewHandler(api.Options{Logger: quiet, Ready: []api.Check{
		{Name: "database", Check: ok}, {Name: "redis", Check: down}, {Name: "temporal", Check: ok},
	}})
	rec := get(t, h, "/readyz")
	if rec.Code != http.StatusServiceUnavailable {
		t.Fatalf("status %d, want 503", rec.Code)
	}
	var body struct {
		Status string
		Checks map[string]string
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatal(err)
	}
	if body.Status != "not ready" || body.Checks["redis"] != "unavailable" || body.Checks["database"] != "ok" {
		t.Errorf("body %s", rec.Body)
	}
	if strings.Contains(rec.Body.String(), "10.0.0.7") {
		t.Error("readiness leaks internal error text")
	}

	h = api.NewHandler(api.Options{Logger: quiet, Ready: []api.Check{{Name: "database", Check: ok}}})
	if rec := get(t, h, "/readyz"); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"ready"`) {
		t.Errorf("all up: %d %s", rec.Code, rec.Body)
	}
}

func TestUnknownRoutesAnswerProblemJSON(t *testing.T) {
	h := api.NewHandler(api.Options{Logger: quiet})
	for _, tc := range []struct {
		method, path string
		status       int
	}{
		{http.MethodGet, "/nope", http.StatusNotFound},
		{http.MethodDelete, "/healthz", http.StatusMethodNotAllowed},
		{http.MethodGet, "/dev/mail.json", http.StatusNotFound}, // not mounted outside dev mode
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(tc.method, tc.path, nil))
		if rec.Code != tc.status {
			t.Errorf("%s %s: status %d, want %d", tc.method, tc.path, rec.Code, tc.status)
		}
		if ct := rec.Header().Get("Content-Type"); ct != "application/problem+json" {
			t.Errorf("%s %s: content type %q", tc.method, tc.path, ct)
		}
		var p problem.Problem
		if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil || p.Status != tc.status || p.Type == "" || p.Title == "" {
			t.Errorf("%s %s: problem %+v (%v)", tc.method, tc.path, p, err)
		}
		if rec.Header().Get(edge.RequestIDHeader) == "" {
			t.Errorf("%s %s: no request ID", tc.method, tc.path)
		}
	}
}

func TestMetricsExposeRequests(t *testing.T) {
	m := metrics.New(quiet)
	defer m.Close()
	h := api.NewHandler(api.Options{Logger: quiet, Metrics: m})
	get(t, h, "/healthz")
	body := get(t, h, "/metrics").Body.String()
	if !strings.Contains(body, `passport_http_requests_total{method="GET",route="/healthz",status="200"} 1`) {
		t.Errorf("request not counted:\n%s", body)
	}
	if !strings.Contains(body, "go_goroutines") {
		t.Error("runtime metrics missing")
	}
}

// Development mode serves Go's profiles to this machine alone.
func TestDevModeServesProfilesToThisMachineOnly(t *testing.T) {
	h := api.NewHandler(api.Options{Logger: quiet, DevMode: true})
	for addr, want := range map[string]int{"127.0.0.1:40000": http.StatusOK, "[::1]:40000": http.StatusOK, "203.0.113.9:40000": http.StatusNotFound} {
		r := httptest.NewRequest(http.MethodGet, "/debug/pprof/heap?debug=1", nil)
		r.RemoteAddr = addr
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		if rec.Code != want {
			t.Errorf("from %s: %d, want %d", addr, rec.Code, want)
		}
	}
	if rec := get(t, api.NewHandler(api.Options{Logger: quiet}), "/debug/pprof/"); rec.Code != http.StatusNotFound {
		t.Errorf("outside dev mode: %d", rec.Code)
	}
}
