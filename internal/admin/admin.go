// Package admin holds what trust admins and operators change, for the JSON
// API and the portal alike: the trusts taking part (registration,
// suspension), each trust's move policy and checklists, its webhooks, and
// emails and webhooks sent again.
package admin

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/nhs-staff-passport/passport/internal/jobs"
	"github.com/nhs-staff-passport/passport/internal/moves"
	"github.com/nhs-staff-passport/passport/internal/store"
	"github.com/nhs-staff-passport/passport/models"
)

// Service does the changes; each is audited in the same transaction.
type Service struct {
	Store *store.Store
	// Moves, when set, holds or cancels a suspended trust's moves.
	Moves *moves.Service
	// Deliveries, when set, sends failed emails and webhooks again.
	Deliveries *jobs.Deliveries
	trusts     trustList
}

// PublicTrust is a trust taking part, as anyone may read it.
type PublicTrust struct {
	ODSCode         string    `json:"ods_code"`
	Name            string    `json:"name"`
	Region          string    `json:"region"`
	RegisteredSince time.Time `json:"registered_since"`
}

// trustList holds the public list for a short while: it changes only
// when an operator registers a trust, which clears it.
type trustList struct {
	mu   sync.Mutex
	list []PublicTrust
	at   time.Time
}

const trustListTTL = 30 * time.Second

// Trusts is the public list of trusts taking part, from a short-lived cache.
func (s *Service) Trusts(ctx context.Context) ([]PublicTrust, error) {
	s.trusts.mu.Lock()
	defer s.trusts.mu.Unlock()
	if s.trusts.list != nil && time.Since(s.trusts.at) <= trustListTTL {
		return s.trusts.list, nil
	}
	trusts, err := s.Store.RegisteredTrusts(ctx)
	if err != nil {
		return nil, err
	}
	list := make([]PublicTrust, 0, len(trusts))
	for _, t := range trusts {
		list = append(list, PublicTrust{ODSCode: t.ODSCode, Name: t.Name, Region: t.Region, RegisteredSince: t.RegisteredAt})
	}
	s.trusts.list, s.trusts.at = list, time.Now()
	return list, nil
}

func (t *trustList) clear() {
	t.mu.Lock()
	t.list = nil
	t.mu.Unlock()
}

// Registration is an operator's registration of a trust.
type Registration struct {
	ODSCode      string `json:"ods_code"`
	Name         string `json:"name"`
	Region       string `json:"region"`
	ContactEmail string `json:"contact_email"`
}

// Register registers a trust and records who did; a *models.ValidationError
// names a field at fault, models.ErrConflict a trust already registered.
func (s *Service) Register(ctx context.Context, a models.Actor, in Registration) (models.Trust, error) {
	t := models.Trust{ODSCode: strings.ToUpper(strings.TrimSpace(in.ODSCode)), Name: strings.TrimSpace(in.Name),
		Region: strings.TrimSpace(in.Region), ContactEmail: strings.ToLower(strings.TrimSpace(in.ContactEmail)), RegisteredAt: time.Now().UTC()}
	err := s.Store.Audited(ctx, a, "trust.registered", "trust", t.ODSCode, in,
		func(tx *store.Store) error { return tx.RegisterTrust(ctx, &t) })
	if err == nil {
		s.trusts.clear()
	}
	return t, err
}

// Suspension is an operator's suspension of a trust.
type Suspension struct {
	Reason string `json:"reason"`
	// InFlight says what happens to the trust's active moves: "continue"
	// (they run to their end), "pause" (held until the trust is
	// reinstated) or "cancel".
	InFlight string `json:"in_flight"`
}

// MaxSuspendReason keeps the reason, with the words that say which trust,
// within what a move takes as the reason for a hold or a cancellation (500).
const MaxSuspendReason = 300

// Suspend suspends a trust, records who did, and holds or cancels its
// active moves when asked; it returns how many it held or cancelled.
func (s *Service) Suspend(ctx context.Context, a models.Actor, ods string, in Suspension, now time.Time) (int, error) {
	var v models.ValidationError
	if r := strings.TrimSpace(in.Reason); len(r) < 5 || len(r) > MaxSuspendReason {
		v.Add("reason", "say why the trust is suspended, in 5 to 300 characters")
	}
	if in.InFlight != "continue" && in.InFlight != "pause" && in.InFlight != "cancel" {
		v.Add("in_flight", "must be continue, pause or cancel")
	}
	if err := v.Err(); err != nil {
		return 0, err
	}
	err := s.Store.Audited(ctx, a, "trust.suspended", "trust", ods, in,
		func(tx *store.Store) error { return tx.SetSuspended(ctx, ods, &now) })
	if err != nil {
		return 0, err
	}
	s.trusts.clear()
	reason := "the trust " + ods + " was suspended from the service: " + strings.TrimSpace(in.Reason)
	switch {
	case s.Moves == nil:
	case in.InFlight == "cancel":
		return s.Moves.CancelInFlight(ctx, a, ods, reason)
	case in.InFlight == "pause":
		return s.Moves.PauseInFlight(ctx, a, ods, reason)
	}
	return 0, nil
}

// Reinstate lifts a trust's suspension, records who did, and lets its
// held moves carry on; it returns how many.
func (s *Service) Reinstate(ctx context.Context, a models.Actor, ods string) (int, error) {
	err := s.Store.Audited(ctx, a, "trust.reinstated", "trust", ods, nil,
		func(tx *store.Store) error { return tx.SetSuspended(ctx, ods, nil) })
	if err != nil {
		return 0, err
	}
	s.trusts.clear()
	if s.Moves == nil {
		return 0, nil
	}
	return s.Moves.ResumeInFlight(ctx, a, ods)
}

// SaveChecklist sets a trust's checklist for a staff group and records who
// did.
func (s *Service) SaveChecklist(ctx context.Context, a models.Actor, ods string, g models.StaffGroup, types []models.CredentialType) (models.Checklist, error) {
	cl, err := models.NewChecklist(ods, g, types)
	if err != nil {
		return cl, err
	}
	return cl, s.Store.Audited(ctx, a, "checklist.changed", "trust", cl.TrustODS,
		map[string]any{"staff_group": cl.StaffGroup, "credential_types": cl.Types},
		func(tx *store.Store) error { return tx.SaveChecklist(ctx, &cl) })
}

// Policy is a trust's move policy in the units people set it in.
type Policy struct {
	ReminderIntervalHours int `json:"reminder_interval_hours"`
	MaxReminders          int `json:"max_reminders"`
	DeadlineDays          int `json:"deadline_days"`
	// AskForRecords: moves the trust sends ask it for what a passport
	// lacks (the records step). Left out of a change, it stays as it was.
	AskForRecords *bool `json:"ask_for_records,omitempty"`
	// AlsoTell are addresses told what the trust is told about its moves
	// (up to 5), besides its contact address and the person who started a
	// move. Left out of a change, they stay as they were.
	AlsoTell *[]string `json:"also_tell,omitempty"`
}

// AlsoTellLines is AlsoTell one address a line, for the settings form.
func (p Policy) AlsoTellLines() string {
	if p.AlsoTell == nil {
		return ""
	}
	return strings.Join(*p.AlsoTell, "\n")
}

// Asks says "yes" or "no" to asking for records, for the settings form.
func (p Policy) Asks() string {
	if p.AskForRecords != nil && !*p.AskForRecords {
		return "no"
	}
	return "yes"
}

// PolicyOf is the trust's move policy in those units.
func PolicyOf(t models.Trust) Policy {
	p := t.Policy
	ask := !t.SkipRecordRequests
	also := t.AlsoTellList()
	if also == nil {
		also = []string{}
	}
	return Policy{ReminderIntervalHours: int(p.ReminderInterval / time.Hour), MaxReminders: p.MaxReminders, DeadlineDays: int(p.Deadline / (24 * time.Hour)),
		AskForRecords: &ask, AlsoTell: &also}
}

// SavePolicy sets a trust's move policy and records who did; it returns
// the trust as saved.
func (s *Service) SavePolicy(ctx context.Context, a models.Actor, ods string, in Policy) (models.Trust, error) {
	t, err := s.Store.Trust(ctx, ods)
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
	if in.AlsoTell != nil {
		list, err := models.CheckAlsoTell(*in.AlsoTell)
		if err != nil {
			return t, err
		}
		t.AlsoTell = strings.Join(list, ",")
	}
	err = s.Store.Audited(ctx, a, "policy.changed", "trust", ods, in,
		func(tx *store.Store) error {
			if err := tx.SaveMovePolicy(ctx, ods, t.Policy, t.SkipRecordRequests); err != nil {
				return err
			}
			return tx.SaveAlsoTell(ctx, ods, t.AlsoTell)
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

// RemoveWebhook stops deliveries to one of the trust's endpoints.
func (s *Service) RemoveWebhook(ctx context.Context, a models.Actor, ods, id string) error {
	return s.Store.Audited(ctx, a, "webhook.removed", "trust", ods, map[string]string{"id": id},
		func(tx *store.Store) error { return tx.DisableWebhook(ctx, ods, id) })
}

// RetryWebhook re-runs a failed delivery to one of the trust's
// endpoints; another trust's delivery is not found.
func (s *Service) RetryWebhook(ctx context.Context, a models.Actor, ods, key string) error {
	own, err := s.FailedWebhooks(ctx, ods)
	if err != nil {
		return err
	}
	found := false
	for _, d := range own {
		found = found || d.Key == key
	}
	if !found {
		return fmt.Errorf("delivery %q: %w", key, models.ErrNotFound)
	}
	if err := s.Deliveries.Retry(key); err != nil {
		return err
	}
	return s.Store.Audit(ctx, a, "webhook.retried", "trust", ods, map[string]string{"key": key})
}

// FailedWebhooks lists the failed deliveries to the trust's endpoints.
func (s *Service) FailedWebhooks(ctx context.Context, ods string) ([]jobs.FailedDelivery, error) {
	all, err := s.Deliveries.Failed()
	if err != nil {
		return nil, err
	}
	out := []jobs.FailedDelivery{}
	for _, d := range all {
		ep := jobs.WebhookEndpointOf(d.Key)
		if ep == "" {
			continue
		}
		w, err := s.Store.Webhook(ctx, ep)
		if err == nil && w.TrustODS == ods {
			out = append(out, d)
		}
	}
	return out, nil
}

// RetryingDelivery is an email whose delivery keeps failing and is being
// tried again: what, since when, and the last error (addresses hidden).
type RetryingDelivery struct {
	Key          string    `json:"key"`
	MoveID       string    `json:"move_id"`
	Template     string    `json:"template"`
	Recipient    string    `json:"recipient"`
	FailingSince time.Time `json:"failing_since"`
	Error        string    `json:"error"`
}

// Retrying lists the emails whose delivery keeps failing, longest first.
func (s *Service) Retrying(ctx context.Context) ([]RetryingDelivery, error) {
	ns, err := s.Store.FailingNotifications(ctx, 200)
	out := make([]RetryingDelivery, 0, len(ns))
	for _, n := range ns {
		out = append(out, RetryingDelivery{Key: n.ID, MoveID: n.MoveID, Template: n.Template, Recipient: n.Recipient,
			FailingSince: *n.FailingSince, Error: n.Error})
	}
	return out, err
}

// RetryDelivery queues a failed delivery again and records who did.
func (s *Service) RetryDelivery(ctx context.Context, a models.Actor, key string) error {
	err := s.Deliveries.Retry(key)
	if errors.Is(err, jobs.ErrNoSuchDelivery) {
		err = fmt.Errorf("delivery %q: %w", key, models.ErrNotFound)
	}
	if err != nil {
		return err
	}
	if err := s.Store.SetNotificationStatus(ctx, key, "queued", ""); err != nil {
		return err
	}
	return s.Store.Audit(ctx, a, "delivery.retried", "delivery", key, nil)
}
