// Package emails writes the service's emails in plain English: a subject, a
// plain-text body and an HTML body made from the same paragraphs. They say
// no more about anyone than the recipient needs.
package emails

import (
	"bytes"
	"fmt"
	"html/template"
	"strings"
	textTemplate "text/template"
)

// Data fills a template.
type Data struct {
	// StaffName is the person moving ("Sam Patel").
	StaffName      string
	SendingTrust   string
	ReceivingTrust string
	// Link is the action link (a single-use signed URL) or the move's page.
	Link     string
	Deadline string // "12 December 2026"
	Stage    string // a reminder's or escalation's stage, in words
	Reason   string
	Count    int // shares received, reminders sent
	// Items lists credentials in words ("DBS check and Right to work").
	Items string
	// Missing are the credentials asked for and not shared, each a
	// sentence of its own: what, why, and what to check instead.
	Missing []string
	// RecipientName, TrustName and Role address a person about their own
	// portal account (sign-in links and invitations).
	RecipientName string
	TrustName     string
	Role          string
	// PublicURL is the service's base URL, for the help link every email
	// ends with.
	PublicURL string
	// ForTrust: the email goes to a trust, whose help it links to.
	ForTrust bool
}

// Email is a rendered message.
type Email struct {
	Subject, Text, HTML string
}

type tmpl struct {
	subject string
	body    string // paragraphs separated by blank lines
}

// helpPaths says which help page each email points to for a person who
// is stuck.
var helpPaths = map[string]string{
	"invitation": "/help/staff/moving", "invitation_reminder": "/help/staff/moving",
	"identity": "/help/staff/identity", "consent": "/help/staff/sharing", "staff_reminder": "/help/staff/moving",
	"shares_received":   "/help/trusts/reviewing",
	"records_requested": "/help/trusts/passports", "records_reminder": "/help/trusts/passports",
	"credentials_due_holder": "/help/staff/passport", "credentials_due_trust": "/help/trusts/passports",
	"credential_revoked": "/help/trusts/reviewing", "credential_expired": "/help/trusts/reviewing", "acceptance_reminder": "/help/trusts/reviewing",
	"escalation": "/help/trusts/starting-moves", "step_failed": "/help/trusts/failed-steps",
	"completed": "/help/staff/sharing", "closed": "/help", "cancelled": "/help", "declined": "/help",
	"expired": "/help/staff/expired-link", "consent_withdrawn": "/help/staff/sharing",
	"sign_in": "/help/trusts/portal", "enquiry_received": "/help", "user_invited": "/help/trusts/portal",
	"paused": "/help/staff/moving", "resumed": "/help/staff/moving",
}

// trustHelpPaths are the help pages for a trust of the emails that go to
// staff and trusts alike.
var trustHelpPaths = map[string]string{
	"completed": "/help/trusts/reviewing", "closed": "/help/trusts/reviewing", "cancelled": "/help/trusts/starting-moves",
	"declined": "/help/trusts/starting-moves", "expired": "/help/trusts/starting-moves", "consent_withdrawn": "/help/trusts/reviewing",
	"paused": "/help/trusts/starting-moves", "resumed": "/help/trusts/starting-moves",
}

// HelpPath is the help page an email links to (forTrust: as a trust
// receives it).
func HelpPath(name string, forTrust bool) string {
	if p, ok := trustHelpPaths[name]; ok && forTrust {
		return p
	}
	return helpPaths[name]
}

// baseName is a template's name without its side ("completed_staff" is
// "completed").
func baseName(name string) string {
	for _, side := range []string{"_staff", "_sending", "_receiving"} {
		if b, ok := strings.CutSuffix(name, side); ok {
			return b
		}
	}
	return name
}

// Has reports whether there is a template by that name.
func Has(name string) bool {
	_, ok := templates[name]
	return ok
}

var templates = map[string]tmpl{
	"invitation": {
		subject: "{{.SendingTrust}} has started your move to {{.ReceivingTrust}}",
		body: `Dear {{.StaffName}},

{{.SendingTrust}} has started your move to {{.ReceivingTrust}}. With your Staff Passport you will not need to repeat your pre-employment checks and training: you choose what {{.ReceivingTrust}} may see, and they receive it from your passport.

Accept the invitation to begin: {{.Link}}

The link works once and until {{.Deadline}}. If you were not expecting this email, you can ignore it.`,
	},
	"invitation_reminder": {
		subject: "Reminder: accept your move to {{.ReceivingTrust}}",
		body: `Dear {{.StaffName}},

Your move from {{.SendingTrust}} to {{.ReceivingTrust}} is waiting for you to accept the invitation.

Accept it here: {{.Link}}

The link works once and until {{.Deadline}}.`,
	},
	"identity": {
		subject: "Confirm your identity for your move to {{.ReceivingTrust}}",
		body: `Dear {{.StaffName}},

Before your credentials can be shared, we need to confirm who you are, to the NHS Employers identity check standard.

Choose how to confirm your identity: {{.Link}}

The link works once and until {{.Deadline}}.`,
	},
	"consent": {
		subject: "Choose what to share with {{.ReceivingTrust}}",
		body: `Dear {{.StaffName}},

{{.ReceivingTrust}} has asked to see some of the checks and training on your Staff Passport. You choose what to share, and you can withdraw your consent later.

See what was asked for and choose: {{.Link}}

The link works once and until {{.Deadline}}.`,
	},
	"staff_reminder": {
		subject: "Reminder: your move to {{.ReceivingTrust}} is waiting for you",
		body: `Dear {{.StaffName}},

Your move to {{.ReceivingTrust}} is waiting for you ({{.Stage}}).

Continue here: {{.Link}}

The link works once and until {{.Deadline}}.`,
	},
	"records_requested": {
		subject: "Records needed: {{.StaffName}}'s move to {{.ReceivingTrust}}",
		body: `{{.ReceivingTrust}} has asked for checks that the Staff Passport of {{.StaffName}} does not hold: {{.Items}}.

Please record each one you hold, or tell us you hold no record of it, and {{.ReceivingTrust}} will check it itself: {{.Link}}

The move waits for your answer until {{.Deadline}}.`,
	},
	"records_reminder": {
		subject: "Reminder: records needed for {{.StaffName}}'s move to {{.ReceivingTrust}}",
		body: `The move of {{.StaffName}} to {{.ReceivingTrust}} is waiting for you to record what their Staff Passport is missing: {{.Items}}.

Record each one, or tell us you hold no record of it: {{.Link}}

The move expires on {{.Deadline}} without an answer.`,
	},
	"credentials_due_holder": {
		subject: "Checks on your Staff Passport run out soon",
		body: `Dear {{.StaffName}},

{{if eq .Count 1}}This check on your Staff Passport runs out soon{{else}}These checks and training on your Staff Passport run out soon{{end}}: {{.Items}}.

Ask your trust how to renew {{if eq .Count 1}}it{{else}}them{{end}}: once the trust records the renewal, your passport is current again and your next move carries it.`,
	},
	"credentials_due_trust": {
		subject: "{{.Count}} credential{{if ne .Count 1}}s{{end}} recorded by {{.TrustName}} run{{if eq .Count 1}}s{{end}} out soon",
		body: `{{if eq .Count 1}}This credential{{else}}These credentials{{end}} recorded by {{.TrustName}} run{{if eq .Count 1}}s{{end}} out within 30 days: {{.Items}}.

Record each renewed check or training on the member of staff's passport, or import them from your systems: {{.Link}}`,
	},
	"credential_revoked": {
		subject: "Revoked: a credential {{.StaffName}} shared with {{.ReceivingTrust}}",
		body: `{{.TrustName}} has revoked the {{.Items}} of {{.StaffName}}, which was shared with {{.ReceivingTrust}}: {{.Reason}}.

It no longer passes verification. Check it again yourselves if you still rely on it: {{.Link}}`,
	},
	"credential_expired": {
		subject: "Expired: a credential {{.StaffName}} shared with {{.ReceivingTrust}}",
		body: `The {{.Items}} of {{.StaffName}}, recorded by {{.TrustName}} and shared with {{.ReceivingTrust}}, expired on {{.Deadline}}.

It no longer passes verification. Check it again yourselves, and record the result on their passport, if you still rely on it: {{.Link}}`,
	},
	"shares_received": {
		subject: "Credentials received for {{.StaffName}}",
		body: `{{.StaffName}} has shared {{.Count}} {{if eq .Count 1}}credential{{else}}credentials{{end}} from their Staff Passport for their move from {{.SendingTrust}}{{with .Items}}: {{.}}{{end}}.

Each one has been checked: signature, issuer, expiry and revocation. See what each one says, then accept or reject it: {{.Link}}{{if .Missing}}

Asked for but not shared, so check {{if eq (len .Missing) 1}}this{{else}}these{{end}} yourselves:{{range .Missing}}

{{.}}{{end}}{{end}}`,
	},
	"acceptance_reminder": {
		subject: "Reminder: credentials for {{.StaffName}} are waiting for your decision",
		body: `Credentials shared by {{.StaffName}} for their move from {{.SendingTrust}} are waiting for you to accept or reject them.

Decide here: {{.Link}}`,
	},
	"escalation": {
		subject: "A move is stuck: {{.StaffName}} to {{.ReceivingTrust}}",
		body: `The move of {{.StaffName}} from {{.SendingTrust}} to {{.ReceivingTrust}} has had no answer at the {{.Stage}} stage despite reminders.

It will expire on {{.Deadline}} unless it moves on. See it here: {{.Link}}`,
	},
	"step_failed": {
		subject: "A step failed in the move of {{.StaffName}}",
		body: `We could not complete the {{.Stage}} step of the move of {{.StaffName}} from {{.SendingTrust}} to {{.ReceivingTrust}}{{with .Reason}}: {{.}}{{end}}.

We have stopped trying, and the move waits. Once the cause is put right, a trust administrator or an operator can retry the step from the move's page, where the full cause is shown: {{.Link}}`,
	},
	"completed": {
		subject: "Move completed: {{.StaffName}} to {{.ReceivingTrust}}",
		body: `The move of {{.StaffName}} from {{.SendingTrust}} to {{.ReceivingTrust}} is complete. {{.ReceivingTrust}} has made its decisions on the credentials shared.

See the details: {{.Link}}`,
	},
	"closed": {
		subject: "Temporary move ended: {{.StaffName}} at {{.ReceivingTrust}}",
		body:    `The temporary move of {{.StaffName}} to {{.ReceivingTrust}} has ended. {{.ReceivingTrust}} no longer has access to the credentials that were shared.`,
	},
	"cancelled": {
		subject: "Move cancelled: {{.StaffName}} to {{.ReceivingTrust}}",
		body: `The move of {{.StaffName}} from {{.SendingTrust}} to {{.ReceivingTrust}} was cancelled{{with .Reason}}: {{.}}{{end}}.

Anything that was shared can no longer be seen by {{.ReceivingTrust}}.`,
	},
	"declined": {
		subject: "Move declined: {{.StaffName}} to {{.ReceivingTrust}}",
		body: `{{.StaffName}} declined the move from {{.SendingTrust}} to {{.ReceivingTrust}}{{with .Reason}}: {{.}}{{end}}.

Nothing from their passport was shared.`,
	},
	"expired": {
		subject: "Move expired: {{.StaffName}} to {{.ReceivingTrust}}",
		body: `The move of {{.StaffName}} from {{.SendingTrust}} to {{.ReceivingTrust}} expired on {{.Deadline}} without an answer at the {{.Stage}} stage.

Start a new move if it is still needed.`,
	},
	"paused": {
		subject: "On hold: the move of {{.StaffName}} to {{.ReceivingTrust}}",
		body: `The move of {{.StaffName}} from {{.SendingTrust}} to {{.ReceivingTrust}} is on hold{{with .Reason}}: {{.}}{{end}}.

Nothing more happens until it is resumed: no reminders are sent, nothing new is shared, and the time on hold does not count towards its deadline. We will email again when it carries on.

See the details: {{.Link}}`,
	},
	"resumed": {
		subject: "Carrying on: the move of {{.StaffName}} to {{.ReceivingTrust}}",
		body: `The move of {{.StaffName}} from {{.SendingTrust}} to {{.ReceivingTrust}} is no longer on hold and carries on from the {{.Stage}} step. Its deadline has moved on by the time it was held.

See the details: {{.Link}}`,
	},
	"enquiry_received": {
		subject: "We have your question",
		body: `Thank you for your question to Staff Passport. We will reply to this address within 2 working days.

If you did not send us a question, you can ignore this email.`,
	},
	"sign_in": {
		subject: "Your link to sign in to Staff Passport",
		body: `Dear {{.RecipientName}},

Use this link to sign in to Staff Passport{{with .TrustName}} for {{.}}{{end}}: {{.Link}}

The link works once, for 15 minutes. If you did not ask to sign in, you can ignore this email: no one can sign in without the link.`,
	},
	"user_invited": {
		subject: "You have been invited to Staff Passport{{with .TrustName}} for {{.}}{{end}}",
		body: `Dear {{.RecipientName}},

You have been added to Staff Passport{{with .TrustName}} for {{.}}{{end}} as {{.Role}}. Staff Passport lets staff move between NHS trusts without repeating their pre-employment checks and training.

Sign in with this link: {{.Link}}

The link works once, for 7 days. After that, ask for a new link on the sign-in page.`,
	},
	// What each trust is told when a move ends, in words for its side:
	// what happened and what, if anything, is asked of it now.
	"completed_sending": {
		subject: "Move completed: {{.StaffName}} to {{.ReceivingTrust}}",
		body: `The move of {{.StaffName}} to {{.ReceivingTrust}} is complete: {{.ReceivingTrust}} has made its decisions on what was shared. Nothing more is asked of you.

See the details: {{.Link}}`,
	},
	"completed_receiving": {
		subject: "Move completed: {{.StaffName}} from {{.SendingTrust}}",
		body: `The move of {{.StaffName}} from {{.SendingTrust}} is complete: you have decided on every credential shared.

Check yourselves anything you rejected or did not receive, and record the result on their passport so that their next move carries it: {{.Link}}`,
	},
	"cancelled_receiving": {
		subject: "Move cancelled: {{.StaffName}} from {{.SendingTrust}}",
		body: `The move of {{.StaffName}} from {{.SendingTrust}} to you was cancelled{{with .Reason}}: {{.}}{{end}}.

You can no longer see anything that was shared. If they still join you, do your own pre-employment checks.

See the details: {{.Link}}`,
	},
	"consent_withdrawn_receiving": {
		subject: "Consent withdrawn: {{.StaffName}}",
		body:    `{{.StaffName}} has withdrawn their consent: you can no longer see the credentials shared in their move from {{.SendingTrust}}. Check again yourselves anything you still rely on.`,
	},
	"expired_sending": {
		subject: "Move expired: {{.StaffName}} to {{.ReceivingTrust}}",
		body: `The move of {{.StaffName}} to {{.ReceivingTrust}} expired on {{.Deadline}} without an answer at the {{.Stage}} stage.

If they are still moving, start it again: {{.Link}}`,
	},
	// What the member of staff is told when their move ends or waits:
	// in the second person, with what happens next and their passport's
	// link.
	"completed_staff": {
		subject: "Your move to {{.ReceivingTrust}} is complete",
		body: `Dear {{.StaffName}},

Your move from {{.SendingTrust}} to {{.ReceivingTrust}} is complete: {{.ReceivingTrust}} has made its decisions on what you shared, and will contact you if it needs anything else from you.

Your credentials stay on your Staff Passport for your next move. See your passport and what {{.ReceivingTrust}} can see: {{.Link}}

You can withdraw your consent there at any time.`,
	},
	"closed_staff": {
		subject: "Your temporary move to {{.ReceivingTrust}} has ended",
		body: `Dear {{.StaffName}},

Your temporary move to {{.ReceivingTrust}} has ended, and {{.ReceivingTrust}} can no longer see what you shared. Nothing else needs doing.

See your passport: {{.Link}}`,
	},
	"cancelled_staff": {
		subject: "Your move to {{.ReceivingTrust}} was cancelled",
		body: `Dear {{.StaffName}},

Your move from {{.SendingTrust}} to {{.ReceivingTrust}} was cancelled{{with .Reason}}: {{.}}{{end}}.

{{.ReceivingTrust}} can no longer see anything you shared. If you think this is a mistake, contact {{.SendingTrust}}.

See your passport: {{.Link}}`,
	},
	"declined_staff": {
		subject: "You stopped your move to {{.ReceivingTrust}}",
		body: `Dear {{.StaffName}},

You chose to share nothing, so your move from {{.SendingTrust}} to {{.ReceivingTrust}} has stopped. {{.ReceivingTrust}} will do its own checks if the move still goes ahead.

See your passport: {{.Link}}`,
	},
	"expired_staff": {
		subject: "Your move to {{.ReceivingTrust}} has expired",
		body: `Dear {{.StaffName}},

Your move from {{.SendingTrust}} to {{.ReceivingTrust}} expired on {{.Deadline}} before it was finished. If you are still moving, {{.SendingTrust}} can start it again.

See your passport: {{.Link}}`,
	},
	"consent_withdrawn_staff": {
		subject: "You withdrew your consent for {{.ReceivingTrust}}",
		body: `Dear {{.StaffName}},

You withdrew your consent: {{.ReceivingTrust}} can no longer see what you shared in your move from {{.SendingTrust}}. Both trusts have been told.

See your passport: {{.Link}}`,
	},
	"paused_staff": {
		subject: "Your move to {{.ReceivingTrust}} is on hold",
		body: `Dear {{.StaffName}},

Your move from {{.SendingTrust}} to {{.ReceivingTrust}} is on hold{{with .Reason}}: {{.}}{{end}}. You do not need to do anything: the time on hold does not count towards its deadline, and we will email you when it carries on.`,
	},
	"resumed_staff": {
		subject: "Your move to {{.ReceivingTrust}} carries on",
		body: `Dear {{.StaffName}},

Your move from {{.SendingTrust}} to {{.ReceivingTrust}} is no longer on hold and carries on from the {{.Stage}} step. We will email you when there is something for you to do.`,
	},
	"consent_withdrawn": {
		subject: "Consent withdrawn: {{.StaffName}} and {{.ReceivingTrust}}",
		body:    `{{.StaffName}} has withdrawn their consent. {{.ReceivingTrust}} can no longer see the credentials shared in their move from {{.SendingTrust}}.`,
	},
}

// Names lists every template.
func Names() []string {
	out := make([]string, 0, len(templates))
	for name := range templates {
		out = append(out, name)
	}
	return out
}

// Render fills the named template.
func Render(name string, d Data) (Email, error) {
	t, ok := templates[name]
	if !ok {
		return Email{}, fmt.Errorf("emails: no template %q", name)
	}
	subject, err := fill(t.subject, d)
	if err != nil {
		return Email{}, err
	}
	text, err := fill(t.body, d)
	if err != nil {
		return Email{}, err
	}
	text += "\n\nHelp and answers to common questions: " + strings.TrimRight(d.PublicURL, "/") + HelpPath(baseName(name), d.ForTrust)
	return Email{Subject: subject, Text: text + "\n\nStaff Passport - NHS\n", HTML: toHTML(text, d.PublicURL)}, nil
}

func fill(src string, d Data) (string, error) {
	t, err := textTemplate.New("").Option("missingkey=error").Parse(src)
	if err != nil {
		return "", err
	}
	var b bytes.Buffer
	if err := t.Execute(&b, d); err != nil {
		return "", err
	}
	return b.String(), nil
}

var page = template.Must(template.New("email").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Staff Passport</title></head>
<body style="font-family:Arial,sans-serif;font-size:19px;line-height:1.5;color:#212b32;max-width:640px;margin:0 auto;padding:16px">
<p style="background:#005eb8;color:#fff;padding:12px 16px;margin:0 0 24px;font-weight:bold">Staff Passport</p>
{{range .}}{{with .Button}}<p style="margin:24px 0"><a href="{{.Href}}" style="display:inline-block;background:#007f3b;color:#ffffff;font-weight:bold;padding:12px 16px;text-decoration:none;border-radius:4px;border-bottom:4px solid #00401e">{{.Text}}</a></p>
{{else}}<p>{{range .Runs}}{{if .Link}}<a href="{{.Text}}" style="color:#005eb8">{{.Text}}</a>{{else}}{{.Text}}{{end}}{{end}}</p>
{{end}}{{end}}</body></html>`))

type run struct {
	Text string
	Link bool
}

// para is one paragraph of an email's HTML: text with the service's own
// links, or a call to action drawn as a button.
type para struct {
	Runs   []run
	Button *button
}

// button is a call to action: a paragraph "Do this: <our link>" becomes
// a button saying "Do this" (the plain text keeps the link).
type button struct{ Text, Href string }

// toHTML turns the text's paragraphs into an accessible HTML page, with
// the service's own links (under publicURL) made clickable and everything
// else escaped: text that came from someone else never becomes a link.
func toHTML(text, publicURL string) string {
	own := strings.TrimRight(publicURL, "/") + "/"
	ours := func(w string) bool {
		return publicURL != "" && (strings.HasPrefix(w, own) || w == strings.TrimSuffix(own, "/"))
	}
	var paras []para
	for _, p := range strings.Split(text, "\n\n") {
		words := strings.Fields(p)
		if n := len(words); n > 1 && ours(words[n-1]) && strings.HasSuffix(words[n-2], ":") && !strings.HasPrefix(p, "Help and answers") {
			label := strings.TrimSuffix(strings.Join(words[:n-1], " "), ":")
			paras = append(paras, para{Button: &button{Text: label, Href: words[n-1]}})
			continue
		}
		var runs []run
		for i, w := range words {
			sep := ""
			if i > 0 {
				sep = " "
			}
			if ours(w) {
				runs = append(runs, run{Text: sep}, run{Text: w, Link: true})
				continue
			}
			runs = append(runs, run{Text: sep + w})
		}
		paras = append(paras, para{Runs: runs})
	}
	var b bytes.Buffer
	_ = page.Execute(&b, paras)
	return b.String()
}
