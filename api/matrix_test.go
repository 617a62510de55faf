package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/nhs-staff-passport/passport/models"
)

// TestAccessMatrix calls every endpoint that touches a trust's data as every
// role of the trust that owns the data and of a trust that does not. A
// wrong role is 403; another trust's move or passport is 404, whatever the
// role, and nothing of it appears in any answer.
func TestAccessMatrix(t *testing.T) {
	h := newHarness(t)
	p, cred, mv := priyasMove(t, h)

	type call struct {
		method, path, body string
		roles              []models.Role // allowed roles for the owning trust
		ownOK              int           // status for the owner with an allowed role; 0: not checked (see revoke)
	}
	move := "/api/v1/moves/" + mv.ID
	calls := []call{
		{"GET", move, "", models.Roles(), 200},
		{"GET", move + "/events", "", models.Roles(), 200},
		{"POST", move + "/cancel", `{"reason":"no longer needed"}`, models.Roles(), 503},
		{"POST", move + "/identity", `{"level_of_confidence":"medium","documents_seen":["passport","utility_bill"],"verified_by":"HR","verified_on":"2026-11-01"}`, []models.Role{models.RoleHR, models.RoleTrustAdmin}, 503},
		{"POST", move + "/shares/x/decision", `{"decision":"accepted"}`, []models.Role{models.RoleHR, models.RoleTrustAdmin}, 503},
		{"POST", move + "/retry", `{"step":"transfer"}`, []models.Role{models.RoleTrustAdmin, models.RoleOperator}, 503},
		{"POST", move + "/deadline", `{"deadline":"2027-06-01T00:00:00Z"}`, models.Roles(), 503},
		{"GET", "/api/v1/passports/" + p.ID, "", []models.Role{models.RoleHR, models.RoleTrustAdmin}, 200},
		{"POST", "/api/v1/passports/" + p.ID + "/credentials", `{"type":"dbs_check","claims":` + dbsClaims + `}`, []models.Role{models.RoleHR, models.RoleTrustAdmin}, 201},
		{"POST", "/api/v1/credentials/" + cred.ID + "/revoke", `{"reason":"matrix test revocation"}`, []models.Role{models.RoleHR, models.RoleTrustAdmin}, 0},
		{"GET", "/api/v1/trusts/RJ1/checklists", "", []models.Role{models.RoleHR, models.RoleTrustAdmin}, 200},
		{"GET", "/api/v1/trusts/RJ1/policy", "", []models.Role{models.RoleHR, models.RoleTrustAdmin}, 200},
		{"PUT", "/api/v1/trusts/RJ1/policy", `{"reminder_interval_hours":72,"max_reminders":3,"deadline_days":28}`, []models.Role{models.RoleTrustAdmin}, 200},
		{"PUT", "/api/v1/trusts/RJ1/checklists/temporary_mover", `{"credential_types":["identity"]}`, []models.Role{models.RoleTrustAdmin}, 200},
	}
	for _, c := range calls {
		for _, role := range models.Roles() {
			allowed := false
			for _, r := range c.roles {
				allowed = allowed || r == role
			}
			// The owner: RJ1 sends the move, issued the credential, owns its settings.
			rec := h.do("RJ1/"+string(role), c.method, c.path, c.body, nil)
			switch {
			case !allowed && rec.Code != http.StatusForbidden:
				t.Errorf("RJ1 %s %s %s: %d, want 403", role, c.method, c.path, rec.Code)
			case allowed && c.ownOK != 0 && rec.Code != c.ownOK:
				t.Errorf("RJ1 %s %s %s: %d, want %d (%s)", role, c.method, c.path, rec.Code, c.ownOK, rec.Body)
			}
			// A stranger: R0A. Operators see every trust's moves (not passports or settings).
			rec = h.do("R0A/"+string(role), c.method, c.path, c.body, nil)
			if role == models.RoleOperator && strings.HasPrefix(c.path, "/api/v1/moves/") && allowed {
				continue
			}
			if rec.Code != http.StatusNotFound && rec.Code != http.StatusForbidden {
				t.Errorf("R0A %s %s %s: %d, want 404 or 403", role, c.method, c.path, rec.Code)
			}
			if strings.Contains(rec.Body.String(), "Secretname") || strings.Contains(rec.Body.String(), "priya") {
				t.Errorf("R0A %s %s %s: the answer shows RJ1's person", role, c.method, c.path)
			}
		}
	}
	// Lists never show another trust's moves.
	for _, role := range []models.Role{models.RoleHR, models.RoleTrustAdmin} {
		rec := h.do("R0A/"+string(role), http.MethodGet, "/api/v1/moves", nil, nil)
		if rec.Code != http.StatusOK || strings.Contains(rec.Body.String(), mv.ID) {
			t.Errorf("R0A %s lists RJ1's move: %d", role, rec.Code)
		}
	}
}

// priyasMove is RJ1's data for the access matrices: Priya's passport with
// a DBS check, and her move to RRK; R0A has nothing to do with any of it.
func priyasMove(t *testing.T, h *harness) (passportBody, struct{ ID string }, models.Move) {
	t.Helper()
	var p passportBody
	h.do("RJ1/hr", http.MethodPost, "/api/v1/passports", map[string]string{"email": "priya@nhs.net", "given_name": "Priya", "family_name": "Secretname"}, &p)
	var cred struct{ ID string }
	h.do("RJ1/hr", http.MethodPost, "/api/v1/passports/"+p.ID+"/credentials", `{"type":"dbs_check","claims":`+dbsClaims+`}`, &cred)
	now := time.Now().UTC()
	mv := models.Move{ID: uuid.NewString(), SendingODS: "RJ1", ReceivingODS: "RRK", PassportID: p.ID, Kind: models.KindRotation,
		StaffGroup: models.GroupDoctorInTraining, StartDate: now, Requested: "dbs_check", Status: models.MoveActive, Stage: "consent",
		WaitingOn: models.WaitingStaff, CreatedAt: now, UpdatedAt: now}
	if _, _, err := h.store.CreateMove(context.Background(), &mv); err != nil {
		t.Fatal(err)
	}
	return p, cred, mv
}
