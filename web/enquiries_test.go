package web_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/hibiken/asynq"

	"github.com/nhs-staff-passport/passport/internal/jobs"
	"github.com/nhs-staff-passport/passport/internal/testenv"
	"github.com/nhs-staff-passport/passport/web"
)

var csrfValue = regexp.MustCompile(`name="csrf" value="([0-9a-f]+)"`)

// The contact forms take a question, acknowledge it without repeating
// what was typed, and refuse forged forms and floods.
func TestContactForms(t *testing.T) {
	rdb := testenv.Redis(t)
	h := newHarness(t, func(o *web.Options) { o.Email = jobs.NewEnqueuer(asynq.NewClientFromRedisClient(rdb)) })

	form := func(path string, values url.Values, ip string) *httptest.ResponseRecorder {
		get := httptest.NewRequest(http.MethodGet, path, nil)
		get.RemoteAddr = ip + ":1234"
		rec := httptest.NewRecorder()
		h.handler.ServeHTTP(rec, get)
		m := csrfValue.FindStringSubmatch(rec.Body.String())
		if rec.Code != http.StatusOK || m == nil {
			t.Fatalf("GET %s: %d", path, rec.Code)
		}
		values.Set("csrf", m[1])
		post := httptest.NewRequest(http.MethodPost, path, strings.NewReader(values.Encode()))
		post.RemoteAddr = ip + ":1234"
		post.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for _, c := range rec.Result().Cookies() {
			post.AddCookie(c)
		}
		rec = httptest.NewRecorder()
		h.handler.ServeHTTP(rec, post)
		return rec
	}

	// follow opens where a form's answer sends the browser, with the
	// cookies it set.
	follow := func(answer *httptest.ResponseRecorder, ip string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodGet, answer.Header().Get("Location"), nil)
		r.RemoteAddr = ip + ":1234"
		for _, c := range answer.Result().Cookies() {
			r.AddCookie(c)
		}
		rec := httptest.NewRecorder()
		h.handler.ServeHTTP(rec, r)
		return rec
	}

	rec := form("/contact/trust", url.Values{"name": {""}, "email": {"nope"}, "trust": {"?"}, "message": {"hi"}}, "192.0.2.1")
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/contact/trust" {
		t.Fatalf("bad enquiry: %d to %q, want back to the form", rec.Code, rec.Header().Get("Location"))
	}
	rec = follow(rec, "192.0.2.1")
	for _, field := range []string{"#name", "#email", "#trust", "#message"} {
		if !strings.Contains(rec.Body.String(), `href="`+field+`"`) {
			t.Errorf("the error summary does not link to %s", field)
		}
	}
	if !strings.Contains(rec.Body.String(), `value="nope"`) {
		t.Error("what was typed is lost")
	}
	rec = form("/contact/staff", url.Values{"name": {"Sam Lee"}, "email": {"Sam@NHS.net"}, "message": {"My link has expired, what now?"}}, "192.0.2.2")
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/contact/staff" {
		t.Fatalf("good enquiry: %d to %q, want back to the form's page", rec.Code, rec.Header().Get("Location"))
	}
	rec = follow(rec, "192.0.2.2")
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "Question sent") {
		t.Fatalf("good enquiry: %d %s", rec.Code, rec.Body)
	}
	list, err := h.store.Enquiries(t.Context(), "open")
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].Email != "sam@nhs.net" || list[0].Kind != "staff" {
		t.Fatalf("open enquiries: %+v", list)
	}
	task, err := asynq.NewInspectorFromRedisClient(rdb).GetTaskInfo(jobs.QueueEmail, "email:enquiry/"+list[0].ID)
	var ack jobs.Email
	if err != nil || json.Unmarshal(task.Payload, &ack) != nil || ack.To != "sam@nhs.net" {
		t.Errorf("no acknowledgement queued: %v %+v", err, ack)
	}
	// It says nothing the sender typed: the form cannot email anyone words
	// of someone else's choosing.
	if strings.Contains(ack.Text+ack.HTML+ack.Subject, "Sam Lee") || strings.Contains(ack.Text, "expired") {
		t.Errorf("the acknowledgement carries the submitted text: %q", ack.Text)
	}

	// A forged form (no CSRF cookie) is refused, and a flood is slowed down.
	post := httptest.NewRequest(http.MethodPost, "/contact/staff", strings.NewReader("name=x&email=a@nhs.net&message=hello+there+friend&csrf=abc"))
	post.RemoteAddr = "192.0.2.3:1"
	post.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec = httptest.NewRecorder()
	h.handler.ServeHTTP(rec, post)
	if rec.Code != http.StatusForbidden {
		t.Errorf("forged form: %d", rec.Code)
	}
	limited := false
	for range 10 {
		r := httptest.NewRequest(http.MethodGet, "/contact/staff", nil)
		r.RemoteAddr = "192.0.2.4:1"
		rec := httptest.NewRecorder()
		h.handler.ServeHTTP(rec, r)
		limited = limited || rec.Code == http.StatusTooManyRequests
	}
	if !limited {
		t.Error("ten requests at once from one address were not limited")
	}
}
