package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"
)

type passportBody struct {
	ID          string `json:"id"`
	Email       string `json:"email"`
	Credentials []struct {
		ID     string `json:"id"`
		Type   string `json:"type"`
		Status string `json:"status"`
		Issuer string `json:"issuer"`
		JWS    string `json:"jws"`
	} `json:"credentials"`
}

const dbsClaims = `{"level":"enhanced","workforce":"adult","certificate_number":"001234567890","issued_on":"2025-06-01","update_service":false}`

func TestAuthentication(t *testing.T) {
	h := newHarness(t)
	// Revoke RRK's hr key.
	ctx := context.Background()
	prefix := strings.Split(h.keys["RRK/hr"], "_")[1]
	k, _ := h.store.APIKeyByPrefix(ctx, prefix)
	now := time.Now()
	if err := h.store.RevokeAPIKey(ctx, k.ID, now); err != nil {
		t.Fatal(err)
	}
	for name, who := range map[string]string{
		"no key":       "",
		"malformed":    "hello",
		"unknown":      "sp_aaaaaaaa_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
		"wrong secret": h.keys["RJ1/hr"][:12] + strings.Repeat("a", 32),
		"revoked":      "RRK/hr",
	} {
		rec := h.do(who, http.MethodPost, "/api/v1/passports", map[string]string{"email": "a@nhs.net", "given_name": "A", "family_name": "B"}, nil)
		if rec.Code != http.StatusUnauthorized || rec.Header().Get("WWW-Authenticate") == "" {
			t.Errorf("%s: %d, want 401 with WWW-Authenticate", name, rec.Code)
		}
		h.problem(rec)
	}
	rec := h.do("RJ1/operator", http.MethodPost, "/api/v1/passports", map[string]string{"email": "a@nhs.net", "given_name": "A", "family_name": "B"}, nil)
	if rec.Code != http.StatusForbidden {
		t.Errorf("operator creating a passport: %d, want 403", rec.Code)
	}
}

func TestPassportsAndCredentialsAcrossTrusts(t *testing.T) {
	h := newHarness(t)
	staff := map[string]string{"email": "Priya.Shah@nhs.net", "given_name": "Priya", "family_name": "Shah"}

	var p passportBody
	if rec := h.do("RJ1/hr", http.MethodPost, "/api/v1/passports", staff, &p); rec.Code != http.StatusCreated || p.Email != "priya.shah@nhs.net" {
		t.Fatalf("create: %d %s", rec.Code, rec.Body)
	}
	var again passportBody
	if rec := h.do("RJ1/trust_admin", http.MethodPost, "/api/v1/passports", staff, &again); rec.Code != http.StatusOK || again.ID != p.ID {
		t.Errorf("same person again: %d, id %s vs %s", rec.Code, again.ID, p.ID)
	}

	// Another trust cannot see or write to a passport it has no dealings with.
	if rec := h.do("RRK/hr", http.MethodGet, "/api/v1/passports/"+p.ID, nil, nil); rec.Code != http.StatusNotFound {
		t.Errorf("RRK reading RJ1's passport: %d, want 404", rec.Code)
	}
	issue := map[string]any{"type": "dbs_check", "claims": map[string]any{}}
	if rec := h.do("RRK/hr", http.MethodPost, "/api/v1/passports/"+p.ID+"/credentials", issue, nil); rec.Code != http.StatusNotFound {
		t.Errorf("RRK issuing onto RJ1's passport: %d, want 404", rec.Code)
	}

	var cred struct{ ID, Status, JWS string }
	rec := h.do("RJ1/hr", http.MethodPost, "/api/v1/passports/"+p.ID+"/credentials",
		`{"type":"dbs_check","claims":`+dbsClaims+`}`, &cred)
	if rec.Code != http.StatusCreated || cred.Status != "valid" || strings.Count(cred.JWS, ".") != 2 {
		t.Fatalf("issue: %d %s", rec.Code, rec.Body)
	}

	// RRK now deals with the same person: it reaches the same passport but
	// sees none of RJ1's credentials, which were not shared with it.
	var seen passportBody
	h.do("RRK/hr", http.MethodPost, "/api/v1/passports", staff, &seen)
	if seen.ID != p.ID || len(seen.Credentials) != 0 {
		t.Errorf("RRK sees passport %s with %d credentials", seen.ID, len(seen.Credentials))
	}
	h.do("RJ1/hr", http.MethodGet, "/api/v1/passports/"+p.ID, nil, &seen)
	if len(seen.Credentials) != 1 || seen.Credentials[0].Issuer != "RJ1" {
		t.Errorf("RJ1 sees %+v", seen.Credentials)
	}

	if rec := h.do("RRK/hr", http.MethodPost, "/api/v1/credentials/"+cred.ID+"/revoke", map[string]string{"reason": "not ours"}, nil); rec.Code != http.StatusNotFound {
		t.Errorf("RRK revoking RJ1's credential: %d, want 404", rec.Code)
	}
	var revoked struct{ Status string }
	if rec := h.do("RJ1/trust_admin", http.MethodPost, "/api/v1/credentials/"+cred.ID+"/revoke", map[string]string{"reason": "certificate withdrawn"}, &revoked); rec.Code != http.StatusOK || revoked.Status != "revoked" {
		t.Errorf("revoke: %d %s", rec.Code, rec.Body)
	}
	var res struct {
		Valid  bool
		Checks []struct {
			Check  string
			Passed bool
		}
	}
	h.do("RRK/operator", http.MethodPost, "/api/v1/verify", map[string]string{"credential": cred.JWS}, &res)
	if res.Valid || len(res.Checks) != 4 || res.Checks[3].Check != "not_revoked" || res.Checks[3].Passed {
		t.Errorf("verify after revocation: %+v", res)
	}
}

func TestBadInputNamesTheField(t *testing.T) {
	h := newHarness(t)
	var p passportBody
	h.do("RJ1/hr", http.MethodPost, "/api/v1/passports", map[string]string{"email": "x@nhs.net", "given_name": "X", "family_name": "Y"}, &p)
	path := "/api/v1/passports/" + p.ID + "/credentials"
	tests := []struct {
		name   string
		path   string
		body   string
		status int
		field  string
	}{
		{"bad email", "/api/v1/passports", `{"email":"nobody","given_name":"A","family_name":"B"}`, 422, "email"},
		{"unknown field", "/api/v1/passports", `{"email":"a@nhs.net","given_name":"A","family_name":"B","nhs_number":"1"}`, 422, "nhs_number"},
		{"wrong type", "/api/v1/passports", `{"email":42}`, 422, "email"},
		{"not json", "/api/v1/passports", `{"email":`, 422, "body"},
		{"bad claim", path, `{"type":"dbs_check","claims":{"level":"enhanced","workforce":"adult","certificate_number":"12","issued_on":"2025-06-01"}}`, 422, "claims.certificate_number"},
		{"clinical detail", path, `{"type":"occupational_health","claims":{"clearance":"fit","assessed_on":"2026-01-01","diagnosis":"x"}}`, 422, "claims.diagnosis"},
		{"unknown type", path, `{"type":"blood_group","claims":{}}`, 422, "type"},
		{"email longer than SMTP carries", "/api/v1/passports", `{"email":"` + strings.Repeat("a", 330) + `@nhs.net","given_name":"A","family_name":"B"}`, 422, "email"},
		{"employer too long for a subject", path, `{"type":"employment_history","claims":{"employer":"` + strings.Repeat("E", 300) + `","role":"Nurse","from":"2020-01-01","references_received":1}}`, 422, "claims.employer"},
		{"short reason", "/api/v1/credentials/00000000-0000-0000-0000-000000000000/revoke", `{"reason":"no"}`, 422, "reason"},
	}
	for _, tt := range tests {
		rec := h.do("RJ1/hr", http.MethodPost, tt.path, tt.body, nil)
		if rec.Code != tt.status {
			t.Errorf("%s: %d %s, want %d", tt.name, rec.Code, rec.Body, tt.status)
			continue
		}
		if p := h.problem(rec); !hasField(p, tt.field) {
			t.Errorf("%s: problem %+v does not name %s", tt.name, p, tt.field)
		}
	}
	big := `{"email":"` + strings.Repeat("a", 2<<20) + `"}`
	if rec := h.do("RJ1/hr", http.MethodPost, "/api/v1/passports", big, nil); rec.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("2 MiB body: %d, want 413", rec.Code)
	}
	if ps, _ := h.store.Passport(context.Background(), p.ID); len(ps.Credentials) != 0 {
		t.Errorf("a refused request left %d credentials behind", len(ps.Credentials))
	}
}

func TestPublicKeysAndStatusList(t *testing.T) {
	h := newHarness(t)
	var p passportBody
	h.do("RJ1/hr", http.MethodPost, "/api/v1/passports", map[string]string{"email": "x@nhs.net", "given_name": "X", "family_name": "Y"}, &p)
	h.do("RJ1/hr", http.MethodPost, "/api/v1/passports/"+p.ID+"/credentials", `{"type":"dbs_check","claims":`+dbsClaims+`}`, nil)

	var jwks struct {
		Keys []struct{ Kty, Crv, Kid string }
	}
	rec := h.do("", http.MethodGet, "/api/v1/trusts/RJ1/keys", nil, &jwks)
	if rec.Code != http.StatusOK || len(jwks.Keys) != 1 || jwks.Keys[0].Crv != "Ed25519" || jwks.Keys[0].Kid == "" {
		t.Errorf("jwks: %d %s", rec.Code, rec.Body)
	}
	rec = h.do("", http.MethodGet, "/api/v1/trusts/RJ1/status/revocation", nil, nil)
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "application/vc+jwt" || strings.Count(rec.Body.String(), ".") != 2 {
		t.Errorf("status list: %d %q %.60s", rec.Code, rec.Header().Get("Content-Type"), rec.Body)
	}
	if rec := h.do("", http.MethodGet, "/api/v1/trusts/ZZZ/keys", nil, nil); rec.Code != http.StatusNotFound {
		t.Errorf("unknown trust: %d", rec.Code)
	}
}
