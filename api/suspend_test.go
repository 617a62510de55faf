package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
)

// TestSuspendingNamesABadReasonAndChangesNothing: a reason too long for a
// move's hold or cancellation would leave the trust suspended with its
// moves silently untouched; it is refused first, naming the field.
func TestSuspendingNamesABadReasonAndChangesNothing(t *testing.T) {
	h := newHarness(t)
	for _, body := range []string{
		`{"reason":"` + strings.Repeat("x", 301) + `","in_flight":"pause"}`,
		`{"reason":"no","in_flight":"cancel"}`,
		`{"reason":"records audit","in_flight":"later"}`,
	} {
		rec := h.do("RJ1/operator", http.MethodPost, "/api/v1/trusts/RRK/suspend", body, nil)
		p := h.problem(rec)
		if rec.Code != http.StatusUnprocessableEntity || !(hasField(p, "reason") || hasField(p, "in_flight")) {
			t.Errorf("%.40s…: %d %+v", body, rec.Code, p)
		}
	}
	if tr, err := h.store.Trust(context.Background(), "RRK"); err != nil || tr.SuspendedAt != nil {
		t.Fatalf("a refused suspension suspended the trust: %+v %v", tr, err)
	}
	if rec := h.do("RRK/operator", http.MethodPost, "/api/v1/trusts/RRK/suspend", `{"reason":"records audit","in_flight":"continue"}`, nil); rec.Code != http.StatusOK {
		t.Fatalf("a good suspension: %d %s", rec.Code, rec.Body)
	}
}
