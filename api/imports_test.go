package api_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/nhs-staff-passport/passport/internal/testenv"
)

func (h *harness) csv(who, path, body string) *httptest.ResponseRecorder {
	h.t.Helper()
	r := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
	r.Header.Set("Content-Type", "text/csv")
	r.Header.Set("Authorization", "Bearer "+h.keys[who])
	rec := httptest.NewRecorder()
	h.handler.ServeHTTP(rec, r)
	return rec
}

func TestImportThroughTheAPI(t *testing.T) {
	h := newHarness(t)
	// The trust's own name for a course, which imports use first.
	if rec := h.do("RJ1/hr", http.MethodPut, "/api/v1/trusts/RJ1/training-names", `{"names":[{"name":"Mandatory Fire Warden","subject":"fire_safety"}]}`, nil); rec.Code != http.StatusOK {
		t.Fatalf("training names: %d %s", rec.Code, rec.Body)
	}
	rec := h.do("RJ1/hr", http.MethodPut, "/api/v1/trusts/RJ1/training-names", `{"names":[{"name":"","subject":"fire"},{"name":"x","subject":"resuscitation","level":7}]}`, nil)
	if p := h.problem(rec); rec.Code != http.StatusUnprocessableEntity || !hasField(p, "names[0].name") || !hasField(p, "names[0].subject") || !hasField(p, "names[1].level") {
		t.Fatalf("bad training names: %d %+v", rec.Code, p)
	}
	if rec := h.do("RRK/hr", http.MethodPut, "/api/v1/trusts/RJ1/training-names", `{"names":[]}`, nil); rec.Code != http.StatusNotFound && rec.Code != http.StatusForbidden {
		t.Errorf("another trust setting RJ1's names: %d", rec.Code)
	}

	// A dry run records nothing.
	var dry struct {
		ID                   string
		WouldIssue           int `json:"would_issue"`
		Invalid, PeopleAdded int
	}
	rec = h.csv("RJ1/hr", "/api/v1/credentials/imports?dry_run=true", testenv.SmallImport)
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"would_issue":3`) || !strings.Contains(rec.Body.String(), `"invalid":1`) {
		t.Fatalf("dry run: %d %s", rec.Code, rec.Body)
	}
	if got, _ := h.store.PassportsByEmail(t.Context(), []string{"ana.silva@nhs.net"}); len(got) != 0 {
		t.Fatal("a dry run made a passport")
	}
	_ = dry

	rec = h.csv("RJ1/hr", "/api/v1/credentials/imports", testenv.SmallImport)
	if rec.Code != http.StatusCreated || !strings.Contains(rec.Body.String(), `"issued":3`) || rec.Header().Get("Location") == "" {
		t.Fatalf("import: %d %s", rec.Code, rec.Body)
	}
	location := rec.Header().Get("Location")
	var kept struct {
		Issued     int `json:"issued"`
		FailedRows []struct {
			Row    int
			Errors []struct{ Field string }
		} `json:"failed_rows"`
	}
	if rec := h.do("RJ1/hr", http.MethodGet, location, nil, &kept); rec.Code != http.StatusOK || kept.Issued != 3 || len(kept.FailedRows) != 1 ||
		kept.FailedRows[0].Row != 4 || kept.FailedRows[0].Errors[0].Field != "email" {
		t.Errorf("the import kept: %d %+v", rec.Code, kept)
	}
	if rec := h.do("RRK/hr", http.MethodGet, location, nil, nil); rec.Code != http.StatusNotFound {
		t.Errorf("another trust reading RJ1's import: %d", rec.Code)
	}
	if rec := h.do("RJ1/hr", http.MethodGet, location+"?format=csv", nil, nil); !strings.Contains(rec.Body.String(), "4,email,") {
		t.Errorf("failures CSV: %s", rec.Body)
	}
	// The same file again records nothing; the JSON form works the same.
	if rec := h.csv("RJ1/hr", "/api/v1/credentials/imports", testenv.SmallImport); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"already_issued":3`) {
		t.Errorf("again: %d %s", rec.Code, rec.Body)
	}
	rec = h.do("RJ1/hr", http.MethodPost, "/api/v1/credentials/imports",
		`{"rows":[{"email":"ana.silva@nhs.net","type":"occupational_health","claims":{"clearance":"fit","epp_cleared":false,"assessed_on":"2026-04-01"}},
		{"email":"ana.silva@nhs.net","type":"occupational_health","claims":{"clearance":"cleared","assessed_on":"2026-04-01"}}]}`, nil)
	if rec.Code != http.StatusCreated || !strings.Contains(rec.Body.String(), `"field":"claims.clearance"`) {
		t.Errorf("JSON import: %d %s", rec.Code, rec.Body)
	}
	// Faults of the whole request.
	if rec := h.csv("RJ1/hr", "/api/v1/credentials/imports", "email,type,shoe_size\n"); rec.Code != http.StatusUnprocessableEntity || !hasField(h.problem(rec), "file") {
		t.Errorf("unknown column: %d", rec.Code)
	}
	if rec := h.csv("RJ1/operator", "/api/v1/credentials/imports", testenv.SmallImport); rec.Code != http.StatusForbidden {
		t.Errorf("an operator importing: %d", rec.Code)
	}
	var big bytes.Buffer
	big.WriteString("email,given_name,type\n")
	long := strings.Repeat("x", 1000)
	for big.Len() <= 33<<20 {
		big.WriteString("someone@nhs.net," + long + ",dbs_check\n")
	}
	if rec := h.csv("RJ1/hr", "/api/v1/credentials/imports", big.String()); rec.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("33 MB: %d", rec.Code)
	}
}
