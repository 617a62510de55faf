package main

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/nhs-staff-passport/passport/internal/browsertest"
	"github.com/nhs-staff-passport/passport/web"
)

// byID selects an element by its id, which may hold dots.
func byID(id string) chromedp.CSS { return chromedp.CSS(fmt.Sprintf("[id=%q]", id)) }

// submit clicks a button and waits for the next page's heading to read
// want.
func submit(tab *browsertest.Tab, button chromedp.CSS, want string) {
	browsertest.Eval[bool](tab, `window.__page = Math.random(); true`)
	tab.Do(chromedp.Click(button))
	deadline := time.Now().Add(30 * time.Second)
	for {
		h1, err := browsertest.TryEval[string](tab, `window.__page === undefined && document.readyState === "complete" ? document.querySelector("h1").innerText : "\x00"`)
		if err == nil && h1 != "\x00" && strings.Contains(h1, want) {
			return
		}
		if time.Now().After(deadline) {
			tab.Fatalf("after clicking %s: no page headed %q at %s", button, want, tab.Path())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestPortalInTheBrowser takes moves through the HR portal, the development
// mailbox and the staff pages in headless Chromium, in development mode
// with its embedded defaults: every page is checked with axe-core and
// saved as a screenshot.
func TestPortalInTheBrowser(t *testing.T) {
	t.Parallel() // beside the fault suite, which mostly waits
	dir := t.TempDir()
	cfg := devConfigServing(t, dir)
	cfg.RetryWindow = 20 * time.Second // the failed step below fails in seconds, not a quarter hour
	d := startTestDev(t, cfg)
	defer d.stop()
	base := cfg.PublicURL

	// RJ1's own systems hold Sam's checks and training already.
	const sam = "sam.okafor@nhs.net"
	issueSamsChecks(t, base+"/api/v1", demoKeys(t, dir)["RJ1/hr"], sam)

	b := browsertest.New(t, base)
	var shots []string
	check := func(tab *browsertest.Tab, name string) {
		shots = append(shots, tab.Check(name))
		t.Logf("checked %s", name)
	}

	// HR at RJ1 signs in with an emailed link.
	hr := b.NewTab()
	hr.Open("/portal")
	if !strings.HasPrefix(hr.Path(), "/portal/sign-in") {
		t.Fatalf("signed out, /portal went to %s", hr.Path())
	}
	check(hr, "portal-sign-in")
	hr.Do(chromedp.SendKeys(byID("email"), "hr.officer@rj1.demo.nhs.localhost"))
	submit(hr, chromedp.CSS("form[action='/portal/sign-in'] button"), "Check your email")
	check(hr, "portal-sign-in-sent")
	hr.Open(strings.TrimPrefix(mailTo(t, base, "hr.officer@rj1.demo.nhs.localhost", "sign in"), base))
	check(hr, "portal-sign-in-link")
	submit(hr, chromedp.CSS("main button[type=submit]"), "Guy's and St Thomas'")
	check(hr, "portal-dashboard")

	// The start form names each field at fault, then starts the move.
	hr.Open("/portal/start")
	submit(hr, chromedp.CSS("form[action='/portal/start'] button[type=submit]"), "Start a move")
	// In words people use, in the order of the fields (issue 13).
	if summary := hr.Text(".nhsuk-error-summary"); !strings.Contains(summary, "Enter their first name") ||
		!strings.Contains(summary, "Choose the staff group") || strings.Index(summary, "first name") > strings.Index(summary, "staff group") ||
		strings.Contains(summary, "YYYY") || strings.Contains(summary, "temporary_mover") {
		t.Fatalf("empty start form: error summary reads %q", summary)
	}
	check(hr, "portal-start-move-errors")
	start := time.Now().AddDate(0, 1, 0)
	hr.Do(
		chromedp.SetValue(byID("staff.given_name"), "Sam"), chromedp.SetValue(byID("staff.family_name"), "Okafor"),
		chromedp.SetValue(byID("staff.email"), sam), chromedp.SetValue(byID("staff.staff_group"), "doctor_in_training"),
		chromedp.SetValue(byID("receiving_trust"), "RRK"), chromedp.SetValue(byID("kind"), "rotation"),
	)
	hr.Do(dateInput("start_date", start)...)
	for _, c := range []string{"identity", "right_to_work", "dbs_check", "core_skills_training", "occupational_health"} {
		hr.Do(chromedp.Click(byID("cred-" + c)))
	}
	submit(hr, chromedp.CSS("form[action='/portal/start'] button[type=submit]"), "Sam Okafor")
	moveURL := hr.Path()
	moveURL = moveURL[:strings.Index(moveURL, "?")]
	check(hr, "portal-move-started")

	// The page follows the workflow without a reload.
	browsertest.Eval[bool](hr, `window.__stayed = true; true`)
	hr.WaitText("#move-status", "Invitation", 30*time.Second)

	// Sam follows the emails.
	staff := b.NewTab()
	staff.Open("/dev/mail")
	check(staff, "dev-mailbox")
	staff.Open(strings.TrimPrefix(mailTo(t, base, sam, "has started your move"), base))
	check(staff, "staff-invitation")
	// Accepting opens the identity step at once: Sam does not go back to
	// the inbox (its email still goes, for later). The records step then
	// waits on RJ1, so Sam is done for now.
	submit(staff, chromedp.CSS("button[value=accept]"), "Confirm your identity")
	check(staff, "staff-identity")
	mailTo(t, base, sam, "Confirm your identity")
	submit(staff, chromedp.CSS("button[value=simulate]"), "Done for now")
	check(staff, "staff-done-for-now")

	// Sam's passport lacks two of the five: the move asks RJ1, whose HR
	// records both in the portal; then it asks Sam.
	hr.WaitText("#move-status", "Records", 30*time.Second)
	if !browsertest.Eval[bool](hr, `window.__stayed === true`) {
		t.Fatal("the move's page reloaded instead of refreshing in place")
	}
	mailTo(t, base, "hr@rj1.demo.nhs.localhost", "Records needed")
	hr.Open(moveURL)
	hr.WaitText("#records", "Right to work", 10*time.Second)
	check(hr, "portal-move-records")
	submit(hr, byID("record-link-right_to_work"), "Record right to work")
	submit(hr, chromedp.CSS("main form button[type=submit]"), "Record right to work")
	if got := hr.Text(".nhsuk-error-summary"); !strings.Contains(got, "Select what was checked") || !strings.Contains(got, "Enter the date of the check") {
		t.Fatalf("an empty right to work form: %q", got)
	}
	check(hr, "portal-record-errors")
	checked, ends := time.Now().AddDate(0, 0, -10), time.Now().AddDate(2, 0, 0)
	hr.Do(chromedp.Click(byID("basis-visa")),
		chromedp.SendKeys(byID("checked_on-day"), fmt.Sprint(checked.Day())), chromedp.SendKeys(byID("checked_on-month"), fmt.Sprint(int(checked.Month()))),
		chromedp.SendKeys(byID("checked_on-year"), fmt.Sprint(checked.Year())),
		chromedp.SendKeys(byID("expires-day"), fmt.Sprint(ends.Day())), chromedp.SendKeys(byID("expires-month"), fmt.Sprint(int(ends.Month()))),
		chromedp.SendKeys(byID("expires-year"), fmt.Sprint(ends.Year())))
	submit(hr, chromedp.CSS("main form button[type=submit]"), "Sam Okafor")
	if got := hr.Text(".nhsuk-notification-banner"); !strings.Contains(got, "Recorded") {
		t.Fatalf("after recording the right to work check: %q", got)
	}
	submit(hr, byID("record-link-occupational_health"), "Record occupational health clearance")
	check(hr, "portal-record-occupational-health")
	hr.Do(chromedp.Click(byID("clearance-fit")), chromedp.Click(byID("epp_cleared-yes")),
		chromedp.SendKeys(byID("assessed_on-day"), fmt.Sprint(checked.Day())), chromedp.SendKeys(byID("assessed_on-month"), fmt.Sprint(int(checked.Month()))),
		chromedp.SendKeys(byID("assessed_on-year"), fmt.Sprint(checked.Year())))
	submit(hr, chromedp.CSS("main form button[type=submit]"), "Sam Okafor")
	hr.WaitText("#move-status", "Consent", 30*time.Second)
	staff.Open(strings.TrimPrefix(mailTo(t, base, sam, "Choose what to share"), base))
	check(staff, "staff-consent")
	// Nothing is ticked for her: she ticks what she shares.
	if ticked := browsertest.Eval[int](staff, `document.querySelectorAll("input[name=type]:checked").length`); ticked != 0 {
		t.Errorf("%d credentials ticked before the person chose", ticked)
	}
	browsertest.Eval[int](staff, `(document.querySelectorAll("input[name=type]").forEach(c => c.click()), 0)`)
	submit(staff, chromedp.CSS("button[value=consent]"), "")
	check(staff, "staff-consent-given")

	// RRK's HR decides: accepts the identity check and the DBS check,
	// rejects the training, and the move completes.
	rrk := b.NewTab()
	rrk.Open("/portal/sign-in")
	submit(rrk, byID("demo-RRK-hr"), "University Hospitals Birmingham")
	rrk.WaitText("main", "Waiting on us", 10*time.Second)
	rrk.Open("/portal/moves?waiting_on_us=true")
	rrk.WaitText("main table", "Sam Okafor", 30*time.Second)
	check(rrk, "portal-moves-waiting-on-us")
	rrk.Open(moveURL)
	rrk.WaitText("#live", "Reject", 30*time.Second)
	// The receiving trust decides on evidence: each credential's claims in
	// words, who recorded it and when (issue 13).
	if got := rrk.Text("#live"); !strings.Contains(got, "Recorded by") || !strings.Contains(got, "Valid until") || !strings.Contains(got, "Level of check") {
		t.Errorf("the receiving trust does not see what the credentials say: %q", got)
	}
	// Only what it may do: no deadline to extend, no identity to record.
	if n := browsertest.Eval[int](rrk, `document.querySelectorAll("form[action$='/deadline'], form[action$='/identity']").length`); n != 0 {
		t.Errorf("the receiving trust is offered %d forms it may not use", n)
	}
	check(rrk, "portal-move-review")
	submit(rrk, byID("accept-identity"), "Sam Okafor")
	if got := rrk.Text("#live"); !strings.Contains(got, "Decision: accepted") {
		t.Errorf("the page after Accept does not show the decision: %q", got)
	}
	submit(rrk, byID("accept-dbs_check"), "Sam Okafor")
	submit(rrk, byID("accept-right_to_work"), "Sam Okafor")
	submit(rrk, byID("accept-occupational_health"), "Sam Okafor")
	submit(rrk, byID("reject-core_skills_training"), "Sam Okafor")
	if got := rrk.Text(".nhsuk-error-summary"); !strings.Contains(got, "why you are rejecting") {
		t.Fatalf("rejecting without a reason: %q", got)
	}
	// Refused, the page is the move's own again (post, redirect, get): its
	// live refresh carries on, no page lives at the form's address.
	if got := rrk.Path(); got != moveURL {
		t.Errorf("after a refused decision the page is at %s, not the move's %s", got, moveURL)
	}
	check(rrk, "portal-move-reject-needs-reason")
	rrk.Do(chromedp.SendKeys(chromedp.CSS("textarea[id^=reason-]"), "We need a certificate from the last 12 months."))
	submit(rrk, byID("reject-core_skills_training"), "Sam Okafor")
	rrk.WaitText("#move-status", "completed", 30*time.Second)
	if got := rrk.Text("#live"); !strings.Contains(got, "rejected: We need a certificate") || strings.Count(got, "accepted") != 4 {
		t.Fatalf("decisions on the completed move: %q", got)
	}
	check(rrk, "portal-move-completed")
	// The emails as their recipients see them (HTML, with a button for the
	// call to action).
	mail := b.NewTab()
	mail.Open("/dev/mail")
	if n := browsertest.Eval[int](mail, `document.querySelectorAll("iframe.passport-email-html").length`); n < 6 {
		t.Errorf("the mailbox frames %d emails' HTML", n)
	}
	check(mail, "dev-mailbox-emails")
	hr.WaitText("#move-status", "completed", 30*time.Second)

	// RRK checks the training itself and records it on Sam's passport.
	submit(rrk, chromedp.CSS("#recheck-core_skills_training a"), "Record core skills training")
	check(rrk, "portal-record-training")
	done := time.Now().AddDate(0, 0, -3)
	rrk.Do(chromedp.SetValue(byID("level-resuscitation"), "3"),
		chromedp.SendKeys(byID("completed_on-resuscitation-day"), fmt.Sprint(done.Day())),
		chromedp.SendKeys(byID("completed_on-resuscitation-month"), fmt.Sprint(int(done.Month()))),
		chromedp.SendKeys(byID("completed_on-resuscitation-year"), fmt.Sprint(done.Year())),
		chromedp.SendKeys(byID("provider"), "Resuscitation Council UK"))
	submit(rrk, chromedp.CSS("main form button[type=submit]"), "Sam Okafor")
	if got := rrk.Text("#own-checks"); !strings.Contains(got, "Core skills training: Resuscitation") {
		t.Fatalf("RRK's own check is not on the move's page: %q", got)
	}
	if got := rrk.Text("#rechecks"); !strings.Contains(got, "Your own checks") {
		t.Fatalf("rechecks section: %q", got)
	}
	if browsertest.Eval[bool](rrk, `document.querySelector("#recheck-core_skills_training") !== null`) {
		t.Error("the training RRK has now checked itself is still offered for a re-check")
	}
	check(rrk, "portal-move-own-check")

	// HR finds Sam's passport: every credential RJ1 recorded, who it is
	// shared with, and one credential's claims and history.
	hr.Open("/portal/passports")
	check(hr, "portal-passports")
	hr.Do(chromedp.SendKeys(byID("q"), "okafor"))
	submit(hr, chromedp.CSS("form[action='/portal/passports'] button"), "Staff passports")
	submit(hr, chromedp.CSS("#results a"), "Sam Okafor")
	if got := hr.Text("main"); !strings.Contains(got, "University Hospitals Birmingham NHS Foundation Trust since") || !strings.Contains(got, "Right to work") {
		t.Fatalf("Sam's passport page: %q", got)
	}
	check(hr, "portal-passport")
	submit(hr, chromedp.CSS("tr[id^=credential-] a"), "Identity check")
	check(hr, "portal-credential")

	// HR imports its learning system's export: one row recorded, one to fix.
	hr.Open("/portal/imports")
	check(hr, "portal-imports")
	export := filepath.Join(t.TempDir(), "learning-export.csv")
	if err := os.WriteFile(export, []byte("email,given_name,family_name,type,subject,completed_on,provider\n"+
		"sam.okafor@nhs.net,Sam,Okafor,core_skills_training,NHS|CSTF|Fire Safety - 2 Years|,"+checked.Format("02/01/2006")+",Estates\n"+
		"sam.okafor@nhs.net,Sam,Okafor,core_skills_training,Hand hygiene for visitors,"+checked.Format("02/01/2006")+",Estates\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	hr.Do(chromedp.SetUploadFiles(byID("file"), []string{export}))
	submit(hr, chromedp.CSS("form[action='/portal/imports'] button"), "Import results")
	if got := strings.Join(strings.Fields(hr.Text("#counts")), " "); !strings.Contains(got, "Recorded 1 ") || !strings.Contains(got, "Rows to fix 1") {
		t.Errorf("import counts: %q", got)
	}
	check(hr, "portal-import-results")

	// A failed step: the database refuses new link tokens, so the next
	// move's invitation fails once its retry window (20 s here) has run
	// out; HR sees it and an
	// administrator retries it once the fault is gone.
	db, err := sql.Open("sqlite", filepath.Join(dir, "passport.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`CREATE TRIGGER refuse_links BEFORE INSERT ON link_tokens BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END`); err != nil {
		t.Fatal(err)
	}
	hr.Open("/portal/start")
	hr.Do(
		chromedp.SetValue(byID("staff.given_name"), "Lee"), chromedp.SetValue(byID("staff.family_name"), "Chan"),
		chromedp.SetValue(byID("staff.email"), "lee.chan@nhs.net"), chromedp.SetValue(byID("staff.staff_group"), "temporary_mover"),
		chromedp.SetValue(byID("receiving_trust"), "R0A"), chromedp.SetValue(byID("kind"), "temporary_move"),
	)
	hr.Do(append(dateInput("start_date", start), dateInput("end_date", time.Now().AddDate(0, 3, 0))...)...)
	submit(hr, chromedp.CSS("form[action='/portal/start'] button[type=submit]"), "Lee Chan")
	failedURL := hr.Path()
	failedURL = failedURL[:strings.Index(failedURL, "?")]
	hr.WaitText("#live", "step failed", 60*time.Second)
	if got := hr.Text("#failure"); !strings.Contains(got, "trust administrator or an operator can retry") {
		t.Fatalf("HR sees a retry it may not use: %q", got)
	}
	check(hr, "portal-move-failed-step")
	hr.Open("/portal")
	hr.WaitText("main", "Failed steps", 5*time.Second)
	if got := hr.Text(".passport-count--alert"); !strings.Contains(got, "1") {
		t.Fatalf("dashboard's failed steps: %q", got)
	}

	if _, err := db.Exec(`DROP TRIGGER refuse_links`); err != nil {
		t.Fatal(err)
	}
	admin := b.NewTab()
	admin.Open("/portal/sign-in?next=" + failedURL)
	submit(admin, byID("demo-RJ1-trust_admin"), "Lee Chan")
	check(admin, "portal-move-retry")
	submit(admin, chromedp.CSS("form[action$='/retry'] button"), "Lee Chan")
	if got := admin.Text(".nhsuk-notification-banner"); !strings.Contains(got, "tried again") {
		t.Fatalf("after retry: %q", got)
	}
	admin.WaitText("#move-waiting", "accepts the invitation", 30*time.Second)
	check(admin, "portal-move-retried")
	mailTo(t, base, "lee.chan@nhs.net", "has started your move")

	// The rest of the portal, checked and pictured.
	admin.Open("/portal/settings")
	check(admin, "portal-settings")
	admin.Open("/portal/moves")
	check(admin, "portal-moves")
	hr.Open("/portal/rotations")
	csv := filepath.Join(t.TempDir(), "august.csv")
	if err := os.WriteFile(csv, []byte("email,given_name,family_name,staff_group,receiving_trust,start_date\n"+
		"kim.lowe@nhs.net,Kim,Lowe,doctor_in_training,RTH,"+start.Format(time.DateOnly)+"\n"+
		"not-an-email,Pat,Doe,doctor_in_training,RTH,"+start.Format(time.DateOnly)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	hr.Do(chromedp.SetUploadFiles(byID("file"), []string{csv}))
	submit(hr, chromedp.CSS("form[action='/portal/rotations'] button"), "Rotation upload results")
	// The page answers at once and follows the rows as they start (its
	// live refresh, every 3 s).
	for waited := time.Duration(0); ; waited += 250 * time.Millisecond {
		got := hr.Text("main")
		if strings.Contains(got, "1 started") && strings.Contains(got, "1 not started") && !strings.Contains(got, "still to start") {
			break
		}
		if waited > 30*time.Second {
			t.Fatalf("rotation results: %q", got)
		}
		time.Sleep(250 * time.Millisecond)
	}
	check(hr, "portal-rotation-results")
	op := b.NewTab()
	op.Open("/portal/sign-in")
	submit(op, byID("demo-service-operator"), "Every trust's moves")
	check(op, "portal-operator-dashboard")
	op.Open("/portal/operator")
	check(op, "portal-operations")
	submit(hr, chromedp.CSS("button.nhsuk-header__account-button"), "You have signed out")
	check(hr, "portal-signed-out")

	// Help, the public pages and the contact forms.
	pages := []string{"/", "/trusts", "/contact/staff", "/contact/trust", "/no-such-page"}
	for p := range web.HelpPages {
		pages = append(pages, p)
	}
	sort.Strings(pages)
	for _, p := range pages {
		staff.Open(p)
		name := "public" + strings.ReplaceAll(p, "/", "-")
		if p == "/" {
			name = "public-start-page"
			if got := staff.Text("main"); !strings.Contains(got, "Sign in for trusts") || !strings.Contains(got, "For staff") {
				t.Errorf("the front door: %q", got)
			}
		}
		check(staff, name)
	}
	t.Logf("screenshots: %s", strings.Join(shots, " "))
}

// dateInput fills an NHS.UK date input (day, month and year boxes).
func dateInput(id string, t time.Time) []chromedp.Action[chromedp.Void] {
	return []chromedp.Action[chromedp.Void]{chromedp.SetValue(byID(id+"-day"), strconv.Itoa(t.Day())),
		chromedp.SetValue(byID(id+"-month"), strconv.Itoa(int(t.Month()))), chromedp.SetValue(byID(id+"-year"), strconv.Itoa(t.Year()))}
}
