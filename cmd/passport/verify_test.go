package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nhs-staff-passport/passport/internal/demo"
	"github.com/nhs-staff-passport/passport/internal/vc"
)

// jwsPayload decodes a compact JWS's payload, unchecked.
func jwsPayload(t *testing.T, compact string) []byte {
	t.Helper()
	jws, err := vc.Parse(compact)
	if err != nil {
		t.Fatal(err)
	}
	return jws.Payload
}

func call(t *testing.T, key, method, url, body string, out any) int {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if out != nil {
		if err := json.NewDecoder(res.Body).Decode(out); err != nil {
			t.Fatal(err)
		}
	}
	return res.StatusCode
}

// TestIssuedCredentialVerifiesFromOutside issues a credential through the
// dev-mode API with a demo key, then checks it as a receiving system would,
// with `passport verify` and nothing but the service's public documents.
func TestIssuedCredentialVerifiesFromOutside(t *testing.T) {
	dir := t.TempDir()
	cfg := devConfigServing(t, dir)
	d := startTestDev(t, cfg)
	defer d.stop()

	var keys []demo.Key
	data, _ := os.ReadFile(filepath.Join(dir, "demo-keys.json"))
	_ = json.Unmarshal(data, &keys)
	var hr string
	for _, k := range keys {
		if k.Trust == "RJ1" && k.Role == "hr" {
			hr = k.Key
		}
	}
	base := cfg.PublicURL + "/api/v1"
	var p struct{ ID string }
	if code := call(t, hr, "POST", base+"/passports", `{"email":"alex.morgan@nhs.net","given_name":"Alex","family_name":"Morgan"}`, &p); code != http.StatusCreated {
		t.Fatalf("create passport: %d", code)
	}
	var cred struct{ ID, JWS string }
	if code := call(t, hr, "POST", base+"/passports/"+p.ID+"/credentials",
		`{"type":"core_skills_training","claims":{"subject":"fire_safety","level":1,"completed_on":"2026-03-02","provider":"Guy's and St Thomas' learning team"}}`, &cred); code != http.StatusCreated {
		t.Fatalf("issue: %d", code)
	}

	verify := func() (string, error) {
		var out bytes.Buffer
		err := runVerify(t.Context(), []string{"-service", cfg.PublicURL}, func(string) string { return "" }, strings.NewReader(cred.JWS), &out, &out)
		return out.String(), err
	}
	out, err := verify()
	if err != nil || !strings.Contains(out, `"valid": true`) {
		t.Fatalf("verify: %v\n%s", err, out)
	}
	if code := call(t, hr, "POST", base+"/credentials/"+cred.ID+"/revoke", `{"reason":"recorded against the wrong person"}`, nil); code != http.StatusOK {
		t.Fatalf("revoke: %d", code)
	}
	out, err = verify()
	if !errors.Is(err, errInvalid) || !strings.Contains(out, "revoked by the issuer") {
		t.Errorf("after revocation: %v\n%s", err, out)
	}

	// When a trust's first revocation list is full, its credentials go in
	// a second, which verifiers fetch from the address the credential
	// names.
	if _, err := d.svc.store.AllocateStatusIndexes(t.Context(), "RJ1", vc.StatusListBits); err != nil {
		t.Fatal(err)
	}
	if code := call(t, hr, "POST", base+"/passports/"+p.ID+"/credentials",
		`{"type":"core_skills_training","claims":{"subject":"conflict_resolution","level":1,"completed_on":"2026-03-02","provider":"Guy's and St Thomas' learning team"}}`, &cred); code != http.StatusCreated {
		t.Fatalf("issue: %d", code)
	}
	if !strings.Contains(string(jwsPayload(t, cred.JWS)), "/status/revocation/1") {
		t.Fatalf("a credential issued after the first list filled does not name the second: %s", jwsPayload(t, cred.JWS))
	}
	if out, err := verify(); err != nil || !strings.Contains(out, `"valid": true`) {
		t.Fatalf("verify in the second list: %v\n%s", err, out)
	}
	if code := call(t, hr, "POST", base+"/credentials/"+cred.ID+"/revoke", `{"reason":"recorded against the wrong person"}`, nil); code != http.StatusOK {
		t.Fatalf("revoke: %d", code)
	}
	if out, err := verify(); !errors.Is(err, errInvalid) || !strings.Contains(out, "revoked by the issuer") {
		t.Errorf("after revocation in the second list: %v\n%s", err, out)
	}

	// A credential naming an issuer of another service is refused outright.
	var buf bytes.Buffer
	err = runVerify(t.Context(), []string{"-service", "https://elsewhere.example"}, func(string) string { return "" }, strings.NewReader(cred.JWS), &buf, &buf)
	if err == nil || !strings.Contains(err.Error(), "not a trust of this service") {
		t.Errorf("foreign service: %v", err)
	}
}
