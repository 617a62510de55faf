package web

import (
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/nhs-staff-passport/passport/internal/moves"
	"github.com/nhs-staff-passport/passport/models"
)

// A move's story as people read it: a sentence for each thing that
// happened, who did it, grouped by step in the order they happened. The
// raw events stay in GET /api/v1/moves/{id}/events.

// storyStep is one step of a move and what happened in it.
type storyStep struct {
	Title, State string
	Lines        []storyLine
}

// storyLine is one thing that happened.
type storyLine struct {
	At   time.Time
	Text string
}

// emailWords says what each of a move's emails is.
var emailWords = map[string]string{
	"invitation": "Invitation", "identity": "Request to confirm their identity", "consent": "Request to choose what to share",
	"records_requested": "Request for records", "shares_received": "Credentials received", "reminder": "Reminder",
	"escalation": "Notice that the move is stuck", "step_failed": "Notice of a failed step", "paused": "Notice that the move is on hold",
	"resumed": "Notice that the move carries on", "completed": "Notice that the move is complete", "closed": "Notice that the move has closed",
	"cancelled": "Notice of the cancellation", "declined": "Notice that nothing was shared", "expired": "Notice that the move expired",
	"consent_withdrawn": "Notice that consent was withdrawn",
}

// story tells the move's events, emails and steps as sentences.
func (p *portal) story(c *gin.Context, mv models.Move, d moveData) ([]storyStep, error) {
	ctx := c.Request.Context()
	events, err := p.store.AuditEvents(ctx, "move", mv.ID)
	if err != nil {
		return nil, err
	}
	notes, err := p.store.Notifications(ctx, mv.ID)
	if err != nil {
		return nil, err
	}
	names := map[string]string{mv.SendingODS: d.Sending, mv.ReceivingODS: d.Receiving}
	people := map[string]string{}
	who := func(e models.AuditEvent) string {
		trust := names[e.ActorTrust]
		if trust == "" && e.ActorTrust != "" {
			trust = p.trustName(c, e.ActorTrust)
		}
		switch e.ActorKind {
		case models.ActorStaff:
			return d.Staff
		case models.ActorUser:
			if _, ok := people[e.ActorID]; !ok {
				people[e.ActorID] = ""
				if u, err := p.store.User(ctx, e.ActorID); err == nil {
					people[e.ActorID] = u.Name
				}
			}
			switch {
			case e.ActorRole == models.RoleOperator:
				return "An operator"
			case people[e.ActorID] != "":
				return people[e.ActorID] + " (" + trust + ")"
			}
			return trust
		case models.ActorAPIKey:
			if trust == "" {
				return "An operator's system"
			}
			return trust + "'s system"
		}
		return "Staff Passport"
	}
	shareTitle := func(id string) string {
		for _, s := range d.Move.Shares {
			if s.ID == id {
				return lowerFirst(s.CredentialType.Title())
			}
		}
		return "credential"
	}
	var lines []storyLine
	for _, e := range events {
		var det map[string]any
		_ = json.Unmarshal([]byte(e.Details), &det)
		str := func(k string) string { s, _ := det[k].(string); return strings.TrimSpace(s) }
		var text string
		switch e.Action {
		case "move.started":
			text = who(e) + " started the move"
		case "invitation.accepted":
			text = d.Staff + " accepted the invitation"
		case "identity.verified":
			text = d.Staff + " confirmed their identity"
			if s := str("provider"); s != "" {
				text += " (" + s + ")"
			}
		case "identity.provider_result":
			text = "The identity service could not confirm " + d.Staff + "'s identity"
			if v, _ := det["verified"].(bool); v {
				text = "The identity service confirmed " + d.Staff + "'s identity"
			}
		case "identity.recorded":
			text = who(e) + " recorded an in-person identity check"
		case "records.no_record":
			text = who(e) + " holds no record of the " + lowerFirst(models.CredentialType(str("credential_type")).Title())
		case "consent.given":
			var types []string
			if raw, ok := det["credential_types"].([]any); ok {
				for _, t := range raw {
					s, _ := t.(string)
					types = append(types, lowerFirst(models.CredentialType(s).Title()))
				}
			}
			text = d.Staff + " chose to share the " + models.ListWords(types)
		case "share.decided":
			text = who(e) + " " + str("decision") + " the " + shareTitle(str("share_id"))
			if r := str("reason"); r != "" && str("decision") == string(models.DecisionRejected) {
				text += ": " + r
			}
		case "deadline.extended":
			text = who(e) + " extended the deadline"
			if t, err := time.Parse(time.RFC3339, str("deadline")); err == nil {
				text += " to " + t.In(ukTime).Format(longDate)
			}
		case "move.cancelled":
			text = who(e) + " cancelled the move"
			if r := str("reason"); r != "" {
				text += ": " + r
			}
		case "step.retried":
			text = who(e) + " retried the " + lowerFirst(stageNames[str("step")]) + " step"
		case "consent.withdrawn":
			if _, counted := det["shares_revoked"]; counted {
				continue // the same withdrawal, as the link recorded it
			}
			text = d.Staff + " withdrew their consent: " + d.Receiving + " no longer sees what was shared"
		case "move.declined":
			text = d.Staff + " chose to share nothing, which stopped the move"
		case "move.paused":
			text = "An operator held the move"
			if r := str("reason"); r != "" {
				text += ": " + r
			}
		case "move.resumed":
			text = "An operator released the move"
		default:
			text = who(e) + ": " + strings.ReplaceAll(strings.ReplaceAll(e.Action, ".", " "), "_", " ")
		}
		lines = append(lines, storyLine{At: e.At, Text: text})
	}
	for _, n := range notes {
		what := emailWords[n.Template]
		if what == "" {
			what = capitalise(strings.ReplaceAll(n.Template, "_", " "))
		}
		to := map[string]string{"staff": d.Staff, "sending_trust": d.Sending, "receiving_trust": d.Receiving, "operator": "the operators"}[n.Recipient]
		if to == "" {
			to = strings.ReplaceAll(n.Recipient, "_", " ")
		}
		text := what + " emailed to " + to
		switch {
		case n.Status == models.NotificationFailed:
			text = what + " to " + to + " could not be delivered; an operator can send it again"
		case n.Status != models.NotificationSent && n.FailingSince != nil:
			text = what + " to " + to + " is not delivered yet; we keep trying"
		case n.Status != models.NotificationSent:
			text = what + " to " + to + " is on its way"
		}
		lines = append(lines, storyLine{At: n.CreatedAt, Text: text})
	}
	steps := moves.Progress(mv).Steps
	for _, s := range steps {
		if s.State == models.StateFailed && s.FinishedAt != nil {
			line := "The " + lowerFirst(stageNames[s.Name]) + " step failed"
			if s.Error != "" {
				line += ": " + s.Error
			}
			lines = append(lines, storyLine{At: *s.FinishedAt, Text: line})
		}
	}
	slices.SortStableFunc(lines, func(a, b storyLine) int { return a.At.Compare(b.At) })
	// Each line goes to the step that had started by then.
	var out []storyStep
	for _, s := range steps {
		if s.StartedAt == nil {
			continue
		}
		out = append(out, storyStep{Title: stageNames[s.Name], State: s.State})
	}
	if len(out) == 0 {
		return []storyStep{{Title: stageNames[models.StepInvite], Lines: lines}}, nil
	}
	started := slices.DeleteFunc(slices.Clone(steps), func(s models.Step) bool { return s.StartedAt == nil })
	for _, l := range lines {
		i := 0
		for j, s := range started {
			if !s.StartedAt.After(l.At) {
				i = j
			}
		}
		out[i].Lines = append(out[i].Lines, l)
	}
	return out, nil
}
