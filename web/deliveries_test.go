package web_test

import (
	"strings"
	"testing"
	"time"

	"github.com/nhs-staff-passport/passport/internal/testenv"
)

// The operators' page says email is not going out once an email has kept
// failing for three minutes, and not for a blip.
func TestOperatorsPageSaysWhenEmailIsNotGoingOut(t *testing.T) {
	ph := newPortalHarness(t)
	op := ph.signIn("RJ1/operator")
	testenv.FailingEmail(t, ph.harness.store, "m/invitation/staff/1", 30*time.Second)
	if page := op.send("GET", "/portal/operator", nil).Body.String(); strings.Contains(page, "Email is not going out") || !strings.Contains(page, "Emails being retried") {
		t.Error("a 30-second blip raised the alarm, or the retried emails are not listed")
	}
	testenv.FailingEmail(t, ph.harness.store, "m/consent/staff/2", 4*time.Minute)
	page := op.send("GET", "/portal/operator", nil).Body.String()
	if !strings.Contains(page, "Email is not going out") || !strings.Contains(page, "421 4.3.2") {
		t.Error("four minutes of failing email do not show on the operators' page")
	}
}
