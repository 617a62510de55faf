package models

import (
	"net/netip"
	"net/url"
	"strings"
	"time"
)

// Webhook event types.
const (
	EventMoveStarted      = "move.started"
	EventMoveStageChanged = "move.stage_changed"
	EventMoveWaitingOnYou = "move.waiting_on_you"
	EventMoveStepFailed   = "move.step_failed"
	EventMoveCompleted    = "move.completed"
	EventShareReceived    = "share.received"
	// A credential shared with the trust was revoked by its issuer, or
	// reached the end of its validity.
	EventCredentialRevoked = "credential.revoked"
	EventCredentialExpired = "credential.expired"
)

// WebhookEvents lists every event a trust can subscribe to.
func WebhookEvents() []string {
	return []string{EventMoveStarted, EventMoveStageChanged, EventMoveWaitingOnYou, EventMoveStepFailed, EventMoveCompleted, EventShareReceived,
		EventCredentialRevoked, EventCredentialExpired}
}

// WebhookEndpoint is where a trust's system hears of its moves. The secret
// signs every delivery; it is stored sealed and shown once.
type WebhookEndpoint struct {
	ID           string `gorm:"primaryKey;size:36"`
	TrustODS     string `gorm:"size:5;not null;index"`
	URL          string `gorm:"size:2000;not null"`
	Events       string `gorm:"size:500;not null"` // comma-separated
	SealedSecret []byte `gorm:"not null"`
	CreatedAt    time.Time
	DisabledAt   *time.Time
}

// Wants reports whether the endpoint subscribed to the event.
func (w WebhookEndpoint) Wants(event string) bool {
	for _, e := range strings.Split(w.Events, ",") {
		if e == event {
			return true
		}
	}
	return false
}

// ValidateWebhook checks an endpoint's URL and events: an https URL to a
// public host (dev: http, and this machine, allowed). A host name is
// judged again, by the addresses it resolves to, at every delivery.
func ValidateWebhook(rawURL string, events []string, dev bool) error {
	var v ValidationError
	u, err := url.Parse(rawURL)
	switch {
	case err != nil || u.Host == "" || len(rawURL) > 2000 || u.User != nil || !(u.Scheme == "https" || (u.Scheme == "http" && dev)):
		v.Add("url", "must be an https URL")
	case !dev && !publicHost(u.Hostname()):
		v.Add("url", "must reach a public address, not this service's own network")
	}
	if len(events) == 0 {
		v.Add("events", "subscribe to at least one event")
	}
	for _, e := range events {
		known := false
		for _, k := range WebhookEvents() {
			known = known || k == e
		}
		if !known {
			v.Add("events", "unknown event "+e+"; events are "+strings.Join(WebhookEvents(), ", "))
		}
	}
	return v.Err()
}

// publicHost reports whether a URL's host may be public: an address on the
// public internet, or a name that is not obviously local.
func publicHost(host string) bool {
	if addr, err := netip.ParseAddr(host); err == nil {
		return PublicAddress(addr)
	}
	h := strings.ToLower(strings.TrimSuffix(host, "."))
	return h != "" && h != "localhost" && !strings.HasSuffix(h, ".localhost") && !strings.HasSuffix(h, ".local") &&
		!strings.HasSuffix(h, ".internal") && strings.Contains(h, ".")
}
