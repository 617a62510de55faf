package api_test

import (
	"net/http"
	"testing"
	"time"
)

// A valid_until with an offset (UK summer time) is kept as the instant it
// names, and the passport stays readable, on both databases. Before, SQLite
// stored the offset and every later read of the passport answered 500.
func TestAnOffsetInValidUntilIsTheSameInstant(t *testing.T) {
	for name, h := range map[string]*harness{"postgres": newHarness(t), "sqlite": newSQLiteHarness(t)} {
		t.Run(name, func(t *testing.T) {
			var p passportBody
			h.do("RJ1/hr", http.MethodPost, "/api/v1/passports", `{"email":"bst@nhs.net","given_name":"Summer","family_name":"Time"}`, &p)
			rec := h.do("RJ1/hr", http.MethodPost, "/api/v1/passports/"+p.ID+"/credentials",
				`{"type":"dbs_check","valid_until":"2028-06-01T00:00:00+01:00","claims":`+dbsClaims+`}`, nil)
			if rec.Code != http.StatusCreated {
				t.Fatalf("issue: %d %s", rec.Code, rec.Body)
			}
			var got struct {
				Credentials []struct {
					ValidUntil time.Time `json:"valid_until"`
				}
			}
			if rec := h.do("RJ1/hr", http.MethodGet, "/api/v1/passports/"+p.ID, nil, &got); rec.Code != http.StatusOK {
				t.Fatalf("read the passport: %d %s", rec.Code, rec.Body)
			}
			want := time.Date(2028, 5, 31, 23, 0, 0, 0, time.UTC)
			if len(got.Credentials) != 1 || !got.Credentials[0].ValidUntil.Equal(want) {
				t.Errorf("valid until %+v, want %s", got.Credentials, want)
			}
		})
	}
}
