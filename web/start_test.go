package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/nhs-staff-passport/passport/internal/store"
)

// The start form asks dates as the NHS.UK date input and says what is
// wrong in words for people, in the order of the fields, each linked to
// its field; a date that is not one starts nothing (issue 13).
func TestStartFormSpeaksToPeople(t *testing.T) {
	ph := newPortalHarness(t)
	hr := ph.signIn("RJ1/hr")
	page := hr.send("GET", "/portal/start", nil).Body.String()
	for _, want := range []string{`id="start_date-day"`, `id="start_date-month"`, `id="start_date-year"`, `id="end_date-day"`, "Doctor in postgraduate training"} {
		if !strings.Contains(page, want) {
			t.Errorf("the start form lacks %s", want)
		}
	}
	if strings.Contains(page, `type="date"`) {
		t.Error("the start form still asks a date with the browser's date picker")
	}
	token := csrf(t, page)

	rec := hr.refused("/portal/start", url.Values{"csrf": {token}})
	body := rec.Body.String()
	if rec.Code != http.StatusOK {
		t.Fatalf("an empty start form: %d", rec.Code)
	}
	order := []string{`href="#staff.given_name">Enter their first name`, `href="#staff.family_name">Enter their last name`,
		`href="#staff.email">Enter their email address`, `href="#staff.staff_group">Choose the staff group`,
		`href="#receiving_trust">Choose the receiving trust`, `href="#kind">Choose the kind of move`, `href="#start_date-day">Enter the date the move starts`}
	last := -1
	for _, want := range order {
		i := strings.Index(body, want)
		if i < 0 {
			t.Errorf("the error summary lacks %s", want)
			continue
		}
		if i < last {
			t.Errorf("the error summary is not in the order of the fields at %s", want)
		}
		last = i
	}
	for _, code := range []string{"temporary_mover", "YYYY-MM-DD", "must be"} {
		if i := strings.Index(body, `class="nhsuk-error-summary__list"`); i >= 0 && strings.Contains(body[i:i+1500], code) {
			t.Errorf("the error summary reads like code: %q", code)
		}
	}

	// A rotation (no end date needed) with an end date that is not one:
	// named, and nothing starts.
	rec = hr.refused("/portal/start", url.Values{"csrf": {token}, "staff.given_name": {"Kit"}, "staff.family_name": {"Moss"},
		"staff.email": {"kit.moss@nhs.net"}, "staff.staff_group": {"doctor_in_training"}, "receiving_trust": {"RRK"}, "kind": {"rotation"},
		"start_date-day": {"1"}, "start_date-month": {"2"}, "start_date-year": {"2099"}, "end_date-day": {"31"}, "end_date-month": {"2"}, "end_date-year": {"2099"}})
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `href="#end_date-day">The end date must be a real date`) {
		t.Errorf("an end date of 31 February: %d", rec.Code)
	}
	if !strings.Contains(rec.Body.String(), `value="Kit"`) || !strings.Contains(rec.Body.String(), `id="end_date-day" name="end_date-day" type="text" inputmode="numeric" value="31"`) {
		t.Error("what was typed is lost")
	}
	if rows, _ := ph.store.ListMoves(context.Background(), store.MoveFilter{Trust: "RJ1", Limit: 10}); len(rows) != 0 {
		t.Errorf("a form with a date that is not one started %d moves", len(rows))
	}
}
