package config

import (
	"fmt"
	"net"
	"net/url"
	"strconv"
)

// TLSMode is how the SMTP connection is secured.
type TLSMode string

// The TLS modes PASSPORT_SMTP_URL accepts.
const (
	TLSImplicit      TLSMode = "tls"           // smtps://, TLS from the first byte
	TLSStartTLS      TLSMode = "starttls"      // STARTTLS required
	TLSOpportunistic TLSMode = "opportunistic" // STARTTLS when offered
	TLSNone          TLSMode = "none"          // plain text: development relays only
)

// SMTP is a parsed PASSPORT_SMTP_URL.
type SMTP struct {
	Host               string
	Port               int
	Username, Password string
	TLS                TLSMode
}

// ParseSMTPURL parses smtp://[user:pass@]host[:port][?tls=mode] or
// smtps://[user:pass@]host[:port]. The port defaults to 587 (smtp) or 465
// (smtps) and the TLS mode to starttls (smtp) or tls (smtps).
func ParseSMTPURL(raw string) (SMTP, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return SMTP{}, fmt.Errorf("is not a URL")
	}
	var s SMTP
	switch u.Scheme {
	case "smtp":
		s.Port, s.TLS = 587, TLSStartTLS
	case "smtps":
		s.Port, s.TLS = 465, TLSImplicit
	default:
		return SMTP{}, fmt.Errorf("scheme must be smtp or smtps, not %q", u.Scheme)
	}
	s.Host = u.Hostname()
	if s.Host == "" {
		return SMTP{}, fmt.Errorf("has no host")
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return SMTP{}, fmt.Errorf("port %q is not valid", p)
		}
		s.Port = n
	}
	if u.User != nil {
		s.Username = u.User.Username()
		s.Password, _ = u.User.Password()
	}
	if mode := u.Query().Get("tls"); mode != "" {
		switch m := TLSMode(mode); m {
		case TLSStartTLS, TLSOpportunistic, TLSNone:
			if u.Scheme == "smtps" {
				return SMTP{}, fmt.Errorf("smtps:// always uses TLS; drop ?tls=%s", mode)
			}
			s.TLS = m
		case TLSImplicit:
			s.TLS = m
		default:
			return SMTP{}, fmt.Errorf("tls=%q is not tls, starttls, opportunistic or none", mode)
		}
	}
	return s, nil
}

// Addr is host:port.
func (s SMTP) Addr() string { return net.JoinHostPort(s.Host, strconv.Itoa(s.Port)) }
