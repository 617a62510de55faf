package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/nhs-staff-passport/passport/internal/apikey"
	"github.com/nhs-staff-passport/passport/internal/store"
	"github.com/nhs-staff-passport/passport/internal/testenv"
	"github.com/nhs-staff-passport/passport/models"
)

func TestKeysCommand(t *testing.T) {
	env := map[string]string{"PASSPORT_DATABASE_URL": testenv.PostgresDB(t), "PASSPORT_LOG_LEVEL": "warn"}
	getenv := func(k string) string { return env[k] }
	passport := func(args ...string) (string, error) {
		var out bytes.Buffer
		err := run(t.Context(), args, getenv, &out, &out)
		return out.String(), err
	}
	if out, err := passport("migrate"); err != nil {
		t.Fatalf("migrate: %v %s", err, out)
	}
	st, err := store.Open(context.Background(), env["PASSPORT_DATABASE_URL"])
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if out, err := passport("trusts", "add", "-ods", "rth", "-name", "Oxford University Hospitals NHS Foundation Trust", "-email", "hr@ouh.nhs.uk"); err != nil || !strings.Contains(out, "registered RTH") {
		t.Fatalf("trusts add: %v %s", err, out)
	}
	if _, err := passport("trusts", "add", "-ods", "RTH", "-name", "Again"); err == nil {
		t.Error("registering a trust twice")
	}

	if _, err := passport("keys", "create", "-trust", "ZZZ", "-role", "hr"); err == nil {
		t.Error("a key for an unknown trust")
	}
	if _, err := passport("keys", "create", "-trust", "RTH", "-role", "king"); err == nil {
		t.Error("a key with an unknown role")
	}
	out, err := passport("keys", "create", "-trust", "RTH", "-role", "trust_admin", "-name", "first admin")
	if err != nil {
		t.Fatal(err)
	}
	plain := strings.TrimSpace(out)
	prefix, err := apikey.Prefix(plain)
	if err != nil {
		t.Fatalf("printed %q, not a key", out)
	}
	k, err := st.APIKeyByPrefix(context.Background(), prefix)
	if err != nil || !apikey.Matches(plain, k.SecretHash) || k.Role != models.RoleTrustAdmin {
		t.Fatalf("stored key %+v %v", k, err)
	}
	if out, _ := passport("keys", "list", "-trust", "RTH"); !strings.Contains(out, prefix) || !strings.Contains(out, "first admin") || strings.Contains(out, plain) {
		t.Errorf("list shows:\n%s", out)
	}
	if _, err := passport("keys", "revoke", "-prefix", prefix); err != nil {
		t.Fatal(err)
	}
	if k, _ := st.APIKeyByPrefix(context.Background(), prefix); k.RevokedAt == nil {
		t.Error("key not revoked")
	}

	// The deployment's first operator, who then signs in by emailed link.
	if _, err := passport("users", "add", "-trust", "RTH", "-role", "operator", "-email", "not an address", "-name", "Jo"); err == nil {
		t.Error("a user with a bad address")
	}
	if _, err := passport("users", "add", "-trust", "ZZZ", "-role", "operator", "-email", "jo@nhs.net", "-name", "Jo"); err == nil {
		t.Error("a user of an unknown trust")
	}
	if out, err := passport("users", "add", "-trust", "rth", "-role", "operator", "-email", "Jo.Bloggs@NHS.net", "-name", "Jo Bloggs"); err != nil || !strings.Contains(out, "added jo.bloggs@nhs.net") {
		t.Fatalf("users add: %v %s", err, out)
	}
	if _, err := passport("users", "add", "-trust", "RTH", "-role", "hr", "-email", "jo.bloggs@nhs.net", "-name", "Jo"); err == nil {
		t.Error("the same address twice")
	}
	if u, err := st.UserByEmail(context.Background(), "jo.bloggs@nhs.net"); err != nil || u.Role != models.RoleOperator || u.TrustODS != "RTH" {
		t.Fatalf("stored user %+v %v", u, err)
	}
	if out, _ := passport("users", "list", "-trust", "RTH"); !strings.Contains(out, "Jo Bloggs") || !strings.Contains(out, "operator") {
		t.Errorf("users list shows:\n%s", out)
	}
}
