package hmacsig

import (
	"errors"
	"testing"
	"time"
)

func TestSignAndCheck(t *testing.T) {
	secret, body := []byte("whsec_test"), []byte(`{"type":"move.completed"}`)
	now := time.Unix(1_790_000_000, 0)
	h := Sign(secret, body, now)
	if err := Check(secret, h, body, now.Add(time.Minute), 5*time.Minute); err != nil {
		t.Fatalf("a fresh, intact delivery: %v", err)
	}
	for name, tc := range map[string]struct {
		secret []byte
		header string
		body   []byte
		at     time.Time
	}{
		"altered body":    {secret, h, []byte(`{"type":"move.cancelled"}`), now},
		"other secret":    {[]byte("other"), h, body, now},
		"too old":         {secret, h, body, now.Add(6 * time.Minute)},
		"from the future": {secret, h, body, now.Add(-6 * time.Minute)},
		"no signature":    {secret, "t=1790000000", body, now},
		"garbage":         {secret, "hello", body, now},
	} {
		if err := Check(tc.secret, tc.header, tc.body, tc.at, 5*time.Minute); !errors.Is(err, ErrBad) {
			t.Errorf("%s: %v, want ErrBad", name, err)
		}
	}
}
