package web

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/nhs-staff-passport/passport/internal/access"
	"github.com/nhs-staff-passport/passport/internal/admin"
	"github.com/nhs-staff-passport/passport/internal/jobs"
	"github.com/nhs-staff-passport/passport/internal/store"
	"github.com/nhs-staff-passport/passport/models"
)

type checklistRow struct {
	Group   models.StaffGroup
	Title   string
	Own     bool
	Checked map[models.CredentialType]bool
}

type settingsData struct {
	Policy     admin.Policy
	Checklists []checklistRow
	Types      []models.CredentialType
	Users      []models.User
	Keys       []models.APIKey
	NewKey     string
	Webhooks   []models.WebhookEndpoint
	NewSecret  string
	Events     []string
	Failed     []jobs.FailedDelivery
	Form       url.Values
	Roles      []option
}

// settingsPage: GET /portal/settings, the trust's own settings (changed by
// its administrators).
func (p *portal) settingsPage(c *gin.Context) {
	o := p.takeOutcome(c, "/portal/settings")
	p.showSettings(c, http.StatusOK, o.Errors, settingsData{Form: o.Form})
}

func (p *portal) showSettings(c *gin.Context, status int, errs []models.FieldError, d settingsData) {
	u := currentUser(c)
	t, err := p.store.Trust(c.Request.Context(), u.TrustODS)
	if err != nil {
		p.portalError(c, err)
		return
	}
	if d.Form == nil {
		d.Form = url.Values{}
	}
	d.Policy = admin.PolicyOf(t)
	d.Types = models.CredentialTypes()
	for _, g := range []models.StaffGroup{models.GroupTemporaryMover, models.GroupDoctorInTraining} {
		types, own, err := p.store.RequiredCredentials(c.Request.Context(), u.TrustODS, g)
		if err != nil {
			p.portalError(c, err)
			return
		}
		row := checklistRow{Group: g, Title: capitalise(strings.ReplaceAll(string(g), "_", " ")), Own: own, Checked: map[models.CredentialType]bool{}}
		for _, ty := range types {
			row.Checked[ty] = true
		}
		d.Checklists = append(d.Checklists, row)
	}
	if d.Users, err = p.store.Users(c.Request.Context(), u.TrustODS); err != nil {
		p.portalError(c, err)
		return
	}
	// Accounts and keys above the reader's role are not theirs to see.
	d.Users = slices.DeleteFunc(d.Users, func(x models.User) bool { return !u.Role.Reaches(x.Role) })
	if d.Keys, err = p.store.APIKeys(c.Request.Context(), u.TrustODS); err != nil {
		p.portalError(c, err)
		return
	}
	d.Keys = slices.DeleteFunc(d.Keys, func(k models.APIKey) bool { return !u.Role.Reaches(k.Role) })
	if p.webhooks != nil {
		if d.Webhooks, err = p.store.Webhooks(c.Request.Context(), u.TrustODS); err != nil {
			p.portalError(c, err)
			return
		}
		d.Events = models.WebhookEvents()
		if p.deliveries != nil {
			if d.Failed, err = p.admin.FailedWebhooks(c.Request.Context(), u.TrustODS); err != nil {
				p.portalError(c, err)
				return
			}
		}
	}
	d.Roles = []option{{"hr", "HR"}, {"trust_admin", "Trust administrator"}}
	p.page(c, status, "settings", portalPage{Title: t.Name + " settings", Section: "settings", Flash: flash(c), Errors: errs, Data: d})
}

// settingsResult shows the settings again with the field errors of a form,
// or goes back to them with a message when it worked.
func (p *portal) settingsResult(c *gin.Context, err error, done string, d settingsData) {
	var v *models.ValidationError
	switch {
	case err == nil:
		c.Redirect(http.StatusSeeOther, "/portal/settings?done="+done)
	case errors.As(err, &v):
		p.backWith(c, "/portal/settings", outcome{Errors: v.Fields, Form: c.Request.PostForm})
	default:
		p.portalError(c, err)
	}
}

func formInt(c *gin.Context, name string, v *models.ValidationError, reason string) int {
	n, err := strconv.Atoi(strings.TrimSpace(c.PostForm(name)))
	if err != nil {
		v.Add(name, reason)
	}
	return n
}

// savePolicyForm: POST /portal/settings/policy.
func (p *portal) savePolicyForm(c *gin.Context) {
	var v models.ValidationError
	in := admin.Policy{
		ReminderIntervalHours: formInt(c, "reminder_interval_hours", &v, "Enter the hours between reminders as a whole number"),
		MaxReminders:          formInt(c, "max_reminders", &v, "Enter the number of reminders as a whole number"),
		DeadlineDays:          formInt(c, "deadline_days", &v, "Enter the days until a move expires as a whole number"),
	}
	if a := c.PostForm("ask_for_records"); a == "yes" || a == "no" { // the form always sends one
		ask := a == "yes"
		in.AskForRecords = &ask
	}
	also := []string{}
	for _, line := range strings.Split(c.PostForm("also_tell"), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			also = append(also, line)
		}
	}
	in.AlsoTell = &also
	err := v.Err()
	if err == nil {
		_, err = p.admin.SavePolicy(c.Request.Context(), access.Actor(c), currentUser(c).TrustODS, in)
	}
	var bad *models.ValidationError
	if errors.As(err, &bad) {
		for i, f := range bad.Fields {
			if strings.HasPrefix(f.Field, "also_tell") {
				bad.Fields[i] = models.FieldError{Field: "also_tell", Reason: "Enter up to 5 work email addresses, one on each line, like name@nhs.net"}
			}
		}
		bad.Fields = slices.CompactFunc(bad.Fields, func(a, b models.FieldError) bool { return a == b })
	}
	p.settingsResult(c, err, "saved", settingsData{})
}

// saveChecklistForm: POST /portal/settings/checklists/{group}.
func (p *portal) saveChecklistForm(c *gin.Context) {
	var types []models.CredentialType
	for _, t := range c.PostFormArray("credential_types") {
		types = append(types, models.CredentialType(t))
	}
	_, err := p.admin.SaveChecklist(c.Request.Context(), access.Actor(c), currentUser(c).TrustODS, models.StaffGroup(c.Param("group")), types)
	if v, ok := err.(*models.ValidationError); ok {
		for i := range v.Fields {
			v.Fields[i].Field = "checklist-" + c.Param("group")
		}
	}
	p.settingsResult(c, err, "saved", settingsData{})
}

// inviteForm: POST /portal/settings/users: a trust administrator adds a
// person to the trust, who is emailed a sign-in link.
func (p *portal) inviteForm(c *gin.Context) {
	u := currentUser(c)
	role := models.Role(c.PostForm("role"))
	if role == models.RoleOperator {
		role = "" // only operators make operators
	}
	err := p.inviteUser(c, &models.User{TrustODS: u.TrustODS, Role: role, Email: c.PostForm("email"), Name: c.PostForm("name")})
	p.settingsResult(c, err, "invited", settingsData{})
}

// removeUserForm: POST /portal/settings/users/{id}/remove.
func (p *portal) removeUserForm(c *gin.Context) {
	u := currentUser(c)
	if c.Param("id") == u.ID {
		var v models.ValidationError
		v.Add("users", "You cannot remove yourself; ask another administrator")
		p.settingsResult(c, &v, "", settingsData{})
		return
	}
	err := p.store.Audited(c.Request.Context(), access.Actor(c), "user.removed", "user", c.Param("id"), nil,
		func(tx *store.Store) error {
			return tx.DisableUser(c.Request.Context(), u.Role, u.TrustODS, c.Param("id"), time.Now())
		})
	p.settingsResult(c, err, "removed", settingsData{})
}

// createKeyForm: POST /portal/settings/keys. The key is shown once, on the
// page this answers with.
func (p *portal) createKeyForm(c *gin.Context) {
	u := currentUser(c)
	role := models.Role(c.PostForm("key-role"))
	name := strings.TrimSpace(c.PostForm("key-name"))
	var v models.ValidationError
	if role != models.RoleHR && role != models.RoleTrustAdmin {
		v.Add("key-role", "Choose HR or trust administrator")
	}
	if name == "" || len(name) > 200 {
		v.Add("key-name", "Enter a name that says which system uses the key, up to 200 characters")
	}
	if err := v.Err(); err != nil {
		p.settingsResult(c, err, "", settingsData{})
		return
	}
	plain, _, err := p.store.IssueAPIKey(c.Request.Context(), access.Actor(c), u.TrustODS, role, name)
	if err != nil {
		p.portalError(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	p.showSettings(c, http.StatusCreated, nil, settingsData{NewKey: plain})
}

// revokeKeyForm: POST /portal/settings/keys/{prefix}/revoke.
func (p *portal) revokeKeyForm(c *gin.Context) {
	_, err := p.store.WithdrawAPIKey(c.Request.Context(), access.Actor(c), currentUser(c).TrustODS, c.Param("prefix"))
	p.settingsResult(c, err, "removed", settingsData{})
}

// addWebhookForm: POST /portal/settings/webhooks. The signing secret is
// shown once.
func (p *portal) addWebhookForm(c *gin.Context) {
	_, secret, err := p.webhooks.Register(c.Request.Context(), access.Actor(c), currentUser(c).TrustODS, strings.TrimSpace(c.PostForm("webhook-url")), c.PostFormArray("events"))
	if v, ok := err.(*models.ValidationError); ok {
		for i := range v.Fields {
			v.Fields[i].Field = "webhook-" + strings.Split(v.Fields[i].Field, "[")[0]
		}
	}
	if err != nil {
		p.settingsResult(c, err, "", settingsData{})
		return
	}
	p.showSettings(c, http.StatusCreated, nil, settingsData{NewSecret: secret})
}

// removeWebhookForm: POST /portal/settings/webhooks/{id}/remove.
func (p *portal) removeWebhookForm(c *gin.Context) {
	p.settingsResult(c, p.admin.RemoveWebhook(c.Request.Context(), access.Actor(c), currentUser(c).TrustODS, c.Param("id")), "removed", settingsData{})
}

// retryWebhookForm: POST /portal/settings/webhooks/retry.
func (p *portal) retryWebhookForm(c *gin.Context) {
	p.settingsResult(c, p.admin.RetryWebhook(c.Request.Context(), access.Actor(c), currentUser(c).TrustODS, c.PostForm("key")), "retrying", settingsData{})
}

type operatorData struct {
	Trusts    []models.Trust
	Failed    []jobs.FailedDelivery
	Retrying  []admin.RetryingDelivery
	MailDown  *admin.RetryingDelivery // the longest-failing email, when email has been failing for relayAlarm
	Enquiries []models.Enquiry
	Counts    store.MoveCounts
	Form      url.Values
}

// operatorPage: GET /portal/operator: every trust, failed deliveries and
// open enquiries.
func (p *portal) operatorPage(c *gin.Context) {
	o := p.takeOutcome(c, "/portal/operator")
	p.showOperator(c, http.StatusOK, o.Form, o.Errors)
}

// relayAlarm is how long an email may keep failing before the operators'
// page says email is not going out: longer than a relay's blip.
const relayAlarm = 3 * time.Minute

func (p *portal) showOperator(c *gin.Context, status int, form url.Values, errs []models.FieldError) {
	d := operatorData{Form: form}
	if d.Form == nil {
		d.Form = url.Values{}
	}
	var err error
	if d.Trusts, err = p.store.Trusts(c.Request.Context()); err != nil {
		p.portalError(c, err)
		return
	}
	if p.deliveries != nil {
		if d.Failed, err = p.deliveries.Failed(); err != nil {
			p.portalError(c, err)
			return
		}
	}
	if d.Retrying, err = p.admin.Retrying(c.Request.Context()); err != nil {
		p.portalError(c, err)
		return
	}
	if n := len(d.Retrying); n > 0 && time.Since(d.Retrying[0].FailingSince) > relayAlarm {
		d.MailDown = &d.Retrying[0]
	}
	if d.Enquiries, err = p.store.Enquiries(c.Request.Context(), "open"); err != nil {
		p.portalError(c, err)
		return
	}
	if d.Counts, err = p.store.CountMoves(c.Request.Context(), ""); err != nil {
		p.portalError(c, err)
		return
	}
	p.page(c, status, "operator", portalPage{Title: "Operations", Section: "operator", Flash: flash(c), Errors: errs, Data: d})
}

func (p *portal) operatorResult(c *gin.Context, err error, done string) {
	var v *models.ValidationError
	switch {
	case err == nil:
		c.Redirect(http.StatusSeeOther, "/portal/operator?done="+done)
	case errors.As(err, &v):
		p.backWith(c, "/portal/operator", outcome{Errors: v.Fields, Form: c.Request.PostForm})
	case errors.Is(err, models.ErrConflict):
		p.backWith(c, "/portal/operator", outcome{Errors: []models.FieldError{{Field: "ods_code", Reason: "A trust with this ODS code is already registered"}},
			Form: c.Request.PostForm})
	default:
		p.portalError(c, err)
	}
}

// registerTrustForm: POST /portal/operator/trusts: registers a trust and
// invites its first administrator, who sets the trust up.
func (p *portal) registerTrustForm(c *gin.Context) {
	in := admin.Registration{ODSCode: c.PostForm("ods_code"), Name: c.PostForm("name"), Region: c.PostForm("region"), ContactEmail: c.PostForm("contact_email")}
	admin := models.User{Name: c.PostForm("admin_name"), Email: in.ContactEmail, Role: models.RoleTrustAdmin, TrustODS: in.ODSCode}
	var v models.ValidationError
	if strings.TrimSpace(admin.Name) == "" {
		v.Add("admin_name", "Enter the name of the trust's first administrator")
	}
	if err := v.Err(); err != nil {
		p.operatorResult(c, err, "")
		return
	}
	t, err := p.admin.Register(c.Request.Context(), access.Actor(c), in)
	if err == nil {
		admin.TrustODS = t.ODSCode
		err = p.inviteUser(c, &admin)
		if v, ok := err.(*models.ValidationError); ok {
			for i := range v.Fields {
				if v.Fields[i].Field == "email" {
					v.Fields[i].Field = "contact_email"
				}
			}
		}
	}
	p.operatorResult(c, err, "invited")
}

// suspendForm: POST /portal/operator/trusts/{ods}/suspend.
func (p *portal) suspendForm(c *gin.Context) {
	_, err := p.admin.Suspend(c.Request.Context(), access.Actor(c), c.Param("ods"), admin.Suspension{Reason: c.PostForm("reason"), InFlight: c.PostForm("in_flight")}, time.Now().UTC())
	if v, ok := err.(*models.ValidationError); ok {
		for i := range v.Fields {
			v.Fields[i].Field += "-" + c.Param("ods")
		}
	}
	p.operatorResult(c, err, "saved")
}

// reinstateForm: POST /portal/operator/trusts/{ods}/reinstate.
func (p *portal) reinstateForm(c *gin.Context) {
	_, err := p.admin.Reinstate(c.Request.Context(), access.Actor(c), c.Param("ods"))
	p.operatorResult(c, err, "saved")
}

// retryDeliveryForm: POST /portal/operator/deliveries/retry.
func (p *portal) retryDeliveryForm(c *gin.Context) {
	p.operatorResult(c, p.admin.RetryDelivery(c.Request.Context(), access.Actor(c), c.PostForm("key")), "retrying")
}

// answerEnquiryForm: POST /portal/operator/enquiries/{id}/answered.
func (p *portal) answerEnquiryForm(c *gin.Context) {
	err := p.store.Audited(c.Request.Context(), access.Actor(c), "enquiry.answered", "enquiry", c.Param("id"), nil, func(tx *store.Store) error {
		return tx.MarkEnquiryAnswered(c.Request.Context(), c.Param("id"), time.Now())
	})
	p.operatorResult(c, err, "answered")
}
