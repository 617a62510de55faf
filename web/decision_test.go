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
	"github.com/nhs-staff-passport/passport/internal/moves"
	"github.com/nhs-staff-passport/passport/internal/testenv"
	"github.com/nhs-staff-passport/passport/models"
)

// The receiving trust decides on evidence: each shared credential's
// claims in words, who recorded it and when, how it was checked, and what
// it asked for and did not get, with why and what to check itself
// (issue 13). Operators see that a credential was shared, not what it
// says; once consent is withdrawn, no one sees it.
func TestDecisionViewShowsTheEvidence(t *testing.T) {
	ph := newPortalHarness(t)
	london, _ := time.LoadLocation("Europe/London")
	p, dbs, _ := priyasMove(t, ph.harness)
	mv, share := testenv.MoveAtAcceptance(t, ph.store, "RJ1", "RRK", p.ID, dbs)
	page := "/portal/moves/" + mv.ID

	rrk := ph.signIn("RRK/hr")
	rec := rrk.send("GET", page, nil)
	body := rec.Body.String()
	if rec.Code != http.StatusOK {
		t.Fatalf("%d\n%s", rec.Code, body)
	}
	for _, want := range []string{
		`id="claims-` + share.ID + `"`, "Level of check", "Enhanced", "Certificate number", "001234567890", "Date of issue", "1 June 2025",
		"Is the certificate on the DBS Update Service", "Recorded by", "Trust RJ1", "Recorded on", "Valid until",
		"Signed by the issuing trust and unchanged since", "Not revoked by the issuing trust",
		"Asked for but not shared",
		`id="missing-identity"`, "Priya Secretname chose not to share it. Check their identity documents in person",
		`id="missing-right_to_work"`, "Priya Secretname&#39;s passport holds no valid one. Check their right to work",
		`id="missing-occupational_health"`, "Trust RJ1 holds no record of it. Refer them to your occupational health service",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the receiving trust's move page lacks %q", want)
		}
	}
	if strings.Contains(body, "level</dt>") || strings.Contains(body, "certificate_number") {
		t.Error("the page shows field names where labels belong")
	}
	// One date style, the NHS's, in what people read (issue 13).
	if m := isoInText.FindString(body); m != "" {
		t.Errorf("the page writes a date as %q", m)
	}
	if !strings.Contains(body, "Starts "+time.Now().In(london).Format("2 January 2006")) || !regexp.MustCompile(`at \d{1,2}:\d{2}[ap]m \(UK time\)`).MatchString(body) {
		t.Error("the move's dates are not in the NHS style")
	}
	if strings.Count(body, `id="missing-`) != 3 || strings.Contains(body, `id="missing-dbs_check"`) {
		t.Error("missing lists the shared DBS check, or not exactly the three not shared")
	}

	op := ph.signIn("RJ1/operator")
	if body := op.send("GET", page, nil).Body.String(); strings.Contains(body, "001234567890") || !strings.Contains(body, "DBS check") {
		t.Error("an operator sees what a shared credential says, or not that it was shared")
	}

	if n, err := ph.store.RevokeShares(context.Background(), mv.ID, time.Now()); err != nil || n != 1 {
		t.Fatalf("withdraw: %d %v", n, err)
	}
	if body := rrk.send("GET", page, nil).Body.String(); strings.Contains(body, "001234567890") || !strings.Contains(body, "access withdrawn") {
		t.Error("after consent is withdrawn the receiving trust still sees the credential")
	}
}

// Each side of a move is offered only what it may do; a form sent anyway
// comes back to the move page, which names the trust that may, and the
// page stays live (no page at the form's address). The deadline form
// starts from the current deadline (issue 13).
func TestMovePageOffersOnlyWhatYouMayDo(t *testing.T) {
	ph := newPortalHarness(t)
	p, dbs, _ := priyasMove(t, ph.harness)
	mv, _ := testenv.MoveAtAcceptance(t, ph.store, "RJ1", "RRK", p.ID, dbs)
	page := "/portal/moves/" + mv.ID

	rrk := ph.signIn("RRK/hr")
	body := rrk.send("GET", page, nil).Body.String()
	for _, absent := range []string{`action="` + page + `/deadline"`, `action="` + page + `/identity"`, "Extend the deadline", "Record an in-person identity check"} {
		if strings.Contains(body, absent) {
			t.Errorf("the receiving trust is offered %q", absent)
		}
	}
	if !strings.Contains(body, `action="`+page+`/cancel"`) || !strings.Contains(body, `id="accept-dbs_check"`) {
		t.Error("the receiving trust is not offered cancelling or deciding")
	}
	rec := rrk.send("POST", page+"/deadline", url.Values{"csrf": {csrf(t, body)}, "deadline-day": {"1"}, "deadline-month": {"6"}, "deadline-year": {"2027"}})
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != page {
		t.Fatalf("a deadline form from the receiving trust: %d %q", rec.Code, rec.Header().Get("Location"))
	}
	if body := rrk.send("GET", page, nil).Body.String(); !strings.Contains(body, "Only HR of Trust RJ1 or an operator may extend the deadline.") {
		t.Error("the refusal does not name the trust that may")
	}

	rj1 := ph.signIn("RJ1/hr")
	body = rj1.send("GET", page, nil).Body.String()
	london, _ := time.LoadLocation("Europe/London")
	want := moves.Progress(mv).Deadline.In(london).AddDate(0, 0, 14)
	for _, part := range []string{
		`id="deadline-day" name="deadline-day" type="text" inputmode="numeric" value="` + strconv.Itoa(want.Day()) + `"`,
		`id="deadline-month" name="deadline-month" type="text" inputmode="numeric" value="` + strconv.Itoa(int(want.Month())) + `"`,
		`id="deadline-year" name="deadline-year" type="text" inputmode="numeric" value="` + strconv.Itoa(want.Year()) + `"`,
	} {
		if !strings.Contains(body, part) {
			t.Errorf("the sending trust's deadline form does not start two weeks past the deadline (%s): no %s", want.Format(time.DateOnly), part)
		}
	}
	if strings.Contains(body, `id="accept-dbs_check"`) {
		t.Error("the sending trust is offered a decision")
	}
}

// isoInText finds a machine date (2027-01-04) in a page's text, outside
// its tags.
var isoInText = regexp.MustCompile(`>[^<]*\b\d{4}-\d{2}-\d{2}\b[^<]*<`)

// The move page tells what happened as sentences with who acted, in the
// order it happened, under the step it happened in (issue 13); the raw
// events stay in the API.
func TestMovePageTellsWhatHappened(t *testing.T) {
	ph := newPortalHarness(t)
	ctx := context.Background()
	p, dbs, _ := priyasMove(t, ph.harness)
	mv, share := testenv.MoveAtAcceptance(t, ph.store, "RJ1", "RRK", p.ID, dbs)
	prog := moves.Progress(mv)
	step := func(name string) time.Time {
		for _, s := range prog.Steps {
			if s.Name == name {
				return *s.StartedAt
			}
		}
		t.Fatalf("no step %s", name)
		return time.Time{}
	}
	hr, rrk := ph.users["RJ1/hr"], ph.users["RRK/hr"]
	staff := models.Actor{Kind: models.ActorStaff, ID: p.ID}
	note := func(a models.Actor, action, details string, at time.Time) models.AuditNote {
		return models.AuditNote{Actor: a, Action: action, Details: details, At: at, Ref: uuid.NewString()}
	}
	prog.Seq++
	if _, _, err := ph.store.SaveProgress(ctx, prog,
		note(models.Actor{Kind: models.ActorUser, ID: hr.ID, Trust: "RJ1", Role: models.RoleHR}, "move.started", `{}`, step(models.StepInvite).Add(time.Second)),
		note(staff, "invitation.accepted", `{}`, step(models.StepInvite).Add(5*time.Minute)),
		note(staff, "consent.given", `{"credential_types":["dbs_check"]}`, step(models.StepConsent).Add(5*time.Minute)),
		note(models.Actor{Kind: models.ActorUser, ID: rrk.ID, Trust: "RRK", Role: models.RoleHR}, "share.decided",
			`{"share_id":"`+share.ID+`","decision":"accepted"}`, time.Now()),
	); err != nil {
		t.Fatal(err)
	}
	if _, err := ph.store.AddNotification(ctx, &models.Notification{ID: mv.ID + "/invitation/staff/0", MoveID: mv.ID, Template: "invitation",
		Recipient: "staff", Status: models.NotificationSent, CreatedAt: step(models.StepInvite).Add(time.Minute), UpdatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}

	body := ph.signIn("RRK/hr").send("GET", "/portal/moves/"+mv.ID, nil).Body.String()
	story := body[strings.Index(body, `id="story"`):]
	last := -1
	for _, want := range []string{
		">Invitation</h3>", "Person RJ1 hr (Trust RJ1) started the move", "Invitation emailed to Priya Secretname", "Priya Secretname accepted the invitation",
		">Consent</h3>", "Priya Secretname chose to share the DBS check",
		">Acceptance</h3>", "Person RRK hr (Trust RRK) accepted the DBS check",
	} {
		i := strings.Index(story, want)
		if i < 0 {
			t.Errorf("the story lacks %q", want)
			continue
		}
		if i < last {
			t.Errorf("%q is out of order", want)
		}
		last = i
	}
	if strings.Contains(story, "step.started") || strings.Contains(story, "notification.") || strings.Contains(story, "share.decided") {
		t.Error("the story shows raw event names")
	}
}

// A link sent to one trust, opened while signed in for the other, says so
// and offers to sign in for the right one, keeping where to go (issue 13).
func TestMoveLinkForTheOtherTrustSaysSo(t *testing.T) {
	ph := newPortalHarness(t)
	p, dbs, _ := priyasMove(t, ph.harness)
	mv, _ := testenv.MoveAtAcceptance(t, ph.store, "RJ1", "RRK", p.ID, dbs)
	rj1 := ph.signIn("RJ1/hr")
	body := rj1.send("GET", "/portal/moves/"+mv.ID+"?for=RRK", nil).Body.String()
	if !strings.Contains(body, "This link was sent to Trust RRK") || !strings.Contains(body, "You are signed in for Trust RJ1") {
		t.Fatal("the page does not say the link was meant for the other trust")
	}
	if own := rj1.send("GET", "/portal/moves/"+mv.ID+"?for=RJ1", nil).Body.String(); strings.Contains(own, `id="other-side"`) {
		t.Error("the hint shows on a link meant for the trust signed in")
	}
	if other := rj1.send("GET", "/portal/moves/"+mv.ID+"?for=R0A", nil).Body.String(); strings.Contains(other, `id="other-side"`) {
		t.Error("the hint names a trust that has no part in the move")
	}
	rec := rj1.send("POST", "/portal/sign-out", url.Values{"csrf": {csrf(t, body)}, "switch_to": {"/portal/moves/" + mv.ID}})
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/portal/sign-in?next="+url.QueryEscape("/portal/moves/"+mv.ID) {
		t.Errorf("switching: %d to %q", rec.Code, rec.Header().Get("Location"))
	}
	if rec := rj1.send("GET", "/portal/moves/"+mv.ID, nil); rec.Code == http.StatusOK {
		t.Error("still signed in after switching")
	}
	// Switching goes to our own sign-in page whatever the form names (a
	// session of its own: the one above has ended).
	again := ph.signIn("RJ1/hr")
	token := csrf(t, again.send("GET", "/portal/moves/"+mv.ID, nil).Body.String())
	rec = again.send("POST", "/portal/sign-out", url.Values{"csrf": {token}, "switch_to": {"https://evil.example/"}})
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/portal/sign-in?next="+url.QueryEscape("/portal") {
		t.Errorf("switching to another site: %d to %q", rec.Code, rec.Header().Get("Location"))
	}
}
