// Package demo seeds development mode with registered trusts and one API key
// per trust and role, so the system can be tried without setting anything up.
package demo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/nhs-staff-passport/passport/internal/apikey"
	"github.com/nhs-staff-passport/passport/models"
)

// Trusts are real NHS trusts with their ODS codes; the contact addresses are
// made up and go only to the development mailbox.
var Trusts = []models.Trust{
	{ODSCode: "RJ1", Name: "Guy's and St Thomas' NHS Foundation Trust", Region: "London", ContactEmail: "hr@rj1.demo.nhs.localhost"},
	{ODSCode: "RRK", Name: "University Hospitals Birmingham NHS Foundation Trust", Region: "Midlands", ContactEmail: "hr@rrk.demo.nhs.localhost"},
	{ODSCode: "R0A", Name: "Manchester University NHS Foundation Trust", Region: "North West", ContactEmail: "hr@r0a.demo.nhs.localhost"},
	{ODSCode: "RTH", Name: "Oxford University Hospitals NHS Foundation Trust", Region: "South East", ContactEmail: "hr@rth.demo.nhs.localhost"},
}

// Key is one line of demo-keys.json.
type Key struct {
	Trust string      `json:"trust"`
	Role  models.Role `json:"role"`
	Key   string      `json:"key"`
}

// Store is what seeding writes to; *store.Store is one.
type Store interface {
	SaveTrust(ctx context.Context, t *models.Trust) error
	CreateAPIKey(ctx context.Context, k *models.APIKey) error
	SaveUser(ctx context.Context, u *models.User) error
}

// Users are the people of the demo trusts: an HR officer and an
// administrator at each, and one operator of the service (who belongs to
// no trust).
func Users() []models.User {
	var out []models.User
	names := map[string][2]string{
		"RJ1": {"Amara Okafor", "Tom Reid"}, "RRK": {"Priya Shah", "Owen Hughes"},
		"R0A": {"Grace Lee", "Sam Patel"}, "RTH": {"Ben Carter", "Nia Evans"},
	}
	for _, t := range Trusts {
		ods := strings.ToLower(t.ODSCode)
		out = append(out,
			models.User{TrustODS: t.ODSCode, Role: models.RoleHR, Name: names[t.ODSCode][0], Email: "hr.officer@" + ods + ".demo.nhs.localhost"},
			models.User{TrustODS: t.ODSCode, Role: models.RoleTrustAdmin, Name: names[t.ODSCode][1], Email: "admin@" + ods + ".demo.nhs.localhost"})
	}
	out = append(out, models.User{Role: models.RoleOperator, Name: "Jo Operator", Email: "operator@passport.demo.nhs.localhost"})
	for i := range out {
		out[i].ID = uuid.NewSHA1(uuid.NameSpaceURL, []byte("staff-passport-demo:"+out[i].Email)).String()
	}
	return out
}

// Seed registers the demo trusts and, the first time, makes their keys and
// writes them to keysFile. Later runs read the keys back from keysFile, since
// the database keeps only their hashes.
func Seed(ctx context.Context, s Store, keysFile string, now time.Time) ([]Key, error) {
	for _, t := range Trusts {
		t.Registered = true
		t.RegisteredAt = now.UTC()
		if err := s.SaveTrust(ctx, &t); err != nil {
			return nil, fmt.Errorf("demo: trust %s: %w", t.ODSCode, err)
		}
	}
	for _, u := range Users() {
		u.CreatedAt = now.UTC()
		if err := s.SaveUser(ctx, &u); err != nil {
			return nil, fmt.Errorf("demo: user %s: %w", u.Email, err)
		}
	}
	if data, err := os.ReadFile(keysFile); err == nil {
		var keys []Key
		if err := json.Unmarshal(data, &keys); err != nil {
			return nil, fmt.Errorf("demo: %s is damaged; delete the data dir to start afresh: %w", keysFile, err)
		}
		return keys, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("demo: %w", err)
	}

	var keys []Key
	add := func(trust string, role models.Role) error {
		k := apikey.New()
		rec := &models.APIKey{
			ID: uuid.NewString(), Prefix: k.Prefix, SecretHash: k.Hash,
			TrustODS: trust, Role: role, Name: "demo " + string(role),
		}
		if err := s.CreateAPIKey(ctx, rec); err != nil {
			return fmt.Errorf("demo: key for %s %s: %w", trust, role, err)
		}
		keys = append(keys, Key{Trust: trust, Role: role, Key: k.Plain})
		return nil
	}
	for _, t := range Trusts {
		for _, role := range []models.Role{models.RoleHR, models.RoleTrustAdmin} {
			if err := add(t.ODSCode, role); err != nil {
				return nil, err
			}
		}
	}
	if err := add("", models.RoleOperator); err != nil { // the service's, not a trust's
		return nil, err
	}
	data, err := json.MarshalIndent(keys, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(keysFile, append(data, '\n'), 0o600); err != nil {
		return nil, fmt.Errorf("demo: write keys: %w", err)
	}
	return keys, nil
}
