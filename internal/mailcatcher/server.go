package mailcatcher

import (
	"errors"
	"io"
	"log/slog"
	"net"
	"time"

	"github.com/emersion/go-smtp"
)

// maxMessageBytes bounds one message; ours are a few kilobytes.
const maxMessageBytes = 10 << 20

// Server is a running SMTP catcher.
type Server struct {
	srv *smtp.Server
	ln  net.Listener
}

// Start listens on addr ("127.0.0.1:0" picks a free port) and puts every
// message it accepts into box. It accepts any sender and recipient and asks
// for no authentication.
func Start(addr string, box *Mailbox, log *slog.Logger) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) {
		return &session{box: box, log: log}, nil
	}))
	srv.Domain = "localhost"
	srv.MaxMessageBytes = maxMessageBytes
	srv.MaxRecipients = 100
	srv.ReadTimeout = 30 * time.Second
	srv.WriteTimeout = 30 * time.Second
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, smtp.ErrServerClosed) {
			log.Error("mail catcher stopped", "err", err)
		}
	}()
	return &Server{srv: srv, ln: ln}, nil
}

// Addr is the host:port to send to.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Close stops accepting mail.
func (s *Server) Close() error {
	err := s.srv.Close()
	if errors.Is(err, smtp.ErrServerClosed) {
		return nil
	}
	return err
}

type session struct {
	box  *Mailbox
	log  *slog.Logger
	from string
	to   []string
}

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	s.from = from
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.to = append(s.to, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	m, err := parse(raw, time.Now())
	if err != nil {
		s.log.Warn("mail catcher: unreadable message", "err", err)
		return &smtp.SMTPError{Code: 554, Message: "message could not be parsed"}
	}
	for _, to := range s.to {
		m.To = to
		if err := s.box.Add(m); err != nil {
			return err
		}
	}
	return nil
}

func (s *session) Reset()        { s.from, s.to = "", nil }
func (s *session) Logout() error { return nil }
