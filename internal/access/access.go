// Package access says who is calling and what they may do: the one
// permission table the JSON API's routes and the pages' forms and buttons
// both ask, so a rule is written once.
package access

import (
	"slices"

	"github.com/gin-gonic/gin"

	"github.com/nhs-staff-passport/passport/models"
)

// Permission lists the roles that may do one thing.
type Permission []models.Role

// The permission table.
var (
	SeeMoves    = Permission{models.RoleHR, models.RoleTrustAdmin, models.RoleOperator}
	StartMoves  = Permission{models.RoleHR, models.RoleTrustAdmin}
	Passports   = Permission{models.RoleHR, models.RoleTrustAdmin}
	Records     = Permission{models.RoleHR, models.RoleTrustAdmin}
	Cancel      = Permission{models.RoleHR, models.RoleTrustAdmin, models.RoleOperator}
	Identity    = Permission{models.RoleHR, models.RoleTrustAdmin}
	Decide      = Permission{models.RoleHR, models.RoleTrustAdmin}
	Retry       = Permission{models.RoleTrustAdmin, models.RoleOperator}
	Deadline    = Permission{models.RoleHR, models.RoleTrustAdmin, models.RoleOperator}
	SeeSettings = Permission{models.RoleHR, models.RoleTrustAdmin}
	ManageTrust = Permission{models.RoleTrustAdmin}
	Operate     = Permission{models.RoleOperator}
	Verify      = Permission{models.RoleHR, models.RoleTrustAdmin, models.RoleOperator}
	Anyone      = Permission(models.Roles())
)

// Allows reports whether the role may do the thing.
func (p Permission) Allows(r models.Role) bool { return slices.Contains(p, r) }

const actorKey = "actor"

// SetActor records who made the request (an API key's holder, a signed-in
// person).
func SetActor(c *gin.Context, a models.Actor) { c.Set(actorKey, a) }

// Actor is who made the request; the zero Actor when no one was
// authenticated.
func Actor(c *gin.Context) models.Actor {
	a, _ := c.Get(actorKey)
	act, _ := a.(models.Actor)
	return act
}
