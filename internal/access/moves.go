package access

import (
	"slices"
	"strings"

	"github.com/nhs-staff-passport/passport/models"
)

// Side is where a caller stands in one move.
type Side string

// The sides of a move.
const (
	SideNone      Side = ""          // a trust with no part in the move
	SideSending   Side = "sending"   // the trust the member of staff leaves
	SideReceiving Side = "receiving" // the trust they join
	SideService   Side = "service"   // an operator of the service
)

// SideOf is where the actor stands in the move.
func SideOf(a models.Actor, mv models.Move) Side {
	switch {
	case a.Role == models.RoleOperator:
		return SideService
	case a.Trust == mv.SendingODS:
		return SideSending
	case a.Trust == mv.ReceivingODS:
		return SideReceiving
	}
	return SideNone
}

// moveRule is who may take one action on a move: the roles (the
// permission table above) and the sides of the move.
type moveRule struct {
	perm  Permission
	sides []Side
	words string // what the action is, for a refusal
}

// moveRules are the actions on a move. The move's workflow enforces the
// same rules; pages offer an action only to those these rules allow.
var moveRules = map[string]moveRule{
	"identity": {Identity, []Side{SideSending}, "record an identity check"},
	"records":  {Records, []Side{SideSending}, "answer for the records"},
	"decide":   {Decide, []Side{SideReceiving}, "accept or reject credentials"},
	"cancel":   {Cancel, []Side{SideSending, SideReceiving, SideService}, "cancel the move"},
	"retry":    {Retry, []Side{SideSending, SideReceiving, SideService}, "retry a step"},
	"deadline": {Deadline, []Side{SideSending, SideService}, "extend the deadline"},
}

// MayOnMove reports whether the actor's role and side of the move allow
// the action (false for an action not in the table).
func MayOnMove(action string, a models.Actor, mv models.Move) bool {
	r, ok := moveRules[action]
	return ok && r.perm.Allows(a.Role) && slices.Contains(r.sides, SideOf(a, mv))
}

// WhoMayOnMove says who may take the action, naming the trusts by the
// names given: "Only HR of Leeds Teaching Hospitals or an operator may
// extend the deadline."
func WhoMayOnMove(action, sendingName, receivingName string) string {
	r, ok := moveRules[action]
	if !ok {
		return "You may not do this."
	}
	var trusts, who []string
	for _, s := range r.sides {
		switch s {
		case SideSending:
			trusts = append(trusts, sendingName)
		case SideReceiving:
			trusts = append(trusts, receivingName)
		}
	}
	roles := "HR"
	if !r.perm.Allows(models.RoleHR) {
		roles = "the trust administrators"
	}
	if len(trusts) > 0 {
		who = append(who, roles+" of "+strings.Join(trusts, " or "))
	}
	if slices.Contains(r.sides, SideService) && r.perm.Allows(models.RoleOperator) {
		who = append(who, "an operator")
	}
	return "Only " + strings.Join(who, " or ") + " may " + r.words + "."
}
