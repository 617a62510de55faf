package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/nhs-staff-passport/passport/models"
)

// TestPortalPassports: HR finds and adds people, records each credential
// type through its form (errors named in words, what was typed kept),
// sees them on the passport page and revokes one; another trust sees
// none of it.
func TestPortalPassports(t *testing.T) {
	ph := newPortalHarness(t)
	ctx := context.Background()
	hr := ph.signIn("RJ1/hr")

	page := hr.send("GET", "/portal/passports", nil)
	if page.Code != http.StatusOK || !strings.Contains(page.Body.String(), "does not deal with anyone yet") {
		t.Fatalf("passports page: %d", page.Code)
	}
	token := csrf(t, page.Body.String())

	// Adding: every field is named, and nothing is made.
	rec := hr.refused("/portal/passports", url.Values{"csrf": {token}, "email": {"not an address"}, "given_name": {""}, "family_name": {"Lee"}})
	body := rec.Body.String()
	if rec.Code != http.StatusOK || !strings.Contains(body, `href="#given_name"`) || !strings.Contains(body, `href="#email"`) ||
		strings.Index(body, `href="#given_name"`) > strings.Index(body, `href="#email"`) || !strings.Contains(body, `value="Lee"`) {
		t.Fatalf("bad person: %d\n%s", rec.Code, body)
	}
	rec = hr.refused("/portal/passports", url.Values{"csrf": {token}, "email": {"kim@nhs.net"}, "given_name": {"www.evil.example"}, "family_name": {"Lowe"}})
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "First name must be a name, not a web address") {
		t.Fatalf("a web address for a name: %d", rec.Code)
	}
	rec = hr.send("POST", "/portal/passports", url.Values{"csrf": {token}, "email": {"Kim.Lowe@nhs.net"}, "given_name": {"Kim"}, "family_name": {"Lowe"}})
	if rec.Code != http.StatusSeeOther || !strings.Contains(rec.Header().Get("Location"), "done=added") {
		t.Fatalf("add: %d %s", rec.Code, rec.Header().Get("Location"))
	}
	passportPath := strings.Split(rec.Header().Get("Location"), "?")[0]
	id := strings.TrimPrefix(passportPath, "/portal/passports/")
	// The same address again finds the same passport.
	rec = hr.send("POST", "/portal/passports", url.Values{"csrf": {token}, "email": {"kim.lowe@nhs.net"}, "given_name": {"Kimberley"}, "family_name": {"Lowe"}})
	if !strings.HasPrefix(rec.Header().Get("Location"), passportPath+"?done=found") {
		t.Fatalf("the same person again: %s", rec.Header().Get("Location"))
	}

	// Searching by name, by email.
	for _, q := range []string{"kim lo", "KIM.LOWE@", "Lowe"} {
		if got := hr.send("GET", "/portal/passports?q="+url.QueryEscape(q), nil).Body.String(); !strings.Contains(got, passportPath) {
			t.Errorf("searching %q does not find Kim", q)
		}
	}
	if got := hr.send("GET", "/portal/passports?q=nobody", nil).Body.String(); strings.Contains(got, passportPath) {
		t.Error("searching for someone else finds Kim")
	}
	if rec := hr.send("GET", "/portal/passports?q="+url.QueryEscape("a\x00b"), nil); rec.Code != http.StatusBadRequest {
		t.Errorf("a search with a NUL byte: %d, want 400", rec.Code)
	}

	// A DBS check: an empty form names each field in words; a wrong
	// certificate number keeps what was typed.
	form := hr.send("GET", passportPath+"/record/dbs_check", nil)
	if form.Code != http.StatusOK || !strings.Contains(form.Body.String(), `id="issued_on-day"`) {
		t.Fatalf("DBS form: %d", form.Code)
	}
	token = csrf(t, form.Body.String())
	rec = hr.refused(passportPath+"/record/dbs_check", url.Values{"csrf": {token}})
	body = rec.Body.String()
	for _, want := range []string{"Select level of check", "Enter certificate number", "Enter the date of issue", "Select yes if the certificate is on the DBS Update Service"} {
		if !strings.Contains(body, want) {
			t.Errorf("empty DBS form: no %q", want)
		}
	}
	if strings.Index(body, `href="#level-basic"`) > strings.Index(body, `href="#issued_on-day"`) {
		t.Error("the error summary is not in the order of the form")
	}
	year := time.Now().Year() - 1
	dbs := url.Values{"csrf": {token}, "level": {"enhanced"}, "workforce": {"adult"}, "certificate_number": {"12345"},
		"issued_on-day": {"31"}, "issued_on-month": {"2"}, "issued_on-year": {itoa(year)}, "update_service": {"yes"}}
	rec = hr.refused(passportPath+"/record/dbs_check", dbs)
	body = rec.Body.String()
	if rec.Code != http.StatusOK || !strings.Contains(body, "A DBS certificate number is 12 digits") ||
		!strings.Contains(body, "Date of issue must be a real date") || !strings.Contains(body, `value="12345"`) ||
		!strings.Contains(body, `id="level-enhanced" name="level" type="radio" value="enhanced" checked`) {
		t.Fatalf("bad DBS check: %d\n%s", rec.Code, body)
	}
	dbs.Set("certificate_number", "001234567890")
	dbs.Set("issued_on-day", "28")
	dbs.Set("form_id", regexp.MustCompile(`name="form_id" value="([^"]+)"`).FindStringSubmatch(form.Body.String())[1])
	for range 2 { // a double submit records once
		if rec := hr.send("POST", passportPath+"/record/dbs_check", dbs); rec.Code != http.StatusSeeOther {
			t.Fatalf("DBS check: %d\n%s", rec.Code, rec.Body)
		}
	}

	// Each other type, through its form.
	date := func(prefix string, d time.Time) url.Values {
		return url.Values{prefix + "-day": {itoa(d.Day())}, prefix + "-month": {itoa(int(d.Month()))}, prefix + "-year": {itoa(d.Year())}}
	}
	past := time.Now().AddDate(0, -2, 0)
	forms := map[string]url.Values{
		"identity":                  {"method": {"in_person_documents"}, "documents_seen": {"passport", "utility_bill"}, "level_of_confidence": {"medium"}, "verified_by": {"Amara Okafor, HR"}},
		"right_to_work":             {"basis": {"share_code"}, "share_code": {"W12345678"}},
		"professional_registration": {"body": {"NMC"}, "number": {"12A3456E"}, "status": {"registered_with_conditions"}, "conditions": {"No night shifts\r\n\r\nSupervised prescribing"}},
		"employment_history":        {"employer": {"Guy's and St Thomas'"}, "role": {"Staff nurse"}, "references_received": {"2"}},
		"occupational_health":       {"clearance": {"fit_with_adjustments"}, "epp_cleared": {"no"}},
	}
	dates := map[string][]string{"identity": {"verified_on"}, "right_to_work": {"checked_on", "+expires"}, "professional_registration": {"checked_on"},
		"employment_history": {"from"}, "occupational_health": {"assessed_on"}}
	for typ, f := range forms {
		f.Set("csrf", token)
		for _, d := range dates[typ] {
			when := past
			if strings.HasPrefix(d, "+") {
				d, when = d[1:], time.Now().AddDate(1, 0, 0)
			}
			for k, v := range date(d, when) {
				f[k] = v
			}
		}
		if rec := hr.send("POST", passportPath+"/record/"+typ, f); rec.Code != http.StatusSeeOther {
			t.Errorf("%s: %d\n%s", typ, rec.Code, rec.Body)
		}
	}
	// Training: two subjects at once; a half-filled third is named.
	training := url.Values{"csrf": {token}, "provider": {"e-Learning for Healthcare"}, "level-fire_safety": {"1"}, "level-resuscitation": {"2"}, "level-moving_handling": {"2"}}
	for k, v := range date("completed_on-fire_safety", past) {
		training[k] = v
	}
	for k, v := range date("completed_on-resuscitation", past) {
		training[k] = v
	}
	rec = hr.refused(passportPath+"/record/core_skills_training", training)
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "Enter the date moving and handling was completed") {
		t.Fatalf("training with a subject half filled: %d\n%s", rec.Code, rec.Body)
	}
	// Training whose refresher has fallen due is named at its date, not
	// taken (and not a server error).
	old := url.Values{"csrf": {token}, "provider": {"e-LfH"}, "level-resuscitation": {"2"}}
	for k, v := range date("completed_on-resuscitation", time.Now().AddDate(-5, 0, 0)) {
		old[k] = v
	}
	rec = hr.refused(passportPath+"/record/core_skills_training", old)
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `href="#completed_on-resuscitation-day"`) ||
		!strings.Contains(rec.Body.String(), "Date completed is too long ago: the refresher fell due on") {
		t.Fatalf("training past its refresher: %d\n%s", rec.Code, rec.Body)
	}
	ended := url.Values{"csrf": {token}, "basis": {"visa"}}
	for k, v := range date("checked_on", time.Now().AddDate(-2, 0, 0)) {
		ended[k] = v
	}
	for k, v := range date("expires", time.Now().AddDate(0, 0, -3)) {
		ended[k] = v
	}
	if rec := hr.refused(passportPath+"/record/right_to_work", ended); rec.Code != http.StatusOK ||
		!strings.Contains(rec.Body.String(), `href="#expires-day"`) || !strings.Contains(rec.Body.String(), "Date the permission ends has passed") {
		t.Errorf("a right to work that has ended: %d\n%s", rec.Code, rec.Body)
	}
	training.Del("level-moving_handling")
	if rec := hr.send("POST", passportPath+"/record/core_skills_training", training); rec.Code != http.StatusSeeOther {
		t.Fatalf("training: %d\n%s", rec.Code, rec.Body)
	}

	// Her NMC registration, once recorded, finds her by its number.
	for _, q := range []string{"12A3456E", "nmc 12a3456e"} {
		if got := hr.send("GET", "/portal/passports?q="+url.QueryEscape(q), nil).Body.String(); !strings.Contains(got, passportPath) {
			t.Errorf("searching the registration number %q does not find Kim", q)
		}
	}
	if got := hr.send("GET", "/portal/passports?q=12A3456F", nil).Body.String(); strings.Contains(got, passportPath) {
		t.Error("another registration number finds Kim")
	}

	pp, err := ph.store.Passport(ctx, id)
	if err != nil || len(pp.Credentials) != 8 {
		t.Fatalf("passport holds %d credentials, want 8 (seven types, training twice): %v", len(pp.Credentials), err)
	}
	var resus, rtw string
	for _, c := range pp.Credentials {
		switch {
		case c.Subject == "resuscitation":
			resus = c.ID
			if c.ValidUntil == nil || c.ValidUntil.Format("2006-01-02") != past.AddDate(1, 0, 0).Format("2006-01-02") {
				t.Errorf("resuscitation's refresher falls due %v, want a year after completion", c.ValidUntil)
			}
		case c.Type == "right_to_work":
			rtw = c.ID
		case c.Type == "professional_registration" && !strings.Contains(string(c.Claims), `"conditions":["No night shifts","Supervised prescribing"]`):
			t.Errorf("registration claims %s", c.Claims)
		}
	}

	// The passport page: issuer by name, each one's standing.
	page = hr.send("GET", passportPath, nil)
	body = page.Body.String()
	if !strings.Contains(body, "Trust RJ1") || !strings.Contains(body, "Core skills training: Resuscitation") || strings.Count(body, "nhsuk-tag--green") != 8 {
		t.Errorf("passport page:\n%s", body)
	}
	cred := hr.send("GET", passportPath+"/credentials/"+resus, nil)
	if body := cred.Body.String(); !strings.Contains(body, "Refresher due") || !strings.Contains(body, "Level 2") || !strings.Contains(body, "Recorded by Trust RJ1 (Person RJ1 hr)") {
		t.Errorf("credential page:\n%s", body)
	}

	// Revoking needs a reason; with one, the page and verifiers say so,
	// and a trust it was shared with is told.
	rrk, _ := ph.store.Trust(ctx, "RRK")
	rrk.ContactEmail = "hr@rrk.example"
	if err := ph.store.SaveTrust(ctx, &rrk); err != nil {
		t.Fatal(err)
	}
	if err := ph.store.CreateShare(ctx, &models.Share{ID: uuid.NewString(), MoveID: uuid.NewString(), CredentialID: rtw, CredentialType: models.CredRightToWork,
		ReceiverODS: "RRK", PassportID: id, SharedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	token = csrf(t, cred.Body.String())
	rec = hr.refused(passportPath+"/credentials/"+rtw+"/revoke", url.Values{"csrf": {token}, "reason": {"no"}})
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), ">no</textarea>") || !strings.Contains(rec.Body.String(), "Enter why you are revoking it") {
		t.Fatalf("revoke without a reason: %d", rec.Code)
	}
	if rec := hr.send("POST", passportPath+"/credentials/"+rtw+"/revoke", url.Values{"csrf": {token}, "reason": {"share code belonged to someone else"}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("revoke: %d", rec.Code)
	}
	if mails := ph.emails("hr@rrk.example"); len(mails) != 1 || !strings.Contains(mails[0].Text, "share code belonged to someone else") {
		t.Errorf("RRK, with whom it was shared, is told of the revocation: %+v", mails)
	}
	if body := hr.send("GET", passportPath+"/credentials/"+rtw, nil).Body.String(); !strings.Contains(body, "Revoked by Trust RJ1: share code belonged to someone else") ||
		strings.Contains(body, "Revoke the credential") {
		t.Errorf("a revoked credential's page:\n%s", body)
	}

	// Another trust's people see nothing of the passport, and cannot record
	// on it; an operator has no passports at all.
	other := ph.signIn("R0A/trust_admin")
	for _, path := range []string{passportPath, passportPath + "/record/dbs_check", passportPath + "/credentials/" + resus} {
		if rec := other.send("GET", path, nil); rec.Code != http.StatusNotFound {
			t.Errorf("R0A GET %s: %d, want 404", path, rec.Code)
		}
	}
	otherToken := csrf(t, other.send("GET", "/portal/passports", nil).Body.String())
	if rec := other.send("POST", passportPath+"/credentials/"+resus+"/revoke", url.Values{"csrf": {otherToken}, "reason": {"not ours to revoke"}}); rec.Code != http.StatusNotFound {
		t.Errorf("R0A revoking RJ1's credential: %d", rec.Code)
	}
	if got := other.send("GET", "/portal/passports?q=kim", nil).Body.String(); strings.Contains(got, passportPath) {
		t.Error("R0A's search finds RJ1's person")
	}
	op := ph.signIn("RJ1/operator")
	if rec := op.send("GET", "/portal/passports", nil); rec.Code != http.StatusForbidden {
		t.Errorf("an operator on the passports page: %d, want 403", rec.Code)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
