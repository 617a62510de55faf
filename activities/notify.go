package activities

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/nhs-staff-passport/passport/internal/emails"
	"github.com/nhs-staff-passport/passport/internal/jobs"
	"github.com/nhs-staff-passport/passport/models"
)

// moveContext is what a move's emails are written from.
type moveContext struct {
	move      models.Move
	passport  models.Passport
	sending   models.Trust
	receiving models.Trust
	deadline  time.Time
}

func (a *Activities) load(ctx context.Context, moveID string) (moveContext, error) {
	var mc moveContext
	var err error
	if mc.move, err = a.Store.Move(ctx, moveID); err != nil {
		return mc, businessError(err)
	}
	if mc.passport, err = a.Store.PassportOnly(ctx, mc.move.PassportID); err != nil {
		return mc, businessError(err)
	}
	if mc.sending, err = a.Store.Trust(ctx, mc.move.SendingODS); err != nil {
		return mc, businessError(err)
	}
	if mc.receiving, err = a.Store.Trust(ctx, mc.move.ReceivingODS); err != nil {
		return mc, businessError(err)
	}
	var p models.MoveProgress
	if json.Unmarshal([]byte(mc.move.Progress), &p) == nil && !p.Deadline.IsZero() {
		mc.deadline = p.Deadline
	} else {
		mc.deadline = mc.move.CreatedAt.Add(models.DefaultMovePolicy().Deadline)
	}
	return mc, nil
}

func (mc moveContext) data(link string) emails.Data {
	return emails.Data{
		StaffName:    mc.passport.GivenName + " " + mc.passport.FamilyName,
		SendingTrust: mc.sending.Name, ReceivingTrust: mc.receiving.Name,
		Link: link, Deadline: mc.deadline.Format("2 January 2006"),
	}
}

// moveLink is where trusts see the move: its page in the portal.
func (a *Activities) moveLink(moveID string) string {
	return strings.TrimRight(a.PublicURL, "/") + "/portal/moves/" + moveID
}

// send renders a template and queues it to one recipient under a key that
// makes repeats of the same notification a no-op.
func (a *Activities) send(ctx context.Context, mc moveContext, key, template, recipient, to string, d emails.Data) error {
	d.PublicURL = a.PublicURL
	d.ForTrust = recipient != "staff"
	// A trust's link to the move says which trust it was sent to: opened
	// while signed in for the other trust, the page says so.
	if ods := map[string]string{"sending_trust": mc.move.SendingODS, "receiving_trust": mc.move.ReceivingODS}[recipient]; ods != "" {
		if page, part, _ := strings.Cut(d.Link, "#"); page == a.moveLink(mc.move.ID) {
			d.Link = page + "?for=" + ods
			if part != "" {
				d.Link += "#" + part
			}
		}
	}
	// Each side is told in its own words where the email has them (the
	// member of staff in the second person).
	name := template
	if side := map[string]string{"staff": "_staff", "sending_trust": "_sending", "receiving_trust": "_receiving"}[recipient]; emails.Has(template + side) {
		name = template + side
	}
	e, err := emails.Render(name, d)
	if err != nil {
		return temporal.NewNonRetryableApplicationError(err.Error(), ErrTypeInvalid, err)
	}
	n := models.Notification{ID: key, MoveID: mc.move.ID, Template: template, Recipient: recipient}
	// A trust without a contact address set is told nothing at it: the
	// move page still shows everything.
	if to != "" {
		if err := a.Outbox.Send(ctx, n, jobs.Email{To: to, Subject: e.Subject, Text: e.Text, HTML: e.HTML, Notice: !asksToAct[template]}); err != nil {
			return err
		}
	}
	// Whoever else the trust's settings name hears it too.
	trust := map[string]models.Trust{"sending_trust": mc.sending, "receiving_trust": mc.receiving}[recipient]
	for _, addr := range trust.AlsoTellList() {
		if strings.EqualFold(addr, to) {
			continue
		}
		sum := sha256.Sum256([]byte(strings.ToLower(addr))) // the same address, the same key, whatever its place
		n.ID = key + "/also/" + hex.EncodeToString(sum[:6])
		if err := a.Outbox.Send(ctx, n, jobs.Email{To: addr, Subject: e.Subject, Text: e.Text, HTML: e.HTML, Notice: !asksToAct[template]}); err != nil {
			return err
		}
	}
	// The person who started the move hears what the sending trust hears,
	// besides the trust's own address.
	if recipient != "sending_trust" || mc.move.StartedBy == "" {
		return nil
	}
	u, err := a.Store.User(ctx, mc.move.StartedBy)
	told := func(addr string) bool {
		return strings.EqualFold(addr, to) || slices.ContainsFunc(trust.AlsoTellList(), func(a string) bool { return strings.EqualFold(a, addr) })
	}
	if errors.Is(err, models.ErrNotFound) || (err == nil && (u.DisabledAt != nil || told(u.Email))) {
		return nil
	}
	if err != nil {
		return err
	}
	n.ID = key + "/starter"
	return a.Outbox.Send(ctx, n, jobs.Email{To: u.Email, Subject: e.Subject, Text: e.Text, HTML: e.HTML, Notice: !asksToAct[template]})
}

// asksToAct are the emails someone must act on (answer, record, decide,
// retry): they are sent before notices of what has happened.
var asksToAct = map[string]bool{
	TemplateInvitation: true, TemplateIdentity: true, TemplateConsent: true, TemplateRecordsRequested: true,
	TemplateSharesReceived: true, TemplateReminder: true, TemplateEscalation: true, TemplateStepFailed: true,
}

// Notify sends a move's notification to everyone it concerns.
func (a *Activities) Notify(ctx context.Context, in NoticeInput) error {
	mc, err := a.load(ctx, in.MoveID)
	if err != nil {
		return err
	}
	key := func(who string) string { return fmt.Sprintf("%s/%s/%s/%d", in.MoveID, in.Template, who, in.N) }
	page := a.moveLink(in.MoveID)
	d := mc.data(page)
	d.Stage, d.Reason = stageWords(in.Stage), in.Reason
	trusts := func(template string) error {
		return errors.Join(
			a.send(ctx, mc, key("sending"), template, "sending_trust", mc.sending.ContactEmail, d),
			a.send(ctx, mc, key("receiving"), template, "receiving_trust", mc.receiving.ContactEmail, d))
	}
	everyone := func(template string) error {
		// The person gets a link to their passport, where they can also
		// withdraw their consent; the move's page is for the trusts.
		view, err := a.viewLink(ctx, mc)
		if err != nil {
			return err
		}
		sd := d
		sd.Link = view
		return errors.Join(a.send(ctx, mc, key("staff"), template, "staff", mc.passport.Email, sd), trusts(template))
	}
	switch in.Template {
	case TemplateReminder:
		if in.Stage == "acceptance" {
			return a.send(ctx, mc, key("receiving"), "acceptance_reminder", "receiving_trust", mc.receiving.ContactEmail, d)
		}
		return temporal.NewNonRetryableApplicationError("staff reminders go with a new link", ErrTypeInvalid, nil)
	case TemplateEscalation:
		if in.Stage == "acceptance" {
			return a.send(ctx, mc, key("receiving"), in.Template, "receiving_trust", mc.receiving.ContactEmail, d)
		}
		return a.send(ctx, mc, key("sending"), in.Template, "sending_trust", mc.sending.ContactEmail, d)
	case TemplateStepFailed:
		if err := a.emit(ctx, []string{mc.move.SendingODS, mc.move.ReceivingODS}, models.EventMoveStepFailed,
			fmt.Sprintf("%s/%s/%d", in.MoveID, in.Stage, in.N), map[string]string{"move_id": in.MoveID, "stage": in.Stage}); err != nil {
			return err
		}
		return trusts(in.Template)
	case TemplatePaused, TemplateResumed:
		return everyone(in.Template)
	case TemplateCompleted, TemplateClosed, TemplateCancelled, TemplateDeclined, TemplateExpired, TemplateConsentWithdrawn:
		if in.Template == TemplateCompleted {
			if err := a.emit(ctx, []string{mc.move.SendingODS, mc.move.ReceivingODS}, models.EventMoveCompleted, in.MoveID,
				map[string]string{"move_id": in.MoveID}); err != nil {
				return err
			}
		}
		return everyone(in.Template)
	}
	return temporal.NewNonRetryableApplicationError("unknown notification "+in.Template, ErrTypeInvalid, nil)
}

// viewDays is how long a link to view one's passport works.
const viewDays = 30

// viewLink makes a link for the person to see their passport and what this
// move shared. It can be opened many times; withdrawing consent through it
// uses it up.
func (a *Activities) viewLink(ctx context.Context, mc moveContext) (string, error) {
	tok := a.Links.New()
	err := a.Store.CreateLinkToken(ctx, &models.LinkToken{
		ID: tok.ID, SecretHash: tok.Hash, Action: models.LinkViewPassport, MoveID: mc.move.ID, PassportID: mc.passport.ID,
		ExpiresAt: a.now().UTC().AddDate(0, 0, viewDays), CreatedAt: a.now().UTC(),
	})
	if err != nil {
		return "", err
	}
	return strings.TrimRight(a.PublicURL, "/") + "/s/" + tok.Plain, nil
}

// staffLink makes a single-use link for the person and emails it: the
// first time as the stage's own email, later as a reminder.
func (a *Activities) staffLink(ctx context.Context, mc moveContext, in NoticeInput, action models.LinkAction) error {
	tok := a.Links.New()
	err := a.Store.CreateLinkToken(ctx, &models.LinkToken{
		ID: tok.ID, SecretHash: tok.Hash, Action: action, MoveID: mc.move.ID, PassportID: mc.passport.ID,
		ExpiresAt: mc.deadline.UTC(), CreatedAt: a.now().UTC(),
	})
	if err != nil {
		return err
	}
	template := in.Template
	switch {
	case in.N > 0 && in.Template == TemplateInvitation:
		template = "invitation_reminder"
	case in.N > 0:
		template = "staff_reminder"
	}
	d := mc.data(strings.TrimRight(a.PublicURL, "/") + "/s/" + tok.Plain)
	d.Stage = stageWords(in.Stage)
	return a.send(ctx, mc, fmt.Sprintf("%s/%s/staff/%d", in.MoveID, in.Template, in.N), template, "staff", mc.passport.Email, d)
}

func stageWords(stage string) string {
	switch stage {
	case "invite":
		return "accepting the invitation"
	case "identity":
		return "confirming identity"
	case "records":
		return "recording what the passport is missing"
	case "consent":
		return "choosing what to share"
	case "acceptance":
		return "the receiving trust's decisions"
	}
	return stage
}

// businessError makes a missing record fail at once rather than be retried.
func businessError(err error) error {
	if errors.Is(err, models.ErrNotFound) {
		return temporal.NewNonRetryableApplicationError(err.Error(), ErrTypeNotFound, err)
	}
	if errors.Is(err, models.ErrInvalid) {
		return temporal.NewNonRetryableApplicationError(err.Error(), ErrTypeInvalid, err)
	}
	return err
}
