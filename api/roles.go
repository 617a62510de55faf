package api

import (
	"slices"

	"github.com/nhs-staff-passport/passport/models"
)

// permission lists the roles that may do one thing. The API's routes and
// the portal's pages and buttons all ask the same permissions, so a rule
// is written once.
type permission []models.Role

var (
	permSeeMoves    = permission{models.RoleHR, models.RoleTrustAdmin, models.RoleOperator}
	permStartMoves  = permission{models.RoleHR, models.RoleTrustAdmin}
	permPassports   = permission{models.RoleHR, models.RoleTrustAdmin}
	permRecords     = permission{models.RoleHR, models.RoleTrustAdmin}
	permCancel      = permission{models.RoleHR, models.RoleTrustAdmin, models.RoleOperator}
	permIdentity    = permission{models.RoleHR, models.RoleTrustAdmin}
	permDecide      = permission{models.RoleHR, models.RoleTrustAdmin}
	permRetry       = permission{models.RoleTrustAdmin, models.RoleOperator}
	permDeadline    = permission{models.RoleHR, models.RoleTrustAdmin, models.RoleOperator}
	permSeeSettings = permission{models.RoleHR, models.RoleTrustAdmin}
	permManageTrust = permission{models.RoleTrustAdmin}
	permOperate     = permission{models.RoleOperator}
)

func (p permission) allows(r models.Role) bool { return slices.Contains(p, r) }
