package web_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/nhs-staff-passport/passport/internal/emails"
	"github.com/nhs-staff-passport/passport/web"
)

var helpLink = regexp.MustCompile(`https://passport\.example\.nhs\.uk(/help[^\s<"]*)`)

// TestEveryEmailLinksToHelpThatExists renders every email and follows its
// help link.
func TestEveryEmailLinksToHelpThatExists(t *testing.T) {
	h := newHarness(t)
	d := emails.Data{StaffName: "Sam Lee", SendingTrust: "A Trust", ReceivingTrust: "B Trust", Link: "https://passport.example.nhs.uk/s/x",
		Deadline: "1 January 2027", Stage: "consent", Reason: "why", Count: 2, PublicURL: "https://passport.example.nhs.uk"}
	names := emails.Names()
	if len(names) < 15 {
		t.Fatalf("only %d templates", len(names))
	}
	for _, name := range names {
		e, err := emails.Render(name, d)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, body := range []string{e.Text, e.HTML} {
			m := helpLink.FindStringSubmatch(body)
			if m == nil {
				t.Errorf("%s: no help link in\n%s", name, body)
				continue
			}
			path := m[1]
			if _, ok := web.HelpPages[path]; !ok {
				t.Errorf("%s links to %s, which is not a help page", name, path)
			}
			if rec := h.get(path); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "<h1>") {
				t.Errorf("%s: help page %s answers %d", name, path, rec.Code)
			}
		}
	}
}

func TestHelpPagesAndTheTrustList(t *testing.T) {
	h := newHarness(t)
	for path, title := range web.HelpPages {
		rec := h.get(path)
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "<title>"+template(title)) {
			t.Errorf("%s: %d", path, rec.Code)
		}
		// Every help page links back to the index and the list of trusts.
		if !strings.Contains(rec.Body.String(), `href="/help"`) || !strings.Contains(rec.Body.String(), `href="/trusts"`) {
			t.Errorf("%s: no way back to help or the trust list", path)
		}
	}
	if rec := h.get("/help/staff/nothing"); rec.Code != http.StatusNotFound {
		t.Errorf("unknown help page: %d", rec.Code)
	}
	rec := h.get("/trusts?q=" + url.QueryEscape("Trust RRK"))
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "RRK") || strings.Contains(rec.Body.String(), "R0A</td>") {
		t.Errorf("trust search page: %d\n%s", rec.Code, rec.Body)
	}
}

// template escapes a title as html/template writes it.
func template(s string) string { return strings.ReplaceAll(s, "'", "&#39;") }

// The front door at / serves both audiences; an unknown page is a page to
// a browser and problem+json to a program (issue 18).
func TestFrontDoorAndPageNotFound(t *testing.T) {
	h := newHarness(t)
	rec := h.get("/")
	body := rec.Body.String()
	if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") {
		t.Fatalf("/: %d %s", rec.Code, rec.Header().Get("Content-Type"))
	}
	for _, want := range []string{`href="/portal/sign-in"`, "Sign in for trusts", "For staff", `href="/trusts">The 3 trusts taking part`, `href="/help"`, `href="/contact/staff"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the front door lacks %s", want)
		}
	}
	r := httptest.NewRequest(http.MethodGet, "/no/such/page", nil)
	r.Header.Set("Accept", "text/html,application/xhtml+xml")
	page := httptest.NewRecorder()
	h.handler.ServeHTTP(page, r)
	if page.Code != http.StatusNotFound || !strings.HasPrefix(page.Header().Get("Content-Type"), "text/html") || !strings.Contains(page.Body.String(), "Page not found") {
		t.Errorf("an unknown page to a browser: %d %s", page.Code, page.Header().Get("Content-Type"))
	}
	if rec := h.get("/no/such/page"); rec.Code != http.StatusNotFound || rec.Header().Get("Content-Type") != "application/problem+json" {
		t.Errorf("an unknown page to a program: %d %s", rec.Code, rec.Header().Get("Content-Type"))
	}
	r = httptest.NewRequest(http.MethodGet, "/api/v1/nothing", nil)
	r.Header.Set("Accept", "text/html")
	api := httptest.NewRecorder()
	h.handler.ServeHTTP(api, r)
	if api.Header().Get("Content-Type") != "application/problem+json" {
		t.Errorf("an unknown API address is a problem, even to a browser: %s", api.Header().Get("Content-Type"))
	}
}
