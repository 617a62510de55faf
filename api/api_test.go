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
	"time"

	"github.com/nhs-staff-passport/passport/api"
	"github.com/nhs-staff-passport/passport/internal/mailcatcher"
	"github.com/nhs-staff-passport/passport/internal/metrics"
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
		var p api.Problem
		if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil || p.Status != tc.status || p.Type == "" || p.Title == "" {
			t.Errorf("%s %s: problem %+v (%v)", tc.method, tc.path, p, err)
		}
		if rec.Header().Get(api.RequestIDHeader) == "" {
			t.Errorf("%s %s: no request ID", tc.method, tc.path)
		}
	}
}

type box []mailcatcher.Message

func (b box) Messages() []mailcatcher.Message { return append([]mailcatcher.Message(nil), b...) }

func TestDevMailbox(t *testing.T) {
	sent := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	b := box{
		{To: "a@example.org", Subject: "First", Text: "go to http://x/1", Links: []string{"http://x/1"}, SentAt: sent},
		{To: "b@example.org", Subject: "Second <b>", Text: "go to http://x/2", Links: []string{"http://x/2"}, SentAt: sent.Add(time.Minute)},
	}
	h := api.NewHandler(api.Options{Logger: quiet, DevMailbox: b})

	rec := get(t, h, "/dev/mail.json")
	var got []map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[1]["subject"] != "Second <b>" || got[0]["to"] != "a@example.org" {
		t.Fatalf("mail.json must list every message, newest last: %s", rec.Body)
	}
	for _, key := range []string{"to", "subject", "text", "links", "sent_at"} {
		if _, ok := got[0][key]; !ok {
			t.Errorf("mail.json lacks %q", key)
		}
	}

	// Scripts poll for what arrived since they last looked.
	got = nil
	rec = get(t, h, "/dev/mail.json?since="+sent.Format(time.RFC3339Nano))
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil || len(got) != 1 || got[0]["subject"] != "Second <b>" {
		t.Errorf("mail.json?since= the first's time: %s", rec.Body)
	}
	if rec := get(t, h, "/dev/mail.json?since=yesterday"); rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), `"since"`) {
		t.Errorf("a since that is not a time: %d %s", rec.Code, rec.Body)
	}

	page := get(t, h, "/dev/mail").Body.String()
	if !strings.Contains(page, `<a href="http://x/2">`) || strings.Index(page, "Second") > strings.Index(page, "First") {
		t.Error("mail page must show clickable links, newest first")
	}
	if strings.Contains(page, "Second <b>") {
		t.Error("mail page must escape what it shows")
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
