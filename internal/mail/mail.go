// Package mail sends email through an SMTP relay with go-mail.
package mail

import (
	"context"
	"errors"
	"fmt"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/nhs-staff-passport/passport/internal/config"
)

// ErrPermanent marks a failure that sending again will not fix (a refused
// recipient, a malformed address); delivery gives up on it at once.
var ErrPermanent = errors.New("mail: permanent failure")

// Email is one message to one recipient.
type Email struct {
	To      string
	Subject string
	Text    string
	HTML    string // optional
	// MessageID is stable across retries so that receivers can drop duplicates.
	MessageID string
}

// Sender delivers email through one relay.
type Sender struct {
	from string
	opts []gomail.Option
	host string
}

// NewSender builds a sender for the relay and sender address.
func NewSender(relay config.SMTP, from string) (*Sender, error) {
	opts := []gomail.Option{gomail.WithPort(relay.Port), gomail.WithTimeout(30 * time.Second)}
	switch relay.TLS {
	case config.TLSImplicit:
		opts = append(opts, gomail.WithSSL())
	case config.TLSStartTLS:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	case config.TLSOpportunistic:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
	case config.TLSNone:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	default:
		return nil, fmt.Errorf("mail: unknown TLS mode %q", relay.TLS)
	}
	if relay.Username != "" {
		opts = append(opts,
			gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(relay.Username),
			gomail.WithPassword(relay.Password))
	}
	// Check the options now rather than at the first email.
	if _, err := gomail.NewClient(relay.Host, opts...); err != nil {
		return nil, fmt.Errorf("mail: %w", err)
	}
	m := gomail.NewMsg()
	if err := m.From(from); err != nil {
		return nil, fmt.Errorf("mail: sender address %q: %w", from, err)
	}
	return &Sender{from: from, opts: opts, host: relay.Host}, nil
}

// Send delivers e. An error wrapping ErrPermanent means retrying is futile.
func (s *Sender) Send(ctx context.Context, e Email) error {
	m := gomail.NewMsg()
	if err := m.From(s.from); err != nil {
		return fmt.Errorf("%w: sender: %v", ErrPermanent, err)
	}
	if err := m.To(e.To); err != nil {
		return fmt.Errorf("%w: recipient: %v", ErrPermanent, err)
	}
	m.Subject(e.Subject)
	if e.MessageID != "" {
		m.SetMessageIDWithValue(e.MessageID)
	} else {
		m.SetMessageID()
	}
	m.SetDate()
	m.SetBodyString(gomail.TypeTextPlain, e.Text)
	if e.HTML != "" {
		m.AddAlternativeString(gomail.TypeTextHTML, e.HTML)
	}
	c, err := gomail.NewClient(s.host, s.opts...)
	if err != nil {
		return fmt.Errorf("mail: client: %w", err)
	}
	if err := c.DialAndSendWithContext(ctx, m); err != nil {
		var se *gomail.SendError
		if errors.As(err, &se) && !se.IsTemp() && se.Reason == gomail.ErrSMTPRcptTo {
			return fmt.Errorf("%w: %v", ErrPermanent, err)
		}
		return fmt.Errorf("mail: send: %w", err)
	}
	return nil
}
