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

// A date where a moment is asked for is refused naming the field, not as
// a body that "could not be read" (issue 16).
func TestADateWithoutATimeNamesItsField(t *testing.T) {
	h := newHarness(t)
	var p passportBody
	h.do("RJ1/hr", http.MethodPost, "/api/v1/passports", `{"email":"date@nhs.net","given_name":"Dee","family_name":"Ate"}`, &p)
	for path, body := range map[string]string{
		"/api/v1/passports/" + p.ID + "/credentials":                  `{"type":"dbs_check","valid_until":"2028-06-01","claims":` + dbsClaims + `}`,
		"/api/v1/moves/00000000-0000-0000-0000-000000000000/deadline": `{"deadline":"2026-12-16"}`,
	} {
		var problem struct {
			Errors []struct{ Field, Reason string }
		}
		rec := h.do("RJ1/hr", http.MethodPost, path, body, &problem)
		want := "valid_until"
		if body[2] == 'd' {
			want = "deadline"
		}
		if rec.Code != http.StatusUnprocessableEntity || len(problem.Errors) != 1 || problem.Errors[0].Field != want {
			t.Errorf("POST %s %s: %d %s, want 422 naming %s", path, body, rec.Code, rec.Body, want)
		}
	}
}
