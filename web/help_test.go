package web_test

import (
	"net/http"
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
