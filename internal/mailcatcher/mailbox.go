// Package mailcatcher is the development SMTP server: it accepts every
// message, keeps it in a mailbox (persisted as JSON lines in the data dir)
// and shows it on the /dev/mail pages. It is never started in production.
package mailcatcher

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"
)

// Message is one email as a recipient received it.
type Message struct {
	To      string    `json:"to"`
	From    string    `json:"from"`
	Subject string    `json:"subject"`
	Text    string    `json:"text"`
	HTML    string    `json:"html,omitempty"`
	Links   []string  `json:"links"`
	SentAt  time.Time `json:"sent_at"`
}

// Mailbox holds every message caught, oldest first. It is safe for
// concurrent use.
type Mailbox struct {
	mu   sync.Mutex
	msgs []Message
	file *os.File
}

// OpenMailbox loads the messages kept in path and appends new ones to it.
// An empty path keeps messages in memory only.
func OpenMailbox(path string) (*Mailbox, error) {
	b := &Mailbox{}
	if path == "" {
		return b, nil
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("mailcatcher: open mailbox: %w", err)
	}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 16*1024*1024)
	for sc.Scan() {
		var m Message
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			continue // a line cut short by a crash: skip it, keep the rest
		}
		b.msgs = append(b.msgs, m)
	}
	if err := sc.Err(); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("mailcatcher: read mailbox: %w", err)
	}
	b.file = f
	return b, nil
}

// Add stores m.
func (b *Mailbox) Add(m Message) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.file != nil {
		line, err := json.Marshal(m)
		if err != nil {
			return err
		}
		if _, err := b.file.Write(append(line, '\n')); err != nil {
			return fmt.Errorf("mailcatcher: write mailbox: %w", err)
		}
	}
	b.msgs = append(b.msgs, m)
	return nil
}

// Messages returns a copy of every message, oldest first.
func (b *Mailbox) Messages() []Message {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]Message(nil), b.msgs...)
}

// Close closes the mailbox file.
func (b *Mailbox) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.file == nil {
		return nil
	}
	err := b.file.Close()
	b.file = nil
	if errors.Is(err, os.ErrClosed) {
		return nil
	}
	return err
}
