package emails

import (
	"strings"
	"testing"
)

// Only the service's own addresses become links in an email's HTML: a
// reason, a name or anything else someone typed stays text.
func TestOnlyOwnLinksAreLinks(t *testing.T) {
	e, err := Render("cancelled", Data{StaffName: "Sam Lee", SendingTrust: "A", ReceivingTrust: "B",
		Reason: "see https://evil.example/login and http://passport.example.nhs.uk.evil.example/",
		Link:   "https://passport.example.nhs.uk/portal/moves/1", PublicURL: "https://passport.example.nhs.uk"})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(e.HTML, `href="https://evil.example`) || strings.Contains(e.HTML, `href="http://passport.example.nhs.uk.evil`) {
		t.Errorf("a typed address became a link:\n%s", e.HTML)
	}
	if !strings.Contains(e.HTML, `href="https://passport.example.nhs.uk/help`) {
		t.Errorf("the service's own help link is not a link:\n%s", e.HTML)
	}
}

// The acknowledgement of an enquiry carries nothing its sender typed.
func TestEnquiryAcknowledgementSaysNothingTyped(t *testing.T) {
	e, err := Render("enquiry_received", Data{PublicURL: "https://passport.example.nhs.uk"})
	if err != nil || strings.Contains(e.Text, "Dear") || !strings.Contains(e.Text, "2 working days") {
		t.Errorf("acknowledgement: %v\n%s", err, e.Text)
	}
}

func TestEveryTemplateRenders(t *testing.T) {
	for _, name := range Names() {
		if _, err := Render(name, Data{PublicURL: "https://p.example"}); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// The receiving trust's email counts in words people use, names what was
// shared, and lists what was asked for and not shared, each in a
// paragraph of its own.
func TestSharesReceivedSaysWhatCameAndWhatDidNot(t *testing.T) {
	one, err := Render("shares_received", Data{StaffName: "Sam Lee", SendingTrust: "Leeds", Count: 1, Items: "DBS check", Link: "https://x/m"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(one.Text, "shared 1 credential from") || !strings.Contains(one.Text, "move from Leeds: DBS check.") ||
		strings.Contains(one.Text, "(s)") || strings.Contains(one.Text, "not shared") {
		t.Errorf("one credential, nothing missing:\n%s", one.Text)
	}
	two, err := Render("shares_received", Data{StaffName: "Sam Lee", SendingTrust: "Leeds", Count: 2, Items: "DBS check and Identity check", Link: "https://x/m",
		Missing: []string{"Right to work: Sam Lee chose not to share it. Check their right to work.", "Occupational health clearance: Leeds holds no record of it. Refer them."}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(two.Text, "shared 2 credentials from") || !strings.Contains(two.Text, "check these yourselves:\n\nRight to work: Sam Lee chose not to share it.") ||
		!strings.Contains(two.HTML, "<p>Occupational health clearance: Leeds holds no record of it. Refer them.</p>") {
		t.Errorf("two credentials, two missing:\n%s\n%s", two.Text, two.HTML)
	}
}

// An email's call to action is a button in HTML, its words the action's;
// the plain text keeps the link.
func TestCallToActionIsAButton(t *testing.T) {
	link := "https://passport.example.nhs.uk/s/" + strings.Repeat("x", 100)
	e, err := Render("invitation", Data{StaffName: "Sam Lee", SendingTrust: "A", ReceivingTrust: "B", Link: link, Deadline: "1 March 2027",
		PublicURL: "https://passport.example.nhs.uk"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(e.HTML, `<a href="`+link+`" style="display:inline-block;`) || !strings.Contains(e.HTML, `>Accept the invitation to begin</a>`) {
		t.Errorf("no button:\n%s", e.HTML)
	}
	if strings.Contains(e.HTML, ">"+link+"<") {
		t.Errorf("the HTML still shows the bare link:\n%s", e.HTML)
	}
	if !strings.Contains(e.Text, "Accept the invitation to begin: "+link) {
		t.Errorf("the plain text lost the link:\n%s", e.Text)
	}
}

// The member of staff is told of their own move in the second person, and
// a trust's email links to the trusts' help.
func TestStaffAndTrustsAreToldInTheirOwnWords(t *testing.T) {
	d := Data{StaffName: "Sam Lee", SendingTrust: "Leeds", ReceivingTrust: "York", Link: "https://p.example/s/x", PublicURL: "https://p.example"}
	staff, err := Render("completed_staff", d)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(staff.Subject, "Your move") || !strings.Contains(staff.Text, "Dear Sam Lee") || !strings.Contains(staff.Text, "/help/staff/") {
		t.Errorf("the staff's completion email:\n%s\n%s", staff.Subject, staff.Text)
	}
	d.ForTrust = true
	sending, err1 := Render("completed_sending", d)
	receiving, err2 := Render("completed_receiving", d)
	if err1 != nil || err2 != nil || !strings.Contains(sending.Text, "Nothing more is asked of you") ||
		!strings.Contains(receiving.Text, "Check yourselves anything you rejected") || !strings.Contains(receiving.Text, "/help/trusts/") {
		t.Errorf("each trust's completion email says what is asked of it:\n%s\n%s", sending.Text, receiving.Text)
	}
	trust, err := Render("completed", d)
	if err != nil {
		t.Fatal(err)
	}
	if trust.Text == staff.Text || !strings.Contains(trust.Text, "/help/trusts/") || strings.Contains(trust.Text, "/help/staff/") {
		t.Errorf("the trusts' completion email:\n%s", trust.Text)
	}
}
