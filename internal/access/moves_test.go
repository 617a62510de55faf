package access

import (
	"testing"

	"github.com/nhs-staff-passport/passport/models"
)

// The rules say who may act on a move by role and side, and refusals name
// the trusts.
func TestMoveRules(t *testing.T) {
	mv := models.Move{SendingODS: "RJ1", ReceivingODS: "RRK"}
	hr := func(ods string) models.Actor { return models.Actor{Trust: ods, Role: models.RoleHR} }
	admin := func(ods string) models.Actor { return models.Actor{Trust: ods, Role: models.RoleTrustAdmin} }
	op := models.Actor{Role: models.RoleOperator}
	for _, c := range []struct {
		action string
		who    models.Actor
		may    bool
	}{
		{"deadline", hr("RJ1"), true}, {"deadline", hr("RRK"), false}, {"deadline", op, true},
		{"identity", hr("RJ1"), true}, {"identity", hr("RRK"), false}, {"identity", op, false},
		{"decide", hr("RRK"), true}, {"decide", hr("RJ1"), false}, {"decide", op, false},
		{"cancel", hr("RRK"), true}, {"cancel", hr("R0A"), false}, {"cancel", op, true},
		{"retry", hr("RJ1"), false}, {"retry", admin("RRK"), true}, {"retry", op, true},
		{"records", admin("RJ1"), true}, {"records", hr("RRK"), false},
		{"nothing", hr("RJ1"), false},
	} {
		if got := MayOnMove(c.action, c.who, mv); got != c.may {
			t.Errorf("%s by %s of %q: %v, want %v", c.action, c.who.Role, c.who.Trust, got, c.may)
		}
	}
	for action, want := range map[string]string{
		"deadline": "Only HR of Leeds or an operator may extend the deadline.",
		"decide":   "Only HR of York may accept or reject credentials.",
		"retry":    "Only the trust administrators of Leeds or York or an operator may retry a step.",
	} {
		if got := WhoMayOnMove(action, "Leeds", "York"); got != want {
			t.Errorf("%s: %q, want %q", action, got, want)
		}
	}
}
