// Package expiry keeps credentials current: it tells holders and the
// trusts that recorded them when their validity is running out (30, 14
// and 1 days before), and tells the trusts a credential was shared with
// when it expires or is revoked — each notice once.
package expiry

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/nhs-staff-passport/passport/internal/emails"
	"github.com/nhs-staff-passport/passport/internal/jobs"
	"github.com/nhs-staff-passport/passport/internal/store"
	"github.com/nhs-staff-passport/passport/models"
)

// EmailQueue queues an email; the same key queued twice sends one.
// *jobs.Enqueuer is one.
type EmailQueue interface {
	EnqueueEmail(ctx context.Context, key string, e jobs.Email) error
}

// Emitter queues webhook events to the trusts that subscribed;
// *webhooks.Service is one.
type Emitter interface {
	Emit(ctx context.Context, trusts []string, eventType, key string, data map[string]string, at time.Time) error
}

// Job is the daily sweep, and the notice a revocation sends at once.
type Job struct {
	Store *store.Store
	Email EmailQueue
	// Webhooks, if set, tells trusts' systems too.
	Webhooks  Emitter
	PublicURL string
	Now       func() time.Time
	Log       *slog.Logger
}

// Report says what one run did.
type Report struct {
	Due, Expired, Revoked int // credentials given a notice
	Emails                int // emails queued
}

// digestItems bounds the credentials a trust's email lists by name; the
// portal shows the rest.
const digestItems = 100

// window is how far back the sweep looks for credentials that expired or
// were revoked without their notice (a worker down for days, a revocation
// whose notice failed).
const window = 30 * 24 * time.Hour

func (j *Job) now() time.Time {
	if j.Now != nil {
		return j.Now().UTC()
	}
	return time.Now().UTC()
}

// Run finds what needs telling and tells it. Running it twice sends
// nothing twice: a notice is recorded once its emails are queued, and its
// emails' keys make a repeat after a crash a no-op.
func (j *Job) Run(ctx context.Context) (Report, error) {
	var r Report
	now := j.now()
	if err := j.due(ctx, now, &r); err != nil {
		return r, err
	}
	if err := j.expired(ctx, now, &r); err != nil {
		return r, err
	}
	revoked, err := j.Store.CredentialsRevokedSince(ctx, now.Add(-window))
	if err != nil {
		return r, err
	}
	if err := j.tellReceivers(ctx, revoked, models.NoticeRevoked, now, &r); err != nil {
		return r, err
	}
	if j.Log != nil {
		j.Log.Info("credential expiry run", "due", r.Due, "expired", r.Expired, "revoked", r.Revoked, "emails", r.Emails)
	}
	return r, nil
}

// Revoked tells the trusts a credential was shared with that it was
// revoked; the daily run tells any it missed.
func (j *Job) Revoked(ctx context.Context, credentialID string) error {
	c, err := j.Store.HeldCredentialByID(ctx, credentialID)
	if err != nil {
		return err
	}
	var r Report
	return j.tellReceivers(ctx, []store.HeldCredential{c}, models.NoticeRevoked, j.now(), &r)
}

// due reminds holders and issuers of credentials whose validity ends
// within 30 days: one email to each holder and one to each issuing trust,
// listing what crossed a threshold since the last notice.
func (j *Job) due(ctx context.Context, now time.Time, r *Report) error {
	ending, err := j.Store.CredentialsEnding(ctx, now, now.Add(30*24*time.Hour))
	if err != nil {
		return err
	}
	sent, err := j.Store.CredentialNotices(ctx, ids(ending))
	if err != nil {
		return err
	}
	order := []string{models.NoticeDue30, models.NoticeDue14, models.NoticeDue1}
	var tell []store.HeldCredential
	var notices []models.CredentialNotice
	for _, c := range ending {
		kind := models.DueNotice(*c.ValidUntil, now)
		// Told already at this threshold or a later one: nothing new.
		if slices.ContainsFunc(sent[c.ID], func(k string) bool { return slices.Index(order, k) >= slices.Index(order, kind) }) {
			continue
		}
		tell = append(tell, c)
		notices = append(notices, models.CredentialNotice{CredentialID: c.ID, Kind: kind, SentAt: now})
	}
	if len(tell) == 0 {
		return nil
	}
	trusts, err := j.trustNames(ctx, tell)
	if err != nil {
		return err
	}
	day := now.Format(time.DateOnly)
	byHolder := map[string][]store.HeldCredential{}
	byIssuer := map[string][]store.HeldCredential{}
	var holders, issuers []string
	for _, c := range tell {
		if _, ok := byHolder[c.PassportID]; !ok {
			holders = append(holders, c.PassportID)
		}
		byHolder[c.PassportID] = append(byHolder[c.PassportID], c)
		if _, ok := byIssuer[c.IssuerODS]; !ok {
			issuers = append(issuers, c.IssuerODS)
		}
		byIssuer[c.IssuerODS] = append(byIssuer[c.IssuerODS], c)
	}
	base := strings.TrimRight(j.PublicURL, "/")
	for _, h := range holders {
		cs := byHolder[h]
		var items []string
		for _, c := range cs {
			items = append(items, fmt.Sprintf("%s (recorded by %s) runs out on %s", c.Name(), trusts[c.IssuerODS].Name, c.ValidUntil.Format("2 January 2006")))
		}
		d := emails.Data{StaffName: cs[0].GivenName + " " + cs[0].FamilyName, Items: strings.Join(items, "; "), Count: len(cs), PublicURL: j.PublicURL}
		if err := j.send(ctx, "expiry/holder/"+h+"/"+day, "credentials_due_holder", cs[0].Email, d, r); err != nil {
			return err
		}
	}
	for _, ods := range issuers {
		t := trusts[ods]
		if t.ContactEmail == "" {
			continue
		}
		cs := byIssuer[ods]
		var items []string
		for _, c := range cs[:min(len(cs), digestItems)] {
			items = append(items, fmt.Sprintf("%s %s: %s, %s", c.GivenName, c.FamilyName, c.Name(), c.ValidUntil.Format("2 January 2006")))
		}
		if more := len(cs) - digestItems; more > 0 {
			items = append(items, fmt.Sprintf("and %d more, each shown as expiring on its passport's page", more))
		}
		d := emails.Data{TrustName: t.Name, Items: strings.Join(items, "; "), Count: len(cs), Link: base + "/portal/passports", PublicURL: j.PublicURL}
		if err := j.send(ctx, "expiry/trust/"+ods+"/"+day, "credentials_due_trust", t.ContactEmail, d, r); err != nil {
			return err
		}
	}
	r.Due += len(tell)
	return j.Store.SaveCredentialNotices(ctx, notices)
}

// expired tells the trusts credentials were shared with that they
// expired.
func (j *Job) expired(ctx context.Context, now time.Time, r *Report) error {
	ended, err := j.Store.CredentialsEnding(ctx, now.Add(-window), now)
	if err != nil {
		return err
	}
	return j.tellReceivers(ctx, ended, models.NoticeExpired, now, r)
}

// tellReceivers emails each trust a credential is shared with (and not
// withdrawn from) and sends its webhook event, once per credential and
// kind (expired or revoked).
func (j *Job) tellReceivers(ctx context.Context, cs []store.HeldCredential, kind string, now time.Time, r *Report) error {
	sent, err := j.Store.CredentialNotices(ctx, ids(cs))
	if err != nil {
		return err
	}
	var todo []store.HeldCredential
	for _, c := range cs {
		if !slices.Contains(sent[c.ID], kind) {
			todo = append(todo, c)
		}
	}
	if len(todo) == 0 {
		return nil
	}
	shares, err := j.Store.CredentialShares(ctx, ids(todo))
	if err != nil {
		return err
	}
	trusts, err := j.trustNames(ctx, todo)
	if err != nil {
		return err
	}
	template, event := "credential_expired", models.EventCredentialExpired
	if kind == models.NoticeRevoked {
		template, event = "credential_revoked", models.EventCredentialRevoked
	}
	base := strings.TrimRight(j.PublicURL, "/")
	var notices []models.CredentialNotice
	for _, c := range todo {
		for _, sh := range shares {
			if sh.CredentialID != c.ID || sh.RevokedAt != nil {
				continue
			}
			receiver, err := j.trust(ctx, trusts, sh.ReceiverODS)
			if err != nil {
				return err
			}
			key := fmt.Sprintf("credential.%s/%s/%s", kind, c.ID, sh.ReceiverODS)
			if j.Webhooks != nil {
				if err := j.Webhooks.Emit(ctx, []string{sh.ReceiverODS}, event, key,
					map[string]string{"credential_id": c.ID, "share_id": sh.ID, "move_id": sh.MoveID, "credential_type": string(c.Type)}, now); err != nil {
					return err
				}
			}
			if receiver.ContactEmail == "" {
				continue
			}
			d := emails.Data{StaffName: c.GivenName + " " + c.FamilyName, Items: c.Name(), TrustName: trusts[c.IssuerODS].Name,
				ReceivingTrust: receiver.Name, Reason: c.RevocationReason, Link: base + "/portal/moves/" + sh.MoveID, PublicURL: j.PublicURL}
			if c.ValidUntil != nil {
				d.Deadline = c.ValidUntil.Format("2 January 2006")
			}
			if err := j.send(ctx, key, template, receiver.ContactEmail, d, r); err != nil {
				return err
			}
		}
		notices = append(notices, models.CredentialNotice{CredentialID: c.ID, Kind: kind, SentAt: now})
	}
	if kind == models.NoticeRevoked {
		r.Revoked += len(notices)
	} else {
		r.Expired += len(notices)
	}
	return j.Store.SaveCredentialNotices(ctx, notices)
}

func (j *Job) send(ctx context.Context, key, template, to string, d emails.Data, r *Report) error {
	e, err := emails.Render(template, d)
	if err != nil {
		return err
	}
	if err := j.Email.EnqueueEmail(ctx, key, jobs.Email{To: to, Subject: e.Subject, Text: e.Text, HTML: e.HTML, Notice: true}); err != nil {
		return err
	}
	r.Emails++
	return nil
}

// trustNames loads the trusts that issued the credentials.
func (j *Job) trustNames(ctx context.Context, cs []store.HeldCredential) (map[string]models.Trust, error) {
	out := map[string]models.Trust{}
	for _, c := range cs {
		if _, err := j.trust(ctx, out, c.IssuerODS); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (j *Job) trust(ctx context.Context, cache map[string]models.Trust, ods string) (models.Trust, error) {
	if t, ok := cache[ods]; ok {
		return t, nil
	}
	t, err := j.Store.Trust(ctx, ods)
	if err != nil {
		return t, err
	}
	cache[ods] = t
	return t, nil
}

func ids(cs []store.HeldCredential) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.ID
	}
	return out
}
