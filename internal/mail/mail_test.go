package mail_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nhs-staff-passport/passport/internal/config"
	"github.com/nhs-staff-passport/passport/internal/mail"
	"github.com/nhs-staff-passport/passport/internal/mailcatcher"
)

func catcher(t *testing.T, path string) (*mailcatcher.Mailbox, config.SMTP) {
	t.Helper()
	box, err := mailcatcher.OpenMailbox(path)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := mailcatcher.Start("127.0.0.1:0", box, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close(); _ = box.Close() })
	relay, err := config.ParseSMTPURL("smtp://" + srv.Addr() + "?tls=none")
	if err != nil {
		t.Fatal(err)
	}
	return box, relay
}

func TestSendReachesTheCatcherWithLinks(t *testing.T) {
	path := filepath.Join(t.TempDir(), "mailbox.jsonl")
	box, relay := catcher(t, path)
	s, err := mail.NewSender(relay, "Staff Passport <no-reply@passport.localhost>")
	if err != nil {
		t.Fatal(err)
	}
	link := "http://localhost:8080/s/invite?token=abc.def-123"
	err = s.Send(context.Background(), mail.Email{
		To:      "jo.bloggs@example.nhs.uk",
		Subject: "Guy’s and St Thomas’ invite you to share your passport",
		Text:    "Hello Jo,\n\nOpen " + link + " to start.\nHelp: http://localhost:8080/help/moves\n",
		HTML:    `<p>Open <a href="` + link + `">your invitation</a>.</p>`,
	})
	if err != nil {
		t.Fatal(err)
	}
	msgs := box.Messages()
	if len(msgs) != 1 {
		t.Fatalf("want 1 message, got %d", len(msgs))
	}
	m := msgs[0]
	if m.To != "jo.bloggs@example.nhs.uk" || m.Subject != "Guy’s and St Thomas’ invite you to share your passport" {
		t.Errorf("to %q subject %q", m.To, m.Subject)
	}
	if !strings.Contains(m.Text, "Hello Jo,") || !strings.Contains(m.HTML, "your invitation") {
		t.Errorf("bodies not decoded: text %q html %q", m.Text, m.HTML)
	}
	if len(m.Links) != 2 || m.Links[0] != link {
		t.Errorf("links %q, want the invitation link first", m.Links)
	}
	if time.Since(m.SentAt) > time.Minute {
		t.Errorf("sent_at %v", m.SentAt)
	}

	// The mailbox survives a restart of development mode.
	_ = box.Close()
	again, err := mailcatcher.OpenMailbox(path)
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if got := again.Messages(); len(got) != 1 || got[0].Subject != m.Subject || got[0].Links[0] != link {
		t.Errorf("after reopening: %+v", got)
	}
}

func TestSendRefusesBadRecipientPermanently(t *testing.T) {
	_, relay := catcher(t, "")
	s, err := mail.NewSender(relay, "no-reply@passport.localhost")
	if err != nil {
		t.Fatal(err)
	}
	err = s.Send(context.Background(), mail.Email{To: "not an address", Subject: "x", Text: "y"})
	if !errors.Is(err, mail.ErrPermanent) {
		t.Errorf("got %v, want ErrPermanent", err)
	}
}

func TestSendToAMissingRelayIsTemporary(t *testing.T) {
	relay, _ := config.ParseSMTPURL("smtp://127.0.0.1:1?tls=none")
	s, err := mail.NewSender(relay, "no-reply@passport.localhost")
	if err != nil {
		t.Fatal(err)
	}
	err = s.Send(context.Background(), mail.Email{To: "a@example.org", Subject: "x", Text: "y"})
	if err == nil || errors.Is(err, mail.ErrPermanent) {
		t.Errorf("got %v, want a retryable error", err)
	}
}

func TestNewSenderChecksTheFromAddress(t *testing.T) {
	relay, _ := config.ParseSMTPURL("smtp://127.0.0.1:25?tls=none")
	if _, err := mail.NewSender(relay, "not an address"); err == nil {
		t.Error("want an error for a bad sender address")
	}
}
