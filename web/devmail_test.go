package web_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/nhs-staff-passport/passport/internal/mailcatcher"
	"github.com/nhs-staff-passport/passport/web"
)

type box []mailcatcher.Message

func (b box) Messages() []mailcatcher.Message { return append([]mailcatcher.Message(nil), b...) }

func TestDevMailbox(t *testing.T) {
	sent := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	b := box{
		{To: "a@example.org", Subject: "First", Text: "go to http://x/1", Links: []string{"http://x/1"}, SentAt: sent},
		{To: "b@example.org", Subject: "Second <b>", Text: "go to http://x/2", HTML: `<p style="color:red">Go <a href="http://x/2">there</a></p>`,
			Links: []string{"http://x/2"}, SentAt: sent.Add(time.Minute)},
	}
	h := newHandler(web.Options{Logger: quiet, DevMailbox: b})

	rec := get(t, h, "/dev/mail.json")
	var got []map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[1]["subject"] != "Second <b>" || got[0]["to"] != "a@example.org" {
		t.Fatalf("mail.json must list every message, newest last: %s", rec.Body)
	}
	for _, key := range []string{"to", "subject", "text", "links", "sent_at"} {
		if _, ok := got[0][key]; !ok {
			t.Errorf("mail.json lacks %q", key)
		}
	}

	// Scripts poll for what arrived since they last looked.
	got = nil
	rec = get(t, h, "/dev/mail.json?since="+sent.Format(time.RFC3339Nano))
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil || len(got) != 1 || got[0]["subject"] != "Second <b>" {
		t.Errorf("mail.json?since= the first's time: %s", rec.Body)
	}
	if rec := get(t, h, "/dev/mail.json?since=yesterday"); rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), `"since"`) {
		t.Errorf("a since that is not a time: %d %s", rec.Code, rec.Body)
	}

	page := get(t, h, "/dev/mail").Body.String()
	if !strings.Contains(page, `<a href="http://x/2">`) || strings.Index(page, "Second") > strings.Index(page, "First") {
		t.Error("mail page must show clickable links, newest first")
	}
	if strings.Contains(page, "Second <b>") {
		t.Error("mail page must escape what it shows")
	}
	// Each email is shown as its recipient sees it: its HTML, framed,
	// sandboxed, nothing loaded from elsewhere.
	if !strings.Contains(page, `<iframe class="passport-email-html" src="/dev/mail/1"`) || strings.Contains(page, `src="/dev/mail/0"`) {
		t.Error("the mailbox does not show the HTML of the email that has one")
	}
	rec = get(t, h, "/dev/mail/1")
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `style="color:red"`) ||
		!strings.Contains(rec.Header().Get("Content-Security-Policy"), "sandbox") || !strings.Contains(rec.Header().Get("Content-Security-Policy"), "default-src 'none'") {
		t.Errorf("an email's HTML: %d %v", rec.Code, rec.Header())
	}
	if rec := get(t, h, "/dev/mail/0"); rec.Code != http.StatusNotFound {
		t.Errorf("an email without HTML: %d", rec.Code)
	}
}
