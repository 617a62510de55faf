// Package hmacsig signs and checks request bodies the way the service's
// webhooks and identity-provider callbacks do: a header
// "t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">", so that a
// receiver can refuse old or altered deliveries.
package hmacsig

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"time"
)

// ErrBad is returned for a signature that does not match or is too old.
var ErrBad = errors.New("hmacsig: bad or stale signature")

// Sign returns the header value for body signed at at.
func Sign(secret, body []byte, at time.Time) string {
	t := strconv.FormatInt(at.Unix(), 10)
	return "t=" + t + ",v1=" + mac(secret, t, body)
}

// Check verifies a header value against body, allowing window between the
// signing time and now either way.
func Check(secret []byte, header string, body []byte, now time.Time, window time.Duration) error {
	var t, sig string
	for _, part := range strings.Split(header, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "t":
			t = v
		case "v1":
			sig = v
		}
	}
	ts, err := strconv.ParseInt(t, 10, 64)
	if err != nil || sig == "" {
		return ErrBad
	}
	if d := now.Sub(time.Unix(ts, 0)); d > window || d < -window {
		return ErrBad
	}
	if !hmac.Equal([]byte(mac(secret, t, body)), []byte(sig)) {
		return ErrBad
	}
	return nil
}

func mac(secret []byte, t string, body []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(t + "."))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}
