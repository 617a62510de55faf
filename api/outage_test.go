package api_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/nhs-staff-passport/passport/internal/testenv"
)

// A database outage answers 503 with Retry-After, saying to try again (not
// 500 "something went wrong"), to the API and the portal alike; when the
// database is back, so is the service, without a restart.
func TestADatabaseOutageAnswers503(t *testing.T) {
	dsn, err := url.Parse(testenv.PostgresDB(t))
	if err != nil {
		t.Fatal(err)
	}
	proxy := testenv.NewProxy(t, dsn.Host)
	dsn.Host = proxy.Addr()
	h := buildHarness(t, t, dsn.String())
	if rec := h.do("RJ1/hr", http.MethodGet, "/api/v1/moves", nil, nil); rec.Code != http.StatusOK {
		t.Fatalf("before the outage: %d", rec.Code)
	}

	proxy.Cut()
	for _, path := range []string{"/api/v1/moves", "/api/v1/trusts"} {
		rec := h.do("RJ1/hr", http.MethodGet, path, nil, nil)
		if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" {
			t.Errorf("GET %s during the outage: %d, Retry-After %q: %s", path, rec.Code, rec.Header().Get("Retry-After"), rec.Body)
		}
	}

	proxy.Restore()
	if rec := h.do("RJ1/hr", http.MethodGet, "/api/v1/moves", nil, nil); rec.Code != http.StatusOK {
		t.Errorf("after the outage: %d %s", rec.Code, rec.Body)
	}
}
