package web_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/hibiken/asynq"

	"github.com/nhs-staff-passport/passport/internal/apikey"
	"github.com/nhs-staff-passport/passport/internal/expiry"
	"github.com/nhs-staff-passport/passport/internal/jobs"
	"github.com/nhs-staff-passport/passport/internal/linktoken"
	"github.com/nhs-staff-passport/passport/internal/testenv"
	"github.com/nhs-staff-passport/passport/models"
	"github.com/nhs-staff-passport/passport/web"
)

// browser is a person with cookies, for the portal's pages.
type browser struct {
	t       *testing.T
	h       http.Handler
	cookies map[string]*http.Cookie
}

func (b *browser) send(method, path string, form url.Values) *httptest.ResponseRecorder {
	b.t.Helper()
	var r *http.Request
	if form != nil {
		r = httptest.NewRequest(method, path, strings.NewReader(form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else {
		r = httptest.NewRequest(method, path, nil)
	}
	for _, c := range b.cookies {
		r.AddCookie(c)
	}
	rec := httptest.NewRecorder()
	b.h.ServeHTTP(rec, r)
	for _, c := range rec.Result().Cookies() {
		if c.MaxAge < 0 {
			delete(b.cookies, c.Name)
		} else {
			b.cookies[c.Name] = c
		}
	}
	return rec
}

// sent sends a form that should be taken: the answer goes back to the
// form's page, returned as it then reads (its outcome, once).
func (b *browser) sent(path string, form url.Values) *httptest.ResponseRecorder {
	b.t.Helper()
	rec := b.send("POST", path, form)
	if rec.Code != http.StatusSeeOther {
		b.t.Errorf("a form at %s answered %d, not a redirect", path, rec.Code)
		return rec
	}
	return b.send("GET", rec.Header().Get("Location"), nil)
}

// refused sends a form that should be refused: the answer goes back to
// the form's page (post, redirect, get), which is returned as it then
// reads; a form answered at its own address fails the test.
func (b *browser) refused(path string, form url.Values) *httptest.ResponseRecorder {
	b.t.Helper()
	rec := b.send("POST", path, form)
	if rec.Code != http.StatusSeeOther || strings.Contains(rec.Header().Get("Location"), "done=") {
		b.t.Errorf("a refused form at %s answered %d (to %q), not a redirect back to its page", path, rec.Code, rec.Header().Get("Location"))
		return rec
	}
	return b.send("GET", rec.Header().Get("Location"), nil)
}

var formCSRF = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrf is the form token on a page.
func csrf(t *testing.T, body string) string {
	t.Helper()
	m := formCSRF.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no form token on the page:\n%s", body)
	}
	return m[1]
}

type portalHarness struct {
	*harness
	queue  *asynq.Inspector
	signer *linktoken.Signer
	users  map[string]models.User // "RJ1/hr" -> user
}

func newPortalHarness(t *testing.T) *portalHarness {
	t.Helper()
	rdb := testenv.Redis(t)
	signer, err := linktoken.NewSigner([]byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, func(o *web.Options) {
		o.Email = jobs.NewEnqueuer(asynq.NewClientFromRedisClient(rdb))
		o.Notices = &expiry.Job{Store: o.Store, Email: o.Email.(*jobs.Enqueuer), PublicURL: "https://passport.example.nhs.uk"}
		o.Moves.Links = signer
		o.PublicURL = "https://passport.example.nhs.uk"
		o.LinkRequestsPerMinute = 6000 // these tests sign many people in from one address
	})
	ph := &portalHarness{harness: h, queue: asynq.NewInspectorFromRedisClient(rdb), signer: signer, users: map[string]models.User{}}
	operator := models.User{ID: uuid.NewString(), Role: models.RoleOperator, Name: "Person of the service", Email: "operator@nhs.net", CreatedAt: time.Now()}
	if err := operator.Validate(); err != nil {
		t.Fatal(err)
	}
	if err := h.store.CreateUser(context.Background(), &operator); err != nil {
		t.Fatal(err)
	}
	for _, ods := range []string{"RJ1", "RRK", "R0A"} {
		ph.users[ods+"/"+string(models.RoleOperator)] = operator // the service's, named under each trust for tables
		for _, role := range []models.Role{models.RoleHR, models.RoleTrustAdmin} {
			u := models.User{ID: uuid.NewString(), TrustODS: ods, Role: role, Name: "Person " + ods + " " + string(role),
				Email: strings.ToLower(ods) + "." + string(role) + "@nhs.net", CreatedAt: time.Now()}
			if err := h.store.CreateUser(context.Background(), &u); err != nil {
				t.Fatal(err)
			}
			ph.users[ods+"/"+string(role)] = u
		}
	}
	return ph
}

// emails returns the emails queued to an address (asking to act, then
// notices).
func (ph *portalHarness) emails(to string) []jobs.Email {
	ph.t.Helper()
	var out []jobs.Email
	for _, queue := range []string{jobs.QueueEmail, jobs.QueueNotices} {
		tasks, err := ph.queue.ListPendingTasks(queue, asynq.PageSize(100))
		if errors.Is(err, asynq.ErrQueueNotFound) {
			continue
		}
		if err != nil {
			ph.t.Fatal(err)
		}
		for _, task := range tasks {
			var e jobs.Email
			if json.Unmarshal(task.Payload, &e) == nil && e.To == to {
				out = append(out, e)
			}
		}
	}
	return out
}

var signInLink = regexp.MustCompile(`https://passport\.example\.nhs\.uk(/portal/sign-in/[^\s?]+)`)

// signIn signs the named user in through an emailed link.
func (ph *portalHarness) signIn(who string) *browser {
	ph.t.Helper()
	b := &browser{t: ph.t, h: ph.handler, cookies: map[string]*http.Cookie{}}
	page := b.send("GET", "/portal/sign-in", nil)
	before := len(ph.emails(ph.users[who].Email))
	rec := b.sent("/portal/sign-in", url.Values{"csrf": {csrf(ph.t, page.Body.String())}, "email": {strings.ToUpper(ph.users[who].Email)}})
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "Check your email") {
		ph.t.Fatalf("ask for a link: %d\n%s", rec.Code, rec.Body)
	}
	mails := ph.emails(ph.users[who].Email)
	if len(mails) != before+1 {
		ph.t.Fatalf("%d sign-in emails to %s, want %d", len(mails), ph.users[who].Email, before+1)
	}
	m := signInLink.FindStringSubmatch(mails[len(mails)-1].Text)
	if m == nil {
		ph.t.Fatalf("no sign-in link in %q", mails[len(mails)-1].Text)
	}
	link := b.send("GET", m[1], nil)
	if link.Code != http.StatusOK {
		ph.t.Fatalf("open the link: %d\n%s", link.Code, link.Body)
	}
	rec = b.send("POST", m[1], url.Values{"csrf": {csrf(ph.t, link.Body.String())}})
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/portal" {
		ph.t.Fatalf("use the link: %d %s\n%s", rec.Code, rec.Header().Get("Location"), rec.Body)
	}
	again := (&browser{t: ph.t, h: ph.handler, cookies: map[string]*http.Cookie{}})
	page2 := again.send("GET", m[1], nil)
	if page2.Code != http.StatusNotFound {
		ph.t.Fatalf("a used sign-in link still opens: %d", page2.Code)
	}
	return b
}

func TestPortalSignInIsByASingleUseEmailedLink(t *testing.T) {
	ph := newPortalHarness(t)
	b := ph.signIn("RJ1/hr")

	cookie := b.cookies["passport_session"]
	if cookie == nil || !cookie.HttpOnly || !cookie.Secure || cookie.SameSite != http.SameSiteLaxMode || cookie.Path != "/portal" {
		t.Fatalf("session cookie %+v", cookie)
	}
	// The database keeps only a hash of the cookie's token.
	sum := sha256.Sum256([]byte(cookie.Value))
	if _, _, err := ph.store.SessionUser(context.Background(), hex.EncodeToString(sum[:])); err != nil {
		t.Fatalf("session by hash: %v", err)
	}
	if _, _, err := ph.store.SessionUser(context.Background(), cookie.Value); err == nil {
		t.Fatal("the session is stored under the cookie's own value")
	}
	if rec := b.send("GET", "/portal", nil); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "Trust RJ1") {
		t.Fatalf("dashboard: %d\n%s", rec.Code, rec.Body)
	}

	// An unknown address gets the same answer, and no email.
	anon := &browser{t: t, h: ph.handler, cookies: map[string]*http.Cookie{}}
	page := anon.send("GET", "/portal/sign-in", nil)
	rec := anon.sent("/portal/sign-in", url.Values{"csrf": {csrf(t, page.Body.String())}, "email": {"nobody@nhs.net"}})
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "Check your email") || len(ph.emails("nobody@nhs.net")) != 0 {
		t.Fatalf("unknown address: %d", rec.Code)
	}
	// A malformed address is named on the form, with what was typed kept.
	rec = anon.refused("/portal/sign-in", url.Values{"csrf": {csrf(t, page.Body.String())}, "email": {"not an address"}})
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `href="#email"`) || !strings.Contains(rec.Body.String(), `value="not an address"`) {
		t.Fatalf("bad address: %d\n%s", rec.Code, rec.Body)
	}
	// Without the form's token nothing is sent.
	rec = anon.send("POST", "/portal/sign-in", url.Values{"email": {ph.users["RJ1/hr"].Email}})
	if rec.Code != http.StatusForbidden {
		t.Fatalf("sign-in form without its token: %d", rec.Code)
	}

	// Signing out ends the session on the server too.
	dash := b.send("GET", "/portal", nil)
	token := cookie.Value
	if rec := b.send("POST", "/portal/sign-out", url.Values{"csrf": {csrf(t, dash.Body.String())}}); rec.Code != http.StatusOK {
		t.Fatalf("sign out: %d", rec.Code)
	}
	stolen := &browser{t: t, h: ph.handler, cookies: map[string]*http.Cookie{"passport_session": {Name: "passport_session", Value: token}}}
	if rec := stolen.send("GET", "/portal", nil); rec.Code != http.StatusSeeOther || !strings.HasPrefix(rec.Header().Get("Location"), "/portal/sign-in") {
		t.Fatalf("a signed-out session still works: %d", rec.Code)
	}
}

func TestPortalSessionsEndWhenIdleAndLinksExpire(t *testing.T) {
	ph := newPortalHarness(t)
	b := ph.signIn("RRK/trust_admin")
	sum := sha256.Sum256([]byte(b.cookies["passport_session"].Value))
	id := hex.EncodeToString(sum[:])
	if err := ph.store.TouchSession(context.Background(), id, time.Now().Add(-2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if rec := b.send("GET", "/portal/moves", nil); rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/portal/sign-in?next=%2Fportal%2Fmoves" {
		t.Fatalf("idle session: %d %s", rec.Code, rec.Header().Get("Location"))
	}

	// A link past its expiry does not sign in, nor does a used one.
	anon := &browser{t: t, h: ph.handler, cookies: map[string]*http.Cookie{}}
	for _, tc := range []struct {
		name    string
		expires time.Time
		used    bool
	}{{"expired", time.Now().Add(-time.Second), false}, {"used", time.Now().Add(time.Minute), true}} {
		tok := ph.signer.New()
		rec := models.SignInToken{ID: tok.ID, SecretHash: tok.Hash, UserID: ph.users["R0A/hr"].ID, ExpiresAt: tc.expires.UTC(), CreatedAt: time.Now()}
		if tc.used {
			now := time.Now()
			rec.UsedAt = &now
		}
		if err := ph.store.CreateSignInToken(context.Background(), &rec); err != nil {
			t.Fatal(err)
		}
		if res := anon.send("GET", "/portal/sign-in/"+tok.Plain, nil); res.Code != http.StatusNotFound {
			t.Fatalf("%s link: %d", tc.name, res.Code)
		}
	}
	tokenID := uuid.NewString()
	// A forged link is turned away before any lookup.
	if rec := anon.send("GET", "/portal/sign-in/"+tokenID+".AAAA.BBBB", nil); rec.Code != http.StatusNotFound {
		t.Fatalf("forged link: %d", rec.Code)
	}
}

func TestPortalPagesAreScopedToTrustAndRole(t *testing.T) {
	ph := newPortalHarness(t)
	ctx := context.Background()
	p, _, err := ph.creds.FindOrAddPassport(ctx, rj1HR, models.StaffDetails{Email: "priya@nhs.net", GivenName: "Priya", FamilyName: "Secretname"})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	mv := models.Move{ID: uuid.NewString(), SendingODS: "RJ1", ReceivingODS: "RRK", PassportID: p.ID, Kind: models.KindRotation,
		StaffGroup: models.GroupDoctorInTraining, StartDate: now, Requested: "dbs_check", Status: models.MoveActive, Stage: "identity",
		WaitingOn: models.WaitingStaff, CreatedAt: now, UpdatedAt: now}
	if _, _, err := ph.store.CreateMove(ctx, &mv); err != nil {
		t.Fatal(err)
	}
	page := "/portal/moves/" + mv.ID

	for who, want := range map[string]int{"RJ1/hr": 200, "RRK/hr": 200, "RRK/trust_admin": 200, "RJ1/operator": 200, "R0A/hr": 404, "R0A/trust_admin": 404} {
		b := ph.signIn(who)
		rec := b.send("GET", page, nil)
		if rec.Code != want {
			t.Errorf("%s: move page %d, want %d", who, rec.Code, want)
		}
		if want == 404 && strings.Contains(rec.Body.String(), "Secretname") {
			t.Errorf("%s saw another trust's move", who)
		}
		list := b.send("GET", "/portal/moves", nil)
		if got := strings.Contains(list.Body.String(), "Secretname"); got != (want == 200) {
			t.Errorf("%s: list shows the move: %v", who, got)
		}
	}

	hr := ph.signIn("RJ1/hr")
	dash := hr.send("GET", "/portal", nil)
	token := csrf(t, dash.Body.String())
	for _, c := range []struct {
		method, path string
		want         int
	}{
		{"GET", "/portal/operator", 403},
		{"POST", "/portal/operator/trusts", 403},
		{"POST", "/portal/settings/policy", 403},
		{"POST", "/portal/settings/users", 403},
		{"POST", page + "/retry", 403},
		{"GET", "/portal/settings", 200},
		{"GET", "/portal/start", 200},
	} {
		var form url.Values
		if c.method == "POST" {
			form = url.Values{"csrf": {token}}
		}
		if rec := hr.send(c.method, c.path, form); rec.Code != c.want {
			t.Errorf("HR %s %s: %d, want %d", c.method, c.path, rec.Code, c.want)
		}
	}
	if s := hr.send("GET", "/portal/settings", nil).Body.String(); strings.Contains(s, "Save the policy") || strings.Contains(s, "Add and invite") {
		t.Error("HR is offered the administrators' forms")
	}

	// Every form needs the session's token: a cross-site post changes nothing.
	admin := ph.signIn("RJ1/trust_admin")
	rec := admin.send("POST", "/portal/settings/policy", url.Values{"reminder_interval_hours": {"1"}, "max_reminders": {"1"}, "deadline_days": {"1"}})
	if rec.Code != http.StatusForbidden {
		t.Fatalf("policy without the form token: %d", rec.Code)
	}
	if tr, _ := ph.store.Trust(ctx, "RJ1"); tr.Policy.MaxReminders == 1 {
		t.Fatal("a post without the form token changed the policy")
	}
	// With it, bad input is named and nothing is saved; good input saves.
	set := admin.send("GET", "/portal/settings", nil)
	rec = admin.refused("/portal/settings/policy", url.Values{"csrf": {csrf(t, set.Body.String())}, "reminder_interval_hours": {"soon"}, "max_reminders": {"2"}, "deadline_days": {"10"}})
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `href="#reminder_interval_hours"`) {
		t.Fatalf("bad policy: %d", rec.Code)
	}
	if !strings.Contains(set.Body.String(), `id="ask_for_records-yes" name="ask_for_records" type="radio" value="yes" checked`) {
		t.Fatal("the settings page does not show that moves ask for missing records")
	}
	rec = admin.send("POST", "/portal/settings/policy", url.Values{"csrf": {csrf(t, set.Body.String())}, "reminder_interval_hours": {"24"}, "max_reminders": {"2"}, "deadline_days": {"10"},
		"ask_for_records": {"no"}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("policy: %d\n%s", rec.Code, rec.Body)
	}
	if tr, _ := ph.store.Trust(ctx, "RJ1"); tr.Policy.MaxReminders != 2 || tr.Policy.Deadline != 10*24*time.Hour || !tr.SkipRecordRequests {
		t.Fatalf("policy saved as %+v, skip record requests %v", tr.Policy, tr.SkipRecordRequests)
	}

	// The move page's forms name what is wrong before anything reaches the
	// workflow, and keep what was typed.
	sender := ph.signIn("RJ1/hr")
	token = csrf(t, sender.send("GET", page, nil).Body.String())
	for _, c := range []struct {
		action string
		form   url.Values
		field  string
	}{
		{"/identity", url.Values{"documents_seen": {"passport"}, "level_of_confidence": {"medium"}, "verified_by": {"Ann HR"},
			"verified_on-day": {"30"}, "verified_on-month": {"11"}, "verified_on-year": {"2026"}}, "documents_seen"},
		{"/identity", url.Values{"documents_seen": {"passport", "utility_bill"}, "level_of_confidence": {"medium"}, "verified_by": {"Ann HR"},
			"verified_on-day": {"31"}, "verified_on-month": {"2"}, "verified_on-year": {"2026"}}, "verified_on-day"},
		{"/identity", url.Values{"documents_seen": {"passport", "utility_bill"}, "level_of_confidence": {"medium"}, "verified_by": {"Ann HR"}}, "verified_on-day"},
		{"/cancel", url.Values{"reason": {"  "}}, "reason"},
		{"/deadline", url.Values{"deadline-day": {"soon"}}, "deadline-day"},
		{"/deadline", url.Values{}, "deadline-day"},
	} {
		c.form.Set("csrf", token)
		// Post, redirect, get: the answer is the move page again, never a
		// page at the form's address.
		rec := sender.send("POST", page+c.action, c.form)
		if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != page {
			t.Errorf("%s with a bad %s: %d to %q", c.action, c.field, rec.Code, rec.Header().Get("Location"))
		}
		rec = sender.send("GET", page, nil)
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `href="#`+c.field+`"`) {
			t.Errorf("%s with a bad %s: the page after it says nothing (%d)", c.action, c.field, rec.Code)
		}
		if c.action == "/identity" && !strings.Contains(rec.Body.String(), `value="Ann HR"`) {
			t.Errorf("%s: what was typed is lost", c.action)
		}
		if again := sender.send("GET", page, nil).Body.String(); strings.Contains(again, `href="#`+c.field+`"`) {
			t.Errorf("%s: the error is still shown when the page is opened again", c.action)
		}
	}
	// A good answer reaches the workflow, which here does not answer: the
	// page says nothing was changed, and nothing is recorded.
	rec = sender.send("POST", page+"/cancel", url.Values{"csrf": {token}, "reason": {"no longer needed"}})
	if rec.Code != http.StatusSeeOther || !strings.Contains(sender.send("GET", page, nil).Body.String(), "Nothing was changed") {
		t.Errorf("cancel with Temporal down: %d", rec.Code)
	}
}

func TestPortalInvitesPeopleAndRegistersTrusts(t *testing.T) {
	ph := newPortalHarness(t)
	ctx := context.Background()
	op := ph.signIn("RJ1/operator")
	page := op.send("GET", "/portal/operator", nil)
	rec := op.send("POST", "/portal/operator/trusts", url.Values{"csrf": {csrf(t, page.Body.String())}, "ods_code": {"rth"},
		"name": {"Oxford University Hospitals NHS Foundation Trust"}, "region": {"South East"}, "admin_name": {"Nia Evans"}, "contact_email": {"nia.evans@nhs.net"}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("register: %d\n%s", rec.Code, rec.Body)
	}
	if tr, err := ph.store.Trust(ctx, "RTH"); err != nil || !tr.Registered {
		t.Fatalf("trust: %+v %v", tr, err)
	}
	// The first administrator signs in with the invitation and invites HR.
	mails := ph.emails("nia.evans@nhs.net")
	if len(mails) != 1 || !strings.Contains(mails[0].Subject, "invited") {
		t.Fatalf("invitation: %+v", mails)
	}
	m := signInLink.FindStringSubmatch(mails[0].Text)
	b := &browser{t: t, h: ph.handler, cookies: map[string]*http.Cookie{}}
	link := b.send("GET", m[1], nil)
	if rec := b.send("POST", m[1], url.Values{"csrf": {csrf(t, link.Body.String())}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("first sign-in: %d", rec.Code)
	}
	set := b.send("GET", "/portal/settings", nil)
	if set.Code != http.StatusOK || !strings.Contains(set.Body.String(), "Add and invite") {
		t.Fatalf("the new administrator's settings: %d", set.Code)
	}
	rec = b.refused("/portal/settings/users", url.Values{"csrf": {csrf(t, set.Body.String())}, "name": {"Ben Carter"}, "email": {"ben.carter@nhs.net"}, "role": {"operator"}})
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `href="#role"`) {
		t.Fatalf("an administrator made an operator: %d", rec.Code)
	}
	rec = b.send("POST", "/portal/settings/users", url.Values{"csrf": {csrf(t, set.Body.String())}, "name": {"Ben Carter"}, "email": {"ben.carter@nhs.net"}, "role": {"hr"}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("invite HR: %d\n%s", rec.Code, rec.Body)
	}
	u, err := ph.store.UserByEmail(ctx, "ben.carter@nhs.net")
	if err != nil || u.TrustODS != "RTH" || u.Role != models.RoleHR || len(ph.emails("ben.carter@nhs.net")) != 1 {
		t.Fatalf("invited user %+v %v", u, err)
	}
	// The same address twice is named, not a 500.
	rec = b.refused("/portal/settings/users", url.Values{"csrf": {csrf(t, set.Body.String())}, "name": {"Ben"}, "email": {"ben.carter@nhs.net"}, "role": {"hr"}})
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "already has an account") {
		t.Fatalf("duplicate invite: %d", rec.Code)
	}
	// Removing a person ends their sessions at once.
	ben := ph.signInAs(u)
	set = b.send("GET", "/portal/settings", nil)
	if rec := b.send("POST", "/portal/settings/users/"+u.ID+"/remove", url.Values{"csrf": {csrf(t, set.Body.String())}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("remove: %d", rec.Code)
	}
	if rec := ben.send("GET", "/portal", nil); rec.Code != http.StatusSeeOther {
		t.Fatalf("a removed person still signed in: %d", rec.Code)
	}
}

// signInAs signs in a user made outside the harness.
func (ph *portalHarness) signInAs(u models.User) *browser {
	ph.users["extra"] = u
	return ph.signIn("extra")
}

func TestPortalSignInIsRateLimitedWithAPage(t *testing.T) {
	rdb := testenv.Redis(t)
	signer, _ := linktoken.NewSigner([]byte("0123456789abcdef0123456789abcdef"))
	h := newHarness(t, func(o *web.Options) {
		o.Email = jobs.NewEnqueuer(asynq.NewClientFromRedisClient(rdb))
		o.Notices = &expiry.Job{Store: o.Store, Email: o.Email.(*jobs.Enqueuer), PublicURL: "https://passport.example.nhs.uk"}
		o.Moves.Links = signer
	})
	var last *httptest.ResponseRecorder
	for range 40 { // the burst is 20 at 60 a minute
		r := httptest.NewRequest("GET", "/portal/sign-in", nil)
		r.Header.Set("Accept", "text/html,application/xhtml+xml")
		last = httptest.NewRecorder()
		h.handler.ServeHTTP(last, r)
		if last.Code == http.StatusTooManyRequests {
			break
		}
	}
	if last.Code != http.StatusTooManyRequests || !strings.HasPrefix(last.Header().Get("Content-Type"), "text/html") ||
		!strings.Contains(last.Body.String(), "Too many attempts") || last.Header().Get("Retry-After") == "" {
		t.Fatalf("a person hammering sign-in: %d %s", last.Code, last.Header().Get("Content-Type"))
	}
}

// A trust's administrator can neither see nor remove the service's
// operators (who belong to the service, not the trust), nor their keys.
func TestTrustAdminsCannotReachOperators(t *testing.T) {
	ph := newPortalHarness(t)
	ctx := context.Background()
	admin := ph.signIn("RJ1/trust_admin")
	op := ph.users["RJ1/operator"]
	opPrefix, _ := apikey.Prefix(ph.keys["RJ1/operator"])
	hrPrefix, _ := apikey.Prefix(ph.keys["RJ1/hr"])

	page := admin.send("GET", "/portal/settings", nil).Body.String()
	if strings.Contains(page, op.Email) || strings.Contains(page, opPrefix) {
		t.Error("the settings page shows the operator's account or key to a trust administrator")
	}
	if !strings.Contains(page, ph.users["RJ1/hr"].Email) || !strings.Contains(page, hrPrefix) {
		t.Fatal("the settings page lacks the trust's own HR account and key")
	}
	token := csrf(t, page)
	if rec := admin.send("POST", "/portal/settings/users/"+op.ID+"/remove", url.Values{"csrf": {token}}); rec.Code != http.StatusNotFound {
		t.Errorf("removing the operator: %d, want 404", rec.Code)
	}
	if u, _ := ph.store.User(ctx, op.ID); u.DisabledAt != nil {
		t.Fatal("a trust administrator removed the service's operator")
	}
	if rec := admin.send("POST", "/portal/settings/keys/"+opPrefix+"/revoke", url.Values{"csrf": {token}}); rec.Code != http.StatusNotFound {
		t.Errorf("revoking the operator's key: %d, want 404", rec.Code)
	}
	if k, err := ph.store.APIKeyByPrefix(ctx, opPrefix); err != nil || k.RevokedAt != nil {
		t.Fatalf("the operator's key was revoked: %v", err)
	}
	// Their own people and keys they still manage.
	if rec := admin.send("POST", "/portal/settings/keys/"+hrPrefix+"/revoke", url.Values{"csrf": {token}}); rec.Code != http.StatusSeeOther {
		t.Errorf("revoking the trust's HR key: %d", rec.Code)
	}
	if rec := admin.send("POST", "/portal/settings/users/"+ph.users["RJ1/hr"].ID+"/remove", url.Values{"csrf": {token}}); rec.Code != http.StatusSeeOther {
		t.Errorf("removing the trust's HR officer: %d", rec.Code)
	}
}

// A client's address is the connection's: X-Forwarded-For from an
// untrusted client does not escape the rate limit, and one person can be
// sent only a few sign-in links however many addresses ask.
func TestSignInLimits(t *testing.T) {
	rdb := testenv.Redis(t)
	h := newHarness(t, func(o *web.Options) {
		o.Email = jobs.NewEnqueuer(asynq.NewClientFromRedisClient(rdb))
		o.Moves.Links, _ = linktoken.NewSigner([]byte("0123456789abcdef0123456789abcdef"))
		o.Recipients = jobs.NewRecipientLimit(rdb)
		o.LinkRequestsPerMinute = 60
	})
	u := models.User{ID: uuid.NewString(), TrustODS: "RJ1", Role: models.RoleHR, Name: "Person", Email: "target@nhs.net", CreatedAt: time.Now()}
	if err := h.store.CreateUser(context.Background(), &u); err != nil {
		t.Fatal(err)
	}
	b := &browser{t: t, h: h.handler, cookies: map[string]*http.Cookie{}}
	token := csrf(t, b.send("GET", "/portal/sign-in", nil).Body.String())
	limited := false
	for i := range 40 {
		r := httptest.NewRequest(http.MethodPost, "/portal/sign-in", strings.NewReader(url.Values{"csrf": {token}, "email": {u.Email}}.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.Header.Set("X-Forwarded-For", "198.51.100."+strconv.Itoa(i)) // a new address each time, claimed
		r.RemoteAddr = "203.0.113.9:4000"
		for _, c := range b.cookies {
			r.AddCookie(c)
		}
		rec := httptest.NewRecorder()
		h.handler.ServeHTTP(rec, r)
		if rec.Code == http.StatusTooManyRequests {
			limited = true
			break
		}
	}
	if !limited {
		t.Error("40 sign-in requests from one connection, each claiming another address, were never limited")
	}
	// From forty real addresses, the person is still sent at most five.
	for i := range 40 {
		r := httptest.NewRequest(http.MethodPost, "/portal/sign-in", strings.NewReader(url.Values{"csrf": {token}, "email": {u.Email}}.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.RemoteAddr = "192.0.2." + strconv.Itoa(i) + ":4000"
		for _, c := range b.cookies {
			r.AddCookie(c)
		}
		rec := httptest.NewRecorder()
		h.handler.ServeHTTP(rec, r)
		if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/portal/sign-in?next=%2Fportal" {
			t.Fatalf("sign-in %d answered %d to %q: the answer must not tell the limit", i, rec.Code, rec.Header().Get("Location"))
		}
	}
	insp := asynq.NewInspectorFromRedisClient(rdb)
	tasks, _ := insp.ListPendingTasks(jobs.QueueEmail, asynq.PageSize(100))
	if len(tasks) > 5 {
		t.Errorf("%d sign-in emails to one person within 15 minutes, want at most 5", len(tasks))
	}
}

// A trust's administrator chooses who else is told of its moves; an
// address that is not one is named and nothing is saved (issue 13).
func TestSettingsChooseWhoElseIsTold(t *testing.T) {
	ph := newPortalHarness(t)
	admin := ph.signIn("RJ1/trust_admin")
	token := csrf(t, admin.send("GET", "/portal/settings", nil).Body.String())
	policy := url.Values{"csrf": {token}, "reminder_interval_hours": {"24"}, "max_reminders": {"2"}, "deadline_days": {"10"}, "ask_for_records": {"yes"}}
	policy.Set("also_tell", "moves@nhs.net\nnot an address")
	rec := admin.refused("/portal/settings/policy", policy)
	if !strings.Contains(rec.Body.String(), `href="#also_tell">Enter up to 5 work email addresses`) || !strings.Contains(rec.Body.String(), "not an address</textarea>") {
		t.Errorf("a bad address: %d", rec.Code)
	}
	if tr, _ := ph.store.Trust(t.Context(), "RJ1"); tr.AlsoTell != "" {
		t.Fatalf("a refused form saved %q", tr.AlsoTell)
	}
	policy.Set("also_tell", " Moves@NHS.net \n\nrota@nhs.net")
	if rec := admin.send("POST", "/portal/settings/policy", policy); rec.Code != http.StatusSeeOther {
		t.Fatalf("good addresses: %d", rec.Code)
	}
	if tr, _ := ph.store.Trust(t.Context(), "RJ1"); !slices.Equal(tr.AlsoTellList(), []string{"moves@nhs.net", "rota@nhs.net"}) {
		t.Errorf("saved %q", tr.AlsoTell)
	}
}
