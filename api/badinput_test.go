package api_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/nhs-staff-passport/passport/api"
	"github.com/nhs-staff-passport/passport/internal/metrics"
)

// TestBadInputIsRefusedAtTheEdge runs input PostgreSQL cannot store (NUL,
// invalid UTF-8), control characters, oversized free text and trailing
// JSON against the API on PostgreSQL and on SQLite (which would store
// most of it): each is refused with 400 or 422 naming what is wrong, never
// a 5xx, on both.
func TestBadInputIsRefusedAtTheEdge(t *testing.T) {
	t.Run("postgres", func(t *testing.T) { badInputIsRefused(t, newHarness(t)) })
	t.Run("sqlite", func(t *testing.T) { badInputIsRefused(t, newSQLiteHarness(t)) })
}

func badInputIsRefused(t *testing.T, h *harness) {
	var p struct{ ID string }
	h.do("RJ1/hr", http.MethodPost, "/api/v1/passports", `{"email":"ok@nhs.net","given_name":"Ok","family_name":"Person"}`, &p)

	raw := func(method, target, contentType, body, who string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(method, "/", strings.NewReader(body))
		r.URL, _ = url.Parse(target)
		r.RequestURI = target
		if contentType != "" {
			r.Header.Set("Content-Type", contentType)
		}
		if who != "" {
			r.Header.Set("Authorization", "Bearer "+h.keys[who])
		}
		rec := httptest.NewRecorder()
		h.handler.ServeHTTP(rec, r)
		return rec
	}
	long := strings.Repeat("x", 501)
	for _, c := range []struct {
		name, method, target, contentType, body, who string
		want                                         int
		field                                        string
	}{
		{"NUL in a public path", "GET", "/api/v1/trusts/%00/keys", "", "", "", 400, "path"},
		{"NUL in the status list's path", "GET", "/api/v1/trusts/R%00J1/status/revocation", "", "", "", 400, "path"},
		{"invalid UTF-8 in a path", "GET", "/api/v1/trusts/%FF/keys", "", "", "", 400, "path"},
		{"NUL in a query", "GET", "/api/v1/trusts?q=a%00b", "", "", "", 400, "query"},
		{"NUL in a name", "POST", "/api/v1/passports", "application/json", `{"email":"a@nhs.net","given_name":"A\u0000","family_name":"B"}`, "RJ1/hr", 422, "given_name"},
		{"invalid UTF-8 in a name", "POST", "/api/v1/passports", "application/json", "{\"email\":\"a@nhs.net\",\"given_name\":\"A\xff\",\"family_name\":\"B\"}", "RJ1/hr", 422, "body"},
		{"a web address for a name", "POST", "/api/v1/passports", "application/json", `{"email":"a@nhs.net","given_name":"see https://evil.example","family_name":"B"}`, "RJ1/hr", 422, "given_name"},
		{"a line break in a name", "POST", "/api/v1/passports", "application/json", `{"email":"a@nhs.net","given_name":"A\nB","family_name":"B"}`, "RJ1/hr", 422, "given_name"},
		{"a 1,001-character field", "POST", "/api/v1/verify", "application/json", `{"credential":"` + strings.Repeat("x", 70000) + `"}`, "RJ1/hr", 422, "credential"},
		{"a cancel reason of 501 characters", "POST", "/api/v1/moves/00000000-0000-0000-0000-000000000000/cancel", "application/json", `{"reason":"` + long + `"}`, "RJ1/hr", 422, "reason"},
		{"a revocation reason of 501 characters", "POST", "/api/v1/credentials/x/revoke", "application/json", `{"reason":"` + long + `"}`, "RJ1/hr", 422, "reason"},
		{"JSON with a brace after it", "POST", "/api/v1/passports", "application/json", `{"email":"a@nhs.net","given_name":"A","family_name":"B"}}`, "RJ1/hr", 422, "body"},
		{"JSON with another value after it", "POST", "/api/v1/passports", "application/json", `{"email":"a@nhs.net","given_name":"A","family_name":"B"} []`, "RJ1/hr", 422, "body"},
		{"NUL in credential claims", "POST", "/api/v1/passports/" + p.ID + "/credentials", "application/json", `{"type":"employment_history","claims":{"employer":"A\u0000","role":"B","from":"2020-01-01","references_received":1}}`, "RJ1/hr", 422, "claims.employer"},
	} {
		rec := raw(c.method, c.target, c.contentType, c.body, c.who)
		if rec.Code != c.want {
			t.Errorf("%s: %d, want %d: %.300s", c.name, rec.Code, c.want, rec.Body)
			continue
		}
		if p := h.problem(rec); !hasField(p, c.field) {
			t.Errorf("%s: %+v does not name %s", c.name, p.Errors, c.field)
		}
	}
	// A passport refused above was not made.
	if got, _ := h.store.PassportsByEmail(t.Context(), []string{"a@nhs.net"}); len(got) != 0 {
		t.Error("a refused request made a passport")
	}
	// Rotation rows with such text, or overlong text, in any column are
	// invalid rows named at the upload, never started nor retried in the
	// background (a CSV row does not pass the JSON edge guard). With the
	// harness's Temporal away, a row taken as valid would answer 503.
	cols := []string{"email", "given_name", "family_name", "staff_group", "receiving_trust", "kind", "start_date", "end_date",
		"requested_credentials", "sending_trust", "registration_body", "registration_number"}
	good := []string{"z@nhs.net", "Z", "Y", "doctor_in_training", "RRK", "rotation", "2099-01-01", "", "identity", "", "GMC", "1234567"}
	for i := range cols {
		for _, bad := range []string{"A\x00B", strings.Repeat("x", 5000)} {
			row := append([]string(nil), good...)
			row[i] = bad
			rec := h.csv("RJ1/hr", "/api/v1/rotations", strings.Join(cols, ",")+"\n"+strings.Join(row, ",")+"\n")
			if rec.Code != http.StatusAccepted || !strings.Contains(rec.Body.String(), `"result":"invalid"`) {
				t.Errorf("a rotation row with %.5q in %s: %d %.300s", bad, cols[i], rec.Code, rec.Body)
			}
		}
	}
	var rec *httptest.ResponseRecorder
	rec = h.csv("RJ1/hr", "/api/v1/credentials/imports", "email,given_name,family_name,type,employer,role,from,references_received\nz@nhs.net,Z,Y,employment_history,A\x00B,Nurse,2020-01-01,1\n")
	if rec.Code >= 500 || !strings.Contains(rec.Body.String(), `"result":"invalid"`) {
		t.Errorf("an import row with a NUL: %d %s", rec.Code, rec.Body)
	}
}

// Answers carry nosniff, JSON with personal data is kept by no cache, and
// metrics on the API's port are an operator's.
func TestHeadersMetricsAndLimits(t *testing.T) {
	h := newHarness(t, func(o *api.Options) { o.Metrics = metrics.New(quiet) })
	rec := h.do("RJ1/hr", http.MethodGet, "/api/v1/moves", nil, nil)
	if rec.Header().Get("X-Content-Type-Options") != "nosniff" || rec.Header().Get("Cache-Control") != "no-store" {
		t.Errorf("moves list headers: %v", rec.Header())
	}
	if rec := h.do("", http.MethodGet, "/api/v1/trusts/RJ1/keys", nil, nil); !strings.Contains(rec.Header().Get("Cache-Control"), "max-age") {
		t.Errorf("public keys lost their caching: %v", rec.Header())
	}
	if rec := h.do("", http.MethodGet, "/metrics", nil, nil); rec.Code != http.StatusUnauthorized {
		t.Errorf("metrics without a key: %d", rec.Code)
	}
	if rec := h.do("RJ1/hr", http.MethodGet, "/metrics", nil, nil); rec.Code != http.StatusForbidden {
		t.Errorf("metrics for HR: %d", rec.Code)
	}
	if rec := h.do("RJ1/operator", http.MethodGet, "/metrics", nil, nil); rec.Code != http.StatusOK {
		t.Errorf("metrics for an operator: %d", rec.Code)
	}
}
