package api_test

import (
	"net/http"
	"slices"
	"testing"
)

func TestTrustSettingsBelongToTheTrust(t *testing.T) {
	h := newHarness(t)
	put := map[string]any{"credential_types": []string{"identity", "dbs_check", "occupational_health"}}
	for _, tc := range []struct {
		who    string
		path   string
		status int
	}{
		{"RJ1/hr", "/api/v1/trusts/RJ1/checklists/temporary_mover", http.StatusForbidden},
		{"RJ1/operator", "/api/v1/trusts/RJ1/checklists/temporary_mover", http.StatusForbidden},
		{"RRK/trust_admin", "/api/v1/trusts/RJ1/checklists/temporary_mover", http.StatusNotFound},
		{"RJ1/trust_admin", "/api/v1/trusts/RJ1/checklists/visitor", http.StatusUnprocessableEntity},
		{"RJ1/trust_admin", "/api/v1/trusts/RJ1/checklists/temporary_mover", http.StatusOK},
	} {
		if rec := h.do(tc.who, http.MethodPut, tc.path, put, nil); rec.Code != tc.status {
			t.Errorf("%s PUT %s: %d, want %d", tc.who, tc.path, rec.Code, tc.status)
		}
	}
	var lists []struct {
		StaffGroup      string   `json:"staff_group"`
		CredentialTypes []string `json:"credential_types"`
		Source          string
	}
	h.do("RJ1/hr", http.MethodGet, "/api/v1/trusts/RJ1/checklists", nil, &lists)
	if len(lists) != 2 || lists[0].Source != "trust" || len(lists[0].CredentialTypes) != 3 || lists[1].Source != "default" {
		t.Errorf("RJ1 checklists: %+v", lists)
	}
	h.do("RRK/hr", http.MethodGet, "/api/v1/trusts/RRK/checklists", nil, &lists)
	if lists[0].Source != "default" {
		t.Errorf("RJ1's change leaked into RRK: %+v", lists)
	}

	var pol struct {
		ReminderIntervalHours int `json:"reminder_interval_hours"`
		MaxReminders          int `json:"max_reminders"`
		DeadlineDays          int `json:"deadline_days"`
	}
	h.do("RJ1/hr", http.MethodGet, "/api/v1/trusts/RJ1/policy", nil, &pol)
	if pol.ReminderIntervalHours != 72 || pol.MaxReminders != 3 || pol.DeadlineDays != 28 {
		t.Errorf("default policy: %+v", pol)
	}
	rec := h.do("RJ1/trust_admin", http.MethodPut, "/api/v1/trusts/RJ1/policy", map[string]int{"reminder_interval_hours": 240, "max_reminders": 3, "deadline_days": 14}, nil)
	if p := h.problem(rec); rec.Code != http.StatusUnprocessableEntity || !hasField(p, "deadline_days") {
		t.Errorf("reminders past the deadline: %d %+v", rec.Code, p)
	}
	h.do("RJ1/trust_admin", http.MethodPut, "/api/v1/trusts/RJ1/policy", map[string]int{"reminder_interval_hours": 48, "max_reminders": 2, "deadline_days": 21}, nil)
	h.do("RJ1/hr", http.MethodGet, "/api/v1/trusts/RJ1/policy", nil, &pol)
	if pol.ReminderIntervalHours != 48 || pol.DeadlineDays != 21 {
		t.Errorf("policy after change: %+v", pol)
	}

	var jwks struct{ Keys []struct{ Kid string } }
	if rec := h.do("RJ1/trust_admin", http.MethodPost, "/api/v1/trusts/RJ1/keys/rotate", nil, &jwks); rec.Code != http.StatusOK || len(jwks.Keys) != 1 {
		t.Errorf("first rotation: %d %+v", rec.Code, jwks)
	}
	h.do("RJ1/trust_admin", http.MethodPost, "/api/v1/trusts/RJ1/keys/rotate", nil, &jwks)
	if len(jwks.Keys) != 2 {
		t.Errorf("rotation must keep the old key published: %+v", jwks)
	}
	if rec := h.do("RRK/trust_admin", http.MethodPost, "/api/v1/trusts/RJ1/keys/rotate", nil, nil); rec.Code != http.StatusNotFound {
		t.Errorf("rotating another trust's key: %d", rec.Code)
	}
}

// A trust's policy names who else is told of its moves: set, read back,
// left as it was when a change leaves it out, and each bad address named.
func TestPolicyNamesWhoElseIsTold(t *testing.T) {
	h := newHarness(t)
	var got struct {
		AlsoTell []string `json:"also_tell"`
	}
	body := `{"reminder_interval_hours":72,"max_reminders":3,"deadline_days":28,"also_tell":["Moves@NHS.net","rota@nhs.net"]}`
	if rec := h.do("RJ1/trust_admin", http.MethodPut, "/api/v1/trusts/RJ1/policy", body, &got); rec.Code != http.StatusOK ||
		!slices.Equal(got.AlsoTell, []string{"moves@nhs.net", "rota@nhs.net"}) {
		t.Fatalf("set: %d %+v", rec.Code, got)
	}
	h.do("RJ1/trust_admin", http.MethodPut, "/api/v1/trusts/RJ1/policy", `{"reminder_interval_hours":48,"max_reminders":3,"deadline_days":28}`, &got)
	if !slices.Equal(got.AlsoTell, []string{"moves@nhs.net", "rota@nhs.net"}) {
		t.Errorf("a change that leaves it out: %+v", got)
	}
	rec := h.do("RJ1/trust_admin", http.MethodPut, "/api/v1/trusts/RJ1/policy",
		`{"reminder_interval_hours":48,"max_reminders":3,"deadline_days":28,"also_tell":["ok@nhs.net","nope","ok@nhs.net"]}`, nil)
	if p := h.problem(rec); rec.Code != http.StatusUnprocessableEntity || !hasField(p, "also_tell[1]") || !hasField(p, "also_tell[2]") {
		t.Errorf("bad addresses: %d %+v", rec.Code, p)
	}
	if rec := h.do("RJ1/hr", http.MethodGet, "/api/v1/trusts/RJ1/policy", nil, &got); rec.Code != http.StatusOK || len(got.AlsoTell) != 2 {
		t.Errorf("read: %d %+v", rec.Code, got)
	}
}
