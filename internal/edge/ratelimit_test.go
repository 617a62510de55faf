package edge

import (
	"testing"
	"time"
)

func TestPerClientLimit(t *testing.T) {
	p := NewPerClient(60, 3) // one a second, bursts of three
	now := time.Now()
	for i := range 3 {
		if !p.allow("203.0.113.7", now) {
			t.Fatalf("request %d of a burst refused", i+1)
		}
	}
	if p.allow("203.0.113.7", now) {
		t.Error("fourth request in the same instant allowed")
	}
	if !p.allow("198.51.100.2", now) {
		t.Error("another client must not share the limit")
	}
	if !p.allow("203.0.113.7", now.Add(1100*time.Millisecond)) {
		t.Error("a request a second later refused")
	}
}
