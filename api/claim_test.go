package api_test

import (
	"net/http"
	"strings"
	"testing"
)

// A trust reaches a passport it has no dealings with only by naming its
// holder as the passport does: an email address alone (by the API, an
// import or a move) neither links the trust to the passport nor tells it
// the name held there.
func TestAnAddressAloneReachesNoOnesPassport(t *testing.T) {
	h := newHarness(t)
	p, _, _ := priyasMove(t, h)
	leaks := func(what, body string) {
		t.Helper()
		if strings.Contains(body, "Secretname") || strings.Contains(body, p.ID) {
			t.Errorf("%s: the answer shows Priya's passport: %.300s", what, body)
		}
	}

	// The API: another name, or none, is refused, naming the field.
	rec := h.do("R0A/hr", http.MethodPost, "/api/v1/passports", map[string]string{"email": "priya@nhs.net", "given_name": "Anyone", "family_name": "Atall"}, nil)
	if rec.Code != http.StatusUnprocessableEntity || !hasField(h.problem(rec), "given_name") {
		t.Errorf("another name: %d %s", rec.Code, rec.Body)
	}
	leaks("another name", rec.Body.String())
	if rec := h.do("R0A/hr", http.MethodGet, "/api/v1/passports/"+p.ID, nil, nil); rec.Code != http.StatusNotFound {
		t.Fatalf("after a refused claim R0A reads the passport: %d", rec.Code)
	}

	// An import row: no names, or others, is an invalid row.
	for _, row := range []string{"priya@nhs.net,,", "priya@nhs.net,Anyone,Atall"} {
		rec = h.csv("R0A/hr", "/api/v1/credentials/imports", "email,given_name,family_name,type,employer,role,from,references_received\n"+row+",employment_history,Leeds,Nurse,2020-01-01,1\n")
		if rec.Code >= 500 || !strings.Contains(rec.Body.String(), `"result":"invalid"`) || !strings.Contains(rec.Body.String(), "given_name") {
			t.Errorf("an import row %q: %d %s", row, rec.Code, rec.Body)
		}
		leaks("an import row", rec.Body.String())
	}

	// A move: the same (the sending trust would show the name held on the
	// move's page).
	move := map[string]any{"receiving_trust": "RRK", "kind": "temporary_move", "start_date": "2099-01-01", "end_date": "2099-03-01",
		"staff": map[string]any{"email": "priya@nhs.net", "given_name": "Anyone", "family_name": "Atall", "staff_group": "temporary_mover"}}
	rec = h.do("R0A/hr", http.MethodPost, "/api/v1/moves", move, nil)
	if rec.Code != http.StatusUnprocessableEntity || !hasField(h.problem(rec), "staff.given_name") {
		t.Errorf("a move under another name: %d %s", rec.Code, rec.Body)
	}
	leaks("a move", rec.Body.String())
	if rec := h.do("R0A/hr", http.MethodGet, "/api/v1/passports/"+p.ID, nil, nil); rec.Code != http.StatusNotFound {
		t.Fatalf("after refused claims R0A reads the passport: %d", rec.Code)
	}

	// Knowing the person (case and spacing aside), the trust reaches the
	// same one passport; the trust that deals with her already needs only
	// the address.
	var got passportBody
	rec = h.do("R0A/hr", http.MethodPost, "/api/v1/passports", map[string]string{"email": "priya@nhs.net", "given_name": " priya", "family_name": "SECRETNAME "}, &got)
	if rec.Code != http.StatusOK || got.ID != p.ID {
		t.Errorf("the right names: %d, passport %q want %q", rec.Code, got.ID, p.ID)
	}
	rec = h.do("RJ1/hr", http.MethodPost, "/api/v1/passports", map[string]string{"email": "priya@nhs.net", "given_name": "P", "family_name": "S"}, &got)
	if rec.Code != http.StatusOK || got.ID != p.ID {
		t.Errorf("her own trust: %d, passport %q", rec.Code, got.ID)
	}
}
