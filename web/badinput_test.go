package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// The public contact form and the portal's forms refuse control
// characters with a page that says so, changing nothing.
func TestFormsRefuseControlCharacters(t *testing.T) {
	ph := newPortalHarness(t)
	hr := ph.signIn("RJ1/hr")
	page := hr.send("GET", "/portal/passports", nil)
	rec := hr.send("POST", "/portal/passports", url.Values{"csrf": {csrf(t, page.Body.String())}, "email": {"nul@nhs.net"}, "given_name": {"A\x00"}, "family_name": {"B"}})
	if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "characters we cannot take") {
		t.Errorf("a portal form with a NUL: %d", rec.Code)
	}
	if got, _ := ph.store.PassportsByEmail(t.Context(), []string{"nul@nhs.net"}); len(got) != 0 {
		t.Error("the refused form made a passport")
	}
	b := &browser{t: t, h: ph.handler, cookies: map[string]*http.Cookie{}}
	form := b.send("GET", "/contact/staff", nil)
	rec = b.send("POST", "/contact/staff", url.Values{"csrf": {csrf(t, form.Body.String())}, "name": {"A\x00"}, "email": {"a@nhs.net"}, "message": {"Hello there, a question."}})
	if rec.Code != http.StatusBadRequest {
		t.Errorf("the contact form with a NUL: %d", rec.Code)
	}
}

// An oversized portal upload is told it is too large.
func TestOversizedUploadIsToldSo(t *testing.T) {
	ph := newPortalHarness(t)
	hr := ph.signIn("RJ1/hr")
	token := csrf(t, hr.send("GET", "/portal/rotations", nil).Body.String())
	big := url.Values{"csrf": {token}, "pad": {strings.Repeat("x", 20<<20)}}
	if rec := hr.send("POST", "/portal/rotations", big); rec.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("a 20 MB upload: %d, want 413", rec.Code)
	}
}
