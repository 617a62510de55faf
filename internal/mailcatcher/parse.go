package mailcatcher

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"regexp"
	"strings"
	"time"
)

// maxPartBytes bounds how much of one body part is read.
const maxPartBytes = 4 << 20

var linkRE = regexp.MustCompile(`https?://[^\s<>"')\]]+`)

// parse turns a raw RFC 5322 message into a Message without a recipient.
func parse(raw []byte, now time.Time) (Message, error) {
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return Message{}, fmt.Errorf("read message: %w", err)
	}
	dec := new(mime.WordDecoder)
	subject, err := dec.DecodeHeader(msg.Header.Get("Subject"))
	if err != nil {
		subject = msg.Header.Get("Subject")
	}
	from, _ := dec.DecodeHeader(msg.Header.Get("From"))
	m := Message{From: from, Subject: subject, SentAt: now.UTC()}
	if err := walk(msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), msg.Body, &m); err != nil {
		return Message{}, err
	}
	m.Links = linkRE.FindAllString(m.Text, -1)
	if m.Links == nil {
		m.Links = []string{}
	}
	return m, nil
}

// walk fills m's text and HTML from a (possibly multipart) body.
func walk(contentType, encoding string, body io.Reader, m *Message) error {
	if contentType == "" {
		contentType = "text/plain"
	}
	mediaType, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return fmt.Errorf("content type %q: %w", contentType, err)
	}
	if strings.HasPrefix(mediaType, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextRawPart()
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return fmt.Errorf("multipart: %w", err)
			}
			if err := walk(p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p, m); err != nil {
				return err
			}
		}
	}
	var r io.Reader = io.LimitReader(body, maxPartBytes)
	switch strings.ToLower(encoding) {
	case "quoted-printable":
		r = quotedprintable.NewReader(r)
	case "base64":
		r = base64.NewDecoder(base64.StdEncoding, r)
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return fmt.Errorf("decode %s part: %w", mediaType, err)
	}
	switch mediaType {
	case "text/plain":
		if m.Text == "" {
			m.Text = string(data)
		}
	case "text/html":
		if m.HTML == "" {
			m.HTML = string(data)
		}
	}
	return nil
}
