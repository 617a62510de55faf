package api

import (
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/nhs-staff-passport/passport/internal/access"
	"github.com/nhs-staff-passport/passport/internal/admin"
	"github.com/nhs-staff-passport/passport/internal/problem"
	"github.com/nhs-staff-passport/passport/models"
)

// ownTrust lets a key act only on its own trust's settings; another trust's
// are not found, as if they did not exist. An operator's key belongs to no
// trust but knows every trust exists: it goes on to the role check, which
// answers 403 (no trust setting is an operator's to read or change).
func ownTrust(c *gin.Context) {
	if a := access.Actor(c); c.Param("ods") != a.Trust && a.Role != models.RoleOperator {
		problem.Error(c, fmt.Errorf("trust %s: %w", c.Param("ods"), models.ErrNotFound))
		return
	}
	c.Next()
}

type checklistView struct {
	StaffGroup      models.StaffGroup       `json:"staff_group"`
	CredentialTypes []models.CredentialType `json:"credential_types"`
	Source          string                  `json:"source"` // default | trust
}

// getChecklists: GET /api/v1/trusts/{ods}/checklists.
func (h *handlers) getChecklists(c *gin.Context) {
	out := []checklistView{}
	for _, g := range []models.StaffGroup{models.GroupTemporaryMover, models.GroupDoctorInTraining} {
		types, own, err := h.store.RequiredCredentials(c.Request.Context(), c.Param("ods"), g)
		if err != nil {
			problem.Error(c, err)
			return
		}
		src := "default"
		if own {
			src = "trust"
		}
		out = append(out, checklistView{StaffGroup: g, CredentialTypes: types, Source: src})
	}
	c.JSON(http.StatusOK, out)
}

type checklistRequest struct {
	CredentialTypes []models.CredentialType `json:"credential_types"`
}

// putChecklist: PUT /api/v1/trusts/{ods}/checklists/{group}.
func (h *handlers) putChecklist(c *gin.Context) {
	var in checklistRequest
	if !bindJSON(c, &in) {
		return
	}
	cl, err := h.admin.SaveChecklist(c.Request.Context(), access.Actor(c), c.Param("ods"), models.StaffGroup(c.Param("group")), in.CredentialTypes)
	if err != nil {
		problem.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, checklistView{StaffGroup: cl.StaffGroup, CredentialTypes: cl.CredentialTypes(), Source: "trust"})
}

// getPolicy: GET /api/v1/trusts/{ods}/policy.
func (h *handlers) getPolicy(c *gin.Context) {
	t, err := h.store.Trust(c.Request.Context(), c.Param("ods"))
	if err != nil {
		problem.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, admin.PolicyOf(t))
}

// putPolicy: PUT /api/v1/trusts/{ods}/policy.
func (h *handlers) putPolicy(c *gin.Context) {
	var in admin.Policy
	if !bindJSON(c, &in) {
		return
	}
	t, err := h.admin.SavePolicy(c.Request.Context(), access.Actor(c), c.Param("ods"), in)
	if err != nil {
		problem.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, admin.PolicyOf(t))
}

// rotateKey: POST /api/v1/trusts/{ods}/keys/rotate. The old key stays
// published so that what it signed still verifies.
func (h *handlers) rotateKey(c *gin.Context) {
	k, err := h.creds.RotateKey(c.Request.Context(), c.Param("ods"))
	if err != nil {
		problem.Error(c, err)
		return
	}
	if err := h.store.Audit(c.Request.Context(), access.Actor(c), "signing_key.rotated", "trust", c.Param("ods"), map[string]string{"kid": k.KID}); err != nil {
		problem.Error(c, err)
		return
	}
	set, err := h.creds.JWKS(c.Request.Context(), c.Param("ods"))
	if err != nil {
		problem.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, set)
}
