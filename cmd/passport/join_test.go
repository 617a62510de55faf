package main

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

var anyFormToken = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// portalUser is a person in a browser without JavaScript: forms and
// cookies, nothing else.
type portalUser struct {
	t    *testing.T
	base string
	http *http.Client
}

func newPortalUser(t *testing.T, base string) *portalUser {
	jar, _ := cookiejar.New(nil)
	return &portalUser{t: t, base: base, http: &http.Client{Jar: jar, Timeout: 30 * time.Second}}
}

// get loads a page and returns its body and its first form token.
func (u *portalUser) get(path string) (string, string) {
	u.t.Helper()
	return getPage(u.t, u.http, u.base+path)
}

// getPage loads a page that must answer 200 and returns its body and its
// first form token ("" when it has no form).
func getPage(t *testing.T, c *http.Client, url string) (string, string) {
	t.Helper()
	res, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d\n%s", url, res.StatusCode, body)
	}
	token := ""
	if m := anyFormToken.FindStringSubmatch(string(body)); m != nil {
		token = m[1]
	}
	return string(body), token
}

// post sends a form and returns where it ended (after redirects) and the
// page there.
func (u *portalUser) post(path string, form url.Values) (int, string, string) {
	u.t.Helper()
	res, err := u.http.PostForm(u.base+path, form)
	if err != nil {
		u.t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	return res.StatusCode, res.Request.URL.Path, string(body)
}

// TestNewTrustJoinsAndStartsItsFirstMove registers a trust through the
// operator's pages, and its first administrator — invited by email —
// sets it up and starts its first move, all through the portal without
// JavaScript, in development mode.
func TestNewTrustJoinsAndStartsItsFirstMove(t *testing.T) {
	dir := t.TempDir()
	cfg := devConfigServing(t, dir)
	d := startTestDev(t, cfg)
	defer d.stop()
	base := cfg.PublicURL

	// The operator signs in (the dev list) and registers Leeds.
	op := newPortalUser(t, base)
	page, token := op.get("/portal/sign-in")
	id := regexp.MustCompile(`name="user" value="([^"]+)">\s*<button[^>]*id="demo-service-operator"`).FindStringSubmatch(page)
	if id == nil {
		t.Fatal("no demo operator on the sign-in page")
	}
	if code, at, _ := op.post("/portal/demo-sign-in", url.Values{"csrf": {token}, "user": {id[1]}}); code != http.StatusOK || at != "/portal" {
		t.Fatalf("operator sign-in: %d at %s", code, at)
	}
	_, token = op.get("/portal/operator")
	code, _, body := op.post("/portal/operator/trusts", url.Values{"csrf": {token}, "ods_code": {"RR8"},
		"name": {"Leeds Teaching Hospitals NHS Trust"}, "region": {"North East and Yorkshire"},
		"admin_name": {"Hana Malik"}, "contact_email": {"hana.malik@nhs.net"}})
	if code != http.StatusOK || !strings.Contains(body, "emailed them an invitation") {
		t.Fatalf("register: %d\n%s", code, body)
	}

	// Leeds is on the public list straight away.
	var listed []struct {
		ODS string `json:"ods_code"`
	}
	getJSON(t, base+"/api/v1/trusts?q=RR8", &listed)
	if len(listed) != 1 {
		t.Fatalf("the new trust is not on the public list: %+v", listed)
	}

	// Hana follows the invitation and sets Leeds up.
	invite := mailTo(t, base, "hana.malik@nhs.net", "invited")
	hana := newPortalUser(t, base)
	_, token = hana.get(strings.TrimPrefix(invite, base))
	if code, at, _ := hana.post(strings.TrimPrefix(invite, base), url.Values{"csrf": {token}}); code != http.StatusOK || at != "/portal" {
		t.Fatalf("first sign-in: %d at %s", code, at)
	}
	_, token = hana.get("/portal/settings")
	if code, _, body := hana.post("/portal/settings/policy", url.Values{"csrf": {token}, "reminder_interval_hours": {"48"},
		"max_reminders": {"3"}, "deadline_days": {"21"}, "also_tell": {"Leeds.Moves@nhs.net\n"}}); code != http.StatusOK || !strings.Contains(body, "changes are saved") ||
		!strings.Contains(body, ">leeds.moves@nhs.net</textarea>") {
		t.Fatalf("policy: %d", code)
	}
	if code, _, body := hana.post("/portal/settings/users", url.Values{"csrf": {token}, "name": {"Ola Ade"},
		"email": {"ola.ade@nhs.net"}, "role": {"hr"}}); code != http.StatusOK || !strings.Contains(body, "Ola Ade") {
		t.Fatalf("invite HR: %d", code)
	}
	mailTo(t, base, "ola.ade@nhs.net", "invited")
	if code, _, body := hana.post("/portal/settings/keys", url.Values{"csrf": {token}, "key-name": {"Leeds ESR"}, "key-role": {"hr"}}); code != http.StatusCreated || !strings.Contains(body, "Your new API key") {
		t.Fatalf("API key: %d", code)
	}

	// Leeds's first move, to Guy's and St Thomas'.
	_, token = hana.get("/portal/start")
	start, end := time.Now().AddDate(0, 1, 0), time.Now().AddDate(0, 4, 0)
	code, at, body := hana.post("/portal/start", url.Values{"csrf": {token}, "form_id": {"first-move"},
		"staff.given_name": {"Kit"}, "staff.family_name": {"Moss"}, "staff.email": {"kit.moss@nhs.net"},
		"staff.staff_group": {"temporary_mover"}, "receiving_trust": {"RJ1"}, "kind": {"temporary_move"},
		"start_date-day": {strconv.Itoa(start.Day())}, "start_date-month": {strconv.Itoa(int(start.Month()))}, "start_date-year": {strconv.Itoa(start.Year())},
		"end_date-day": {strconv.Itoa(end.Day())}, "end_date-month": {strconv.Itoa(int(end.Month()))}, "end_date-year": {strconv.Itoa(end.Year())}})
	if code != http.StatusOK || !strings.HasPrefix(at, "/portal/moves/") || !strings.Contains(body, "The move has started") {
		t.Fatalf("first move: %d at %s\n%s", code, at, body)
	}
	mailTo(t, base, "kit.moss@nhs.net", "Leeds Teaching Hospitals NHS Trust has started your move")

	// Ola, Leeds's HR officer, starts a move of her own: what Leeds is
	// asked goes to her as well as to the trust's address (issue 13).
	olaInvite := mailTo(t, base, "ola.ade@nhs.net", "invited")
	ola := newPortalUser(t, base)
	_, token = ola.get(strings.TrimPrefix(olaInvite, base))
	if code, at, _ := ola.post(strings.TrimPrefix(olaInvite, base), url.Values{"csrf": {token}}); code != http.StatusOK || at != "/portal" {
		t.Fatalf("Ola's first sign-in: %d at %s", code, at)
	}
	_, token = ola.get("/portal/start")
	if code, at, body := ola.post("/portal/start", url.Values{"csrf": {token}, "form_id": {"olas-move"},
		"staff.given_name": {"Lee"}, "staff.family_name": {"Park"}, "staff.email": {"lee.park@nhs.net"},
		"staff.staff_group": {"temporary_mover"}, "receiving_trust": {"RJ1"}, "kind": {"temporary_move"},
		"start_date-day": {strconv.Itoa(start.Day())}, "start_date-month": {strconv.Itoa(int(start.Month()))}, "start_date-year": {strconv.Itoa(start.Year())},
		"end_date-day": {strconv.Itoa(end.Day())}, "end_date-month": {strconv.Itoa(int(end.Month()))}, "end_date-year": {strconv.Itoa(end.Year())}}); code != http.StatusOK || !strings.HasPrefix(at, "/portal/moves/") {
		t.Fatalf("Ola's move: %d at %s\n%s", code, at, body)
	}
	jar, _ := cookiejar.New(nil)
	lee := &person{t: t, base: base, email: "lee.park@nhs.net", http: &http.Client{Jar: jar}}
	leeInvite := mailTo(t, base, "lee.park@nhs.net", "has started your move")
	_, csrf := lee.open(leeInvite)
	identity, code, page := lee.submitAt(leeInvite, url.Values{"csrf": {csrf}, "action": {"accept"}})
	if m := anyFormToken.FindStringSubmatch(page); code != http.StatusOK || m == nil {
		t.Fatalf("Lee accepts: %d", code)
	} else if code, _ := lee.submit(identity, url.Values{"csrf": {m[1]}, "action": {"simulate"}}); code != http.StatusOK {
		t.Fatalf("Lee's identity: %d", code)
	}
	forOla := mailTo(t, base, "ola.ade@nhs.net", "Records needed")
	mailTo(t, base, "hana.malik@nhs.net", "Records needed")
	mailTo(t, base, "leeds.moves@nhs.net", "Records needed") // whom Leeds's settings also tell
	if !strings.Contains(forOla, "?for=RR8") {
		t.Errorf("the records email's link does not say it is Leeds's: %s", forOla)
	}
}
