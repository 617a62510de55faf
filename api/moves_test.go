package api_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/nhs-staff-passport/passport/internal/store"
	"github.com/nhs-staff-passport/passport/internal/testenv"
	"github.com/nhs-staff-passport/passport/models"
)

func TestStartMoveNamesEveryBadField(t *testing.T) {
	h := newHarness(t)
	soon := time.Now().AddDate(0, 1, 0).Format("2006-01-02")
	good := `{"staff":{"email":"a.b@nhs.net","given_name":"A","family_name":"B","staff_group":"temporary_mover"},
		"receiving_trust":"RRK","kind":"temporary_move","start_date":"` + soon + `","end_date":"2099-01-01"}`
	tests := []struct {
		name, from, to, field string
	}{
		{"email", `"a.b@nhs.net"`, `"not-an-email"`, "staff.email"},
		{"staff group", `"temporary_mover"`, `"visitor"`, "staff.staff_group"},
		{"unknown trust", `"RRK"`, `"ZZZ"`, "receiving_trust"},
		{"same trust", `"RRK"`, `"RJ1"`, "receiving_trust"},
		{"kind", `"temporary_move"`, `"holiday"`, "kind"},
		{"start date", `"start_date":"` + soon + `"`, `"start_date":"next week"`, "start_date"},
		{"temporary without end", `,"end_date":"2099-01-01"`, ``, "end_date"},
		{"end before start", `"2099-01-01"`, `"2001-01-01"`, "end_date"},
		{"unknown credential", `"end_date":"2099-01-01"`, `"end_date":"2099-01-01","requested_credentials":["blood_group"]`, "requested_credentials"},
		{"policy", `"end_date":"2099-01-01"`, `"end_date":"2099-01-01","policy":{"reminder_interval_hours":0,"max_reminders":2,"deadline_days":5}`, "policy.reminder_interval_hours"},
		{"another trust's move", `"receiving_trust":"RRK"`, `"sending_trust":"R0A","receiving_trust":"RRK"`, "sending_trust"},
		{"the same credential twice", `"end_date":"2099-01-01"`, `"end_date":"2099-01-01","requested_credentials":["identity","identity"]`, "requested_credentials"},
		{"bypass without reason", `"end_date":"2099-01-01"`, `"end_date":"2099-01-01","bypass":[{"credential_type":"dbs_check","reason":"no"}]`, "bypass[0].reason"},
		{"bypass of an unasked item", `"end_date":"2099-01-01"`, `"end_date":"2099-01-01","requested_credentials":["identity"],"bypass":[{"credential_type":"dbs_check","reason":"done by the host trust already"}]`, "bypass[0].credential_type"},
	}
	// A receiving trust may not start a move in the sending trust's name.
	if rec := h.do("R0A/hr", http.MethodPost, "/api/v1/moves", strings.Replace(good, `"receiving_trust":"RRK"`, `"sending_trust":"RJ1","receiving_trust":"R0A"`, 1), nil); rec.Code != http.StatusUnprocessableEntity ||
		!hasField(h.problem(rec), "sending_trust") {
		t.Errorf("R0A starting a move in RJ1's name: %d %s", rec.Code, rec.Body)
	}
	for _, tt := range tests {
		body := strings.Replace(good, tt.from, tt.to, 1)
		if body == good {
			t.Fatalf("%s: replacement did not apply", tt.name)
		}
		rec := h.do("RJ1/hr", http.MethodPost, "/api/v1/moves", body, nil)
		if rec.Code != http.StatusUnprocessableEntity {
			t.Errorf("%s: %d %s", tt.name, rec.Code, rec.Body)
			continue
		}
		if p := h.problem(rec); !hasField(p, tt.field) {
			t.Errorf("%s: %+v does not name %s", tt.name, p.Errors, tt.field)
		}
	}
	// Nothing was written by any of them.
	if _, created, err := h.store.FindOrCreatePassport(context.Background(), passportDetails("a.b@nhs.net")); err != nil || !created {
		t.Errorf("a refused start left a passport behind (%v)", err)
	}
	if rec := h.do("RJ1/operator", http.MethodPost, "/api/v1/moves", good, nil); rec.Code != http.StatusForbidden {
		t.Errorf("an operator starting a move: %d", rec.Code)
	}
	if rec := h.do("RJ1/hr", http.MethodGet, "/api/v1/moves/00000000-0000-0000-0000-000000000000", nil, nil); rec.Code != http.StatusNotFound {
		t.Errorf("unknown move: %d", rec.Code)
	}
}

func TestListMovesByTrustWithCursor(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	p, _, _ := h.store.FindOrCreatePassport(ctx, passportDetails("list@nhs.net"))
	base := time.Now().Add(-time.Hour).UTC()
	for i := range 5 {
		m := models.Move{ID: uuid.NewString(), SendingODS: "RJ1", ReceivingODS: "RRK", PassportID: p.ID, Kind: models.KindRotation,
			StaffGroup: models.GroupDoctorInTraining, StartDate: base, Requested: "identity", Status: models.MoveActive,
			Stage: "consent", WaitingOn: models.WaitingStaff, CreatedAt: base.Add(time.Duration(i) * time.Second), UpdatedAt: base}
		if _, _, err := h.store.CreateMove(ctx, &m); err != nil {
			t.Fatal(err)
		}
	}
	type list struct {
		Moves []struct {
			ID        string
			StaffName string `json:"staff_name"`
		}
		NextCursor *string `json:"next_cursor"`
	}
	var l list
	if rec := h.do("RRK/hr", http.MethodGet, "/api/v1/moves?direction=in&waiting_on=staff&limit=2", nil, &l); rec.Code != http.StatusOK || len(l.Moves) != 2 || l.NextCursor == nil {
		t.Fatalf("first page: %d %s", rec.Code, rec.Body)
	}
	total := len(l.Moves)
	for l.NextCursor != nil {
		cur := *l.NextCursor
		l = list{}
		h.do("RRK/hr", http.MethodGet, "/api/v1/moves?direction=in&waiting_on=staff&limit=2&cursor="+cur, nil, &l)
		total += len(l.Moves)
	}
	if total != 5 {
		t.Errorf("paged through %d moves, want 5", total)
	}
	l = list{}
	if rec := h.do("R0A/hr", http.MethodGet, "/api/v1/moves", nil, &l); rec.Code != http.StatusOK || len(l.Moves) != 0 {
		t.Errorf("an uninvolved trust lists %d moves: %d %s", len(l.Moves), rec.Code, rec.Body)
	}
	l = list{}
	if rec := h.do("R0A/operator", http.MethodGet, "/api/v1/moves?limit=100", nil, &l); rec.Code != http.StatusOK || len(l.Moves) != 5 {
		t.Errorf("an operator lists %d moves, want all 5: %d %s", len(l.Moves), rec.Code, rec.Body)
	}
	for query, field := range map[string]string{
		"status=lost": "status", "limit=500": "limit", "cursor=zzz": "cursor", "colour=red": "colour",
		"has_failed_step=maybe": "has_failed_step", "started_after=yesterday": "started_after", "direction=up": "direction",
	} {
		rec := h.do("RRK/hr", http.MethodGet, "/api/v1/moves?"+query, nil, nil)
		if p := h.problem(rec); rec.Code != http.StatusUnprocessableEntity || !hasField(p, field) {
			t.Errorf("?%s: %d %+v", query, rec.Code, p.Errors)
		}
	}
}

// TestStartWithTemporalDownLeavesNothing starts a move while Temporal does
// not answer: 503, and no move is left behind to be listed or retried
// into a duplicate.
func TestStartWithTemporalDownLeavesNothing(t *testing.T) {
	h := newHarness(t) // its Temporal server does not answer
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	soon := time.Now().AddDate(0, 1, 0).Format("2006-01-02")
	body := `{"staff":{"email":"down@nhs.net","given_name":"D","family_name":"Own","staff_group":"temporary_mover"},
		"receiving_trust":"RRK","kind":"rotation","start_date":"` + soon + `"}`
	req := httptest.NewRequestWithContext(ctx, http.MethodPost, "/api/v1/moves", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+h.keys["RJ1/hr"])
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	h.handler.ServeHTTP(rec, req)
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" {
		t.Fatalf("start with Temporal down: %d %s", rec.Code, rec.Body)
	}
	if strings.Contains(rec.Body.String(), "127.0.0.1") {
		t.Error("the answer shows internal detail")
	}
	rows, err := h.store.ListMoves(context.Background(), store.MoveFilter{Limit: 10})
	if err != nil || len(rows) != 0 {
		t.Errorf("a move that never started was left behind: %d rows (%v)", len(rows), err)
	}
}

// A decision the move would refuse for its body is refused at the edge,
// naming the field: a rejection says why (issue 16: it answered 409 with
// no errors[]).
func TestADecisionNamesTheFieldAtFault(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	p, _, _ := h.store.FindOrCreatePassport(ctx, passportDetails("decide@nhs.net"))
	now := time.Now().UTC()
	m := models.Move{ID: uuid.NewString(), SendingODS: "RJ1", ReceivingODS: "RRK", PassportID: p.ID, Kind: models.KindRotation,
		StaffGroup: models.GroupDoctorInTraining, StartDate: now, Requested: "identity", Status: models.MoveActive,
		Stage: "acceptance", WaitingOn: models.WaitingReceivingTrust, CreatedAt: now, UpdatedAt: now}
	if _, _, err := h.store.CreateMove(ctx, &m); err != nil {
		t.Fatal(err)
	}
	for body, field := range map[string]string{`{"decision":"rejected"}`: "reason", `{"decision":"rejected","reason":"  "}`: "reason", `{"decision":"maybe"}`: "decision", `{}`: "decision"} {
		var problem struct{ Errors []struct{ Field string } }
		rec := h.do("RRK/hr", "POST", "/api/v1/moves/"+m.ID+"/shares/s1/decision", body, &problem)
		if rec.Code != http.StatusUnprocessableEntity || len(problem.Errors) != 1 || problem.Errors[0].Field != field {
			t.Errorf("%s: %d %s, want 422 naming %s", body, rec.Code, rec.Body, field)
		}
	}
}

// A move's answer lists what the receiving trust asked for and did not
// get, and why, once the transfer is done (issue 13).
func TestMoveSaysWhatWasNotShared(t *testing.T) {
	h := newHarness(t)
	p, cred, early := priyasMove(t, h)
	dbs, err := h.store.Credential(context.Background(), cred.ID)
	if err != nil {
		t.Fatal(err)
	}
	mv, _ := testenv.MoveAtAcceptance(t, h.store, "RJ1", "RRK", p.ID, dbs)
	var got struct {
		Missing []struct{ Type, Reason string }
	}
	if rec := h.do("RRK/hr", http.MethodGet, "/api/v1/moves/"+mv.ID, nil, &got); rec.Code != http.StatusOK {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	want := []struct{ Type, Reason string }{{"identity", "not_chosen"}, {"right_to_work", "not_held"}, {"occupational_health", "no_record"}}
	if !slices.Equal(got.Missing, want) {
		t.Errorf("missing: %+v, want %+v", got.Missing, want)
	}
	// Before the transfer nothing is settled: an empty list, never null.
	var before map[string]any
	h.do("RJ1/hr", http.MethodGet, "/api/v1/moves/"+early.ID, nil, &before)
	if m, ok := before["missing"].([]any); !ok || len(m) != 0 {
		t.Errorf("missing before the transfer: %#v", before["missing"])
	}
}
