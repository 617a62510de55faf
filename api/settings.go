package api

import (
	"fmt"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/nhs-staff-passport/passport/internal/store"
	"github.com/nhs-staff-passport/passport/models"
)

// ownTrust lets a key act only on its own trust's settings; another trust's
// are not found, as if they did not exist. An operator's key belongs to no
// trust but knows every trust exists: it goes on to the role check, which
// answers 403 (no trust setting is an operator's to read or change).
func ownTrust(c *gin.Context) {
	if a := actor(c); c.Param("ods") != a.Trust && a.Role != models.RoleOperator {
		writeError(c, fmt.Errorf("trust %s: %w", c.Param("ods"), models.ErrNotFound))
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
			writeError(c, err)
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

// saveChecklist sets a trust's checklist for a staff group and records who
// did.
func (h *handlers) saveChecklist(c *gin.Context, a models.Actor, ods string, g models.StaffGroup, types []models.CredentialType) (models.Checklist, error) {
	cl, err := models.NewChecklist(ods, g, types)
	if err != nil {
		return cl, err
	}
	return cl, h.store.Audited(c.Request.Context(), a, "checklist.changed", "trust", cl.TrustODS,
		map[string]any{"staff_group": cl.StaffGroup, "credential_types": cl.Types},
		func(tx *store.Store) error { return tx.SaveChecklist(c.Request.Context(), &cl) })
}

// putChecklist: PUT /api/v1/trusts/{ods}/checklists/{group}.
func (h *handlers) putChecklist(c *gin.Context) {
	var in checklistRequest
	if !bindJSON(c, &in) {
		return
	}
	cl, err := h.saveChecklist(c, actor(c), c.Param("ods"), models.StaffGroup(c.Param("group")), in.CredentialTypes)
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, checklistView{StaffGroup: cl.StaffGroup, CredentialTypes: cl.CredentialTypes(), Source: "trust"})
}

type policyBody struct {
	ReminderIntervalHours int `json:"reminder_interval_hours"`
	MaxReminders          int `json:"max_reminders"`
	DeadlineDays          int `json:"deadline_days"`
	// AskForRecords: moves the trust sends ask it for what a passport
	// lacks (the records step). Left out of a change, it stays as it was.
	AskForRecords *bool `json:"ask_for_records,omitempty"`
}

// Asks says "yes" or "no" to asking for records, for the settings form.
func (p policyBody) Asks() string {
	if p.AskForRecords != nil && !*p.AskForRecords {
		return "no"
	}
	return "yes"
}

func policyView(t models.Trust) policyBody {
	p := t.Policy
	ask := !t.SkipRecordRequests
	return policyBody{ReminderIntervalHours: int(p.ReminderInterval / time.Hour), MaxReminders: p.MaxReminders, DeadlineDays: int(p.Deadline / (24 * time.Hour)),
		AskForRecords: &ask}
}

// getPolicy: GET /api/v1/trusts/{ods}/policy.
func (h *handlers) getPolicy(c *gin.Context) {
	t, err := h.store.Trust(c.Request.Context(), c.Param("ods"))
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, policyView(t))
}

// putPolicy: PUT /api/v1/trusts/{ods}/policy.
func (h *handlers) putPolicy(c *gin.Context) {
	var in policyBody
	if !bindJSON(c, &in) {
		return
	}
	t, err := h.savePolicy(c, actor(c), c.Param("ods"), in)
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, policyView(t))
}

// savePolicy sets a trust's move policy and records who did; it returns
// the trust as saved.
func (h *handlers) savePolicy(c *gin.Context, a models.Actor, ods string, in policyBody) (models.Trust, error) {
	t, err := h.store.Trust(c.Request.Context(), ods)
	if err != nil {
		return t, err
	}
	t.Policy = models.MovePolicy{
		ReminderInterval: time.Duration(in.ReminderIntervalHours) * time.Hour,
		MaxReminders:     in.MaxReminders,
		Deadline:         time.Duration(in.DeadlineDays) * 24 * time.Hour,
	}
	if in.AskForRecords != nil {
		t.SkipRecordRequests = !*in.AskForRecords
	}
	err = h.store.Audited(c.Request.Context(), a, "policy.changed", "trust", ods, in,
		func(tx *store.Store) error {
			return tx.SaveMovePolicy(c.Request.Context(), ods, t.Policy, t.SkipRecordRequests)
		})
	return t, renamePolicyFields(err)
}

// renamePolicyFields names the request's fields (hours, days) in errors.
func renamePolicyFields(err error) error {
	v, ok := err.(*models.ValidationError)
	if !ok {
		return err
	}
	names := map[string]string{"reminder_interval": "reminder_interval_hours", "deadline": "deadline_days"}
	for i, f := range v.Fields {
		if n, ok := names[f.Field]; ok {
			v.Fields[i].Field = n
		}
	}
	return v
}

// rotateKey: POST /api/v1/trusts/{ods}/keys/rotate. The old key stays
// published so that what it signed still verifies.
func (h *handlers) rotateKey(c *gin.Context) {
	k, err := h.creds.RotateKey(c.Request.Context(), c.Param("ods"))
	if err != nil {
		writeError(c, err)
		return
	}
	if err := h.store.Audit(c.Request.Context(), actor(c), "signing_key.rotated", "trust", c.Param("ods"), map[string]string{"kid": k.KID}); err != nil {
		writeError(c, err)
		return
	}
	set, err := h.creds.JWKS(c.Request.Context(), c.Param("ods"))
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, set)
}
