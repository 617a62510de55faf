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

	// The deployment's first operator, who belongs to the service (no
	// trust) and then signs in by emailed link.
	if _, err := passport("users", "add", "-role", "operator", "-email", "not an address", "-name", "Jo"); err == nil {
		t.Error("a user with a bad address")
	}
	if _, err := passport("users", "add", "-trust", "ZZZ", "-role", "hr", "-email", "jo@nhs.net", "-name", "Jo"); err == nil {
		t.Error("a user of an unknown trust")
	}
	if out, err := passport("users", "add", "-trust", "RTH", "-role", "operator", "-email", "jo@nhs.net", "-name", "Jo"); err == nil || !strings.Contains(err.Error(), "belong to the service") {
		t.Errorf("an operator under a trust: %v %s", err, out)
	}
	if out, err := passport("users", "add", "-role", "operator", "-email", "Jo.Bloggs@NHS.net", "-name", "Jo Bloggs"); err != nil || !strings.Contains(out, "added jo.bloggs@nhs.net (service, operator)") {
		t.Fatalf("users add: %v %s", err, out)
	}
	if _, err := passport("users", "add", "-trust", "RTH", "-role", "hr", "-email", "jo.bloggs@nhs.net", "-name", "Jo"); err == nil {
		t.Error("the same address twice")
	}
	if u, err := st.UserByEmail(context.Background(), "jo.bloggs@nhs.net"); err != nil || u.Role != models.RoleOperator || u.TrustODS != "" {
		t.Fatalf("stored user %+v %v", u, err)
	}
	if out, _ := passport("users", "list"); !strings.Contains(out, "Jo Bloggs") || !strings.Contains(out, "service") {
		t.Errorf("users list shows:\n%s", out)
	}
	if out, _ := passport("users", "list", "-trust", "RTH"); strings.Contains(out, "Jo Bloggs") {
		t.Errorf("the trust's list shows the service's operator:\n%s", out)
	}

	// An operator's key is the service's too.
	if _, err := passport("keys", "create", "-trust", "RTH", "-role", "operator"); err == nil {
		t.Error("an operator's key under a trust")
	}
	out, err = passport("keys", "create", "-role", "operator", "-name", "on-call")
	if err != nil {
		t.Fatal(err)
	}
	opPrefix, err := apikey.Prefix(strings.TrimSpace(out))
	if err != nil {
		t.Fatalf("printed %q, not a key", out)
	}
	if out, _ := passport("keys", "list"); !strings.Contains(out, opPrefix) || !strings.Contains(out, "on-call") {
		t.Errorf("operators' keys:\n%s", out)
	}
	if out, _ := passport("keys", "list", "-trust", "RTH"); strings.Contains(out, opPrefix) {
		t.Errorf("the trust lists the operator's key:\n%s", out)
	}

	// Removing an operator ends their sign-in.
	if out, err := passport("users", "remove", "-email", "jo.bloggs@nhs.net"); err != nil || !strings.Contains(out, "removed jo.bloggs@nhs.net") {
		t.Fatalf("users remove: %v %s", err, out)
	}
	if u, _ := st.UserByEmail(context.Background(), "jo.bloggs@nhs.net"); u.DisabledAt == nil {
		t.Error("the removed operator can still sign in")
	}
	if _, err := passport("users", "remove", "-email", "nobody@nhs.net"); err == nil {
		t.Error("removing someone unknown")
	}
}
