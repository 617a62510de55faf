package browsertest

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// fakeT records failures instead of failing, to check that the checker
// fails on what it must.
type fakeT struct {
	testing.TB
	errors []string
}

func (f *fakeT) Errorf(format string, args ...any) {
	f.errors = append(f.errors, format)
}

func TestCheckFindsViolationsAndForeignRequests(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		switch r.URL.Path {
		case "/good":
			_, _ = w.Write([]byte(`<!DOCTYPE html><html lang="en"><head><title>Good</title></head><body><main><h1>Good</h1><label for="a">Name</label><input id="a"></main></body></html>`))
		default: // an input with no label, and an image from elsewhere
			_, _ = w.Write([]byte(`<!DOCTYPE html><html lang="en"><head><title>Bad</title></head><body><main><h1>Bad</h1><input id="a"><img src="http://192.0.2.1/x.png" alt=""></main></body></html>`))
		}
	}))
	defer srv.Close()

	t.Setenv("PASSPORT_TEST_OUTPUT", t.TempDir()) // these pictures are not the product's
	b := New(t, srv.URL)
	tab := b.NewTab()
	tab.Open("/good")
	if shot := tab.Check("good"); !strings.HasSuffix(shot, "good.png") {
		t.Fatalf("screenshot at %s", shot)
	}

	f := &fakeT{TB: t}
	tab.b.t = f
	tab.Open("/bad")
	tab.Check("bad")
	tab.b.t = t
	if len(f.errors) == 0 {
		t.Fatal("axe found nothing wrong with an unlabelled input")
	}
	b.mu.Lock()
	foreign := len(b.foreign)
	b.mu.Unlock()
	if foreign == 0 {
		t.Fatal("a request to another host went unnoticed")
	}
	b.mu.Lock()
	b.foreign = nil // this test's own bad page is not a failure
	b.mu.Unlock()
}
