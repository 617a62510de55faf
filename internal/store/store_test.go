package store_test

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/nhs-staff-passport/passport/internal/apikey"
	"github.com/nhs-staff-passport/passport/internal/store"
	"github.com/nhs-staff-passport/passport/internal/testenv"
	"github.com/nhs-staff-passport/passport/models"
)

// backends opens a fresh, migrated store on each database the service runs on.
func backends(t *testing.T) map[string]*store.Store {
	t.Helper()
	ctx := context.Background()
	out := map[string]*store.Store{}
	for name, dsn := range map[string]string{
		"postgres": testenv.PostgresDB(t),
		"sqlite":   "sqlite:" + filepath.Join(t.TempDir(), "passport.db"),
	} {
		s, err := store.Open(ctx, dsn)
		if err != nil {
			t.Fatalf("%s: open: %v", name, err)
		}
		t.Cleanup(func() { _ = s.Close() })
		// Twice: migrating an up-to-date schema must change nothing and not fail.
		for range 2 {
			if err := s.Migrate(ctx); err != nil {
				t.Fatalf("%s: migrate: %v", name, err)
			}
		}
		out[name] = s
		dsns.Store(s, dsn)
	}
	return out
}

// dsns remembers where each store of backends connects, for a second
// connection standing in for another process.
var dsns sync.Map

func dsnOf(t *testing.T, s *store.Store) string {
	dsn, ok := dsns.Load(s)
	if !ok {
		t.Fatal("not a store from backends")
	}
	return dsn.(string)
}

func TestTrusts(t *testing.T) {
	ctx := context.Background()
	for name, s := range backends(t) {
		t.Run(name, func(t *testing.T) {
			now := time.Now().UTC().Truncate(time.Second)
			rj1 := models.Trust{ODSCode: "RJ1", Name: "Guy's and St Thomas'", Registered: true, RegisteredAt: now}
			if err := s.SaveTrust(ctx, &rj1); err != nil {
				t.Fatal(err)
			}
			if err := s.SaveTrust(ctx, &models.Trust{ODSCode: "R0A", Name: "Manchester", RegisteredAt: now}); err != nil {
				t.Fatal(err)
			}
			rj1.Name = "Guy's and St Thomas' NHS Foundation Trust"
			rj1.Region = "London"
			if err := s.SaveTrust(ctx, &rj1); err != nil {
				t.Fatalf("saving an existing trust must update it: %v", err)
			}
			got, err := s.Trust(ctx, "RJ1")
			if err != nil {
				t.Fatal(err)
			}
			if got.Name != rj1.Name || got.Region != "London" || !got.Registered || !got.RegisteredAt.Equal(now) {
				t.Errorf("got %+v", got)
			}
			all, err := s.Trusts(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(all) != 2 || all[0].ODSCode != "R0A" || all[1].ODSCode != "RJ1" {
				t.Errorf("want R0A, RJ1 in order, got %+v", all)
			}
			if _, err := s.Trust(ctx, "ZZZ"); !errors.Is(err, models.ErrNotFound) {
				t.Errorf("missing trust: got %v, want ErrNotFound", err)
			}
			err = s.SaveTrust(ctx, &models.Trust{ODSCode: "rj1!", Name: ""})
			var verr *models.ValidationError
			if !errors.As(err, &verr) || len(verr.Fields) != 2 {
				t.Errorf("invalid trust: got %v, want a validation error on ods_code and name", err)
			}
		})
	}
}

func TestAPIKeys(t *testing.T) {
	ctx := context.Background()
	for name, s := range backends(t) {
		t.Run(name, func(t *testing.T) {
			if err := s.SaveTrust(ctx, &models.Trust{ODSCode: "RRK", Name: "Birmingham", RegisteredAt: time.Now()}); err != nil {
				t.Fatal(err)
			}
			k := apikey.New()
			rec := &models.APIKey{ID: "0b3c3f7e-6a5e-4a53-9a41-2f0d6a6f9d10", Prefix: k.Prefix, SecretHash: k.Hash, TrustODS: "RRK", Role: models.RoleHR, Name: "ESR"}
			if err := s.CreateAPIKey(ctx, rec); err != nil {
				t.Fatal(err)
			}
			clash := *rec
			clash.ID = "5d0f2a8c-3e1b-4f7a-8c2d-9e4b6a1f0c3d"
			if err := s.CreateAPIKey(ctx, &clash); !errors.Is(err, models.ErrConflict) {
				t.Errorf("same prefix twice: got %v, want ErrConflict", err)
			}
			got, err := s.APIKeyByPrefix(ctx, k.Prefix)
			if err != nil {
				t.Fatal(err)
			}
			if !apikey.Matches(k.Plain, got.SecretHash) || got.Role != models.RoleHR || got.TrustODS != "RRK" {
				t.Errorf("stored key does not match: %+v", got)
			}
			if apikey.Matches(apikey.New().Plain, got.SecretHash) {
				t.Error("another key must not match")
			}
			used := time.Now().UTC().Truncate(time.Second)
			if err := s.TouchAPIKey(ctx, rec.ID, used); err != nil {
				t.Fatal(err)
			}
			keys, err := s.APIKeys(ctx, "RRK")
			if err != nil {
				t.Fatal(err)
			}
			if len(keys) != 1 || keys[0].LastUsedAt == nil || !keys[0].LastUsedAt.Equal(used) {
				t.Errorf("last use not recorded: %+v", keys)
			}
			if _, err := s.APIKeyByPrefix(ctx, "nosuchpx"); !errors.Is(err, models.ErrNotFound) {
				t.Errorf("unknown prefix: got %v, want ErrNotFound", err)
			}
		})
	}
}

// Operators belong to the service: accounts and keys that earlier versions
// filed under a trust move out of it when the schema is migrated, so the
// trust's administrator no longer finds them among the trust's own.
func TestMigrateMovesOperatorsToTheService(t *testing.T) {
	ctx := context.Background()
	for name, s := range backends(t) {
		t.Run(name, func(t *testing.T) {
			if err := s.SaveTrust(ctx, &models.Trust{ODSCode: "RRK", Name: "Birmingham", RegisteredAt: time.Now()}); err != nil {
				t.Fatal(err)
			}
			// As an earlier version wrote them (straight rows: today's
			// checks refuse an operator with a trust).
			op := models.User{ID: "7d1c0e52-4f7a-4b5e-9d43-0a6b2c1e8f11", TrustODS: "RRK", Role: models.RoleOperator, Name: "Jo", Email: "jo@nhs.net", CreatedAt: time.Now()}
			hr := models.User{ID: "2a9e4c71-0b3d-4e6f-8a15-7c2d9e0f1b34", TrustODS: "RRK", Role: models.RoleHR, Name: "Ann", Email: "ann@nhs.net", CreatedAt: time.Now()}
			for _, u := range []*models.User{&op, &hr} {
				if err := s.CreateUser(ctx, u); err != nil {
					t.Fatal(err)
				}
			}
			k := apikey.New()
			if err := s.CreateAPIKey(ctx, &models.APIKey{ID: "c3b7a1e2-5d4f-4a6b-9c8e-1f0a2b3c4d5e", Prefix: k.Prefix, SecretHash: k.Hash, TrustODS: "RRK", Role: models.RoleOperator}); err != nil {
				t.Fatal(err)
			}
			if err := s.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			if u, _ := s.User(ctx, op.ID); u.TrustODS != "" {
				t.Errorf("the operator still belongs to %q", u.TrustODS)
			}
			if u, _ := s.User(ctx, hr.ID); u.TrustODS != "RRK" {
				t.Errorf("HR moved out of their trust: %q", u.TrustODS)
			}
			if keys, _ := s.APIKeys(ctx, "RRK"); len(keys) != 0 {
				t.Errorf("the trust still lists %d operator key(s)", len(keys))
			}
			if keys, _ := s.APIKeys(ctx, ""); len(keys) != 1 || keys[0].Prefix != k.Prefix {
				t.Errorf("the service's keys: %+v", keys)
			}
			// Today's ways in refuse an operator under a trust, and a
			// trust's role without one.
			if _, _, err := s.IssueAPIKey(ctx, models.Actor{Kind: models.ActorSystem}, "RRK", models.RoleOperator, "x"); !errors.Is(err, models.ErrInvalid) {
				t.Errorf("an operator's key under a trust: %v", err)
			}
			if _, _, err := s.IssueAPIKey(ctx, models.Actor{Kind: models.ActorSystem}, "", models.RoleHR, "x"); !errors.Is(err, models.ErrInvalid) {
				t.Errorf("an HR key of no trust: %v", err)
			}
		})
	}
}

// TestAuditedChangesLandWithTheirRecord: a change whose audit record
// cannot be written is undone, and a failed change writes no record.
func TestAuditedChangesLandWithTheirRecord(t *testing.T) {
	ctx := context.Background()
	actor := models.Actor{Kind: models.ActorSystem, ID: "test"}
	for name, s := range backends(t) {
		t.Run(name, func(t *testing.T) {
			trust := models.Trust{ODSCode: "RTH", Name: "Oxford", RegisteredAt: time.Now()}
			unwritable := map[string]any{"f": func() {}} // not JSON
			err := s.Audited(ctx, actor, "trust.registered", "trust", "RTH", unwritable, func(tx *store.Store) error {
				return tx.RegisterTrust(ctx, &trust)
			})
			if err == nil {
				t.Fatal("an unwritable audit record must fail the change")
			}
			if _, err := s.Trust(ctx, "RTH"); !errors.Is(err, models.ErrNotFound) {
				t.Errorf("the trust was registered without its audit record: %v", err)
			}
			err = s.Audited(ctx, actor, "trust.registered", "trust", "R!!", nil, func(tx *store.Store) error {
				return tx.RegisterTrust(ctx, &models.Trust{ODSCode: "R!!"})
			})
			if err == nil {
				t.Fatal("an invalid trust registered")
			}
			if evs, _ := s.AuditEvents(ctx, "trust", "R!!"); len(evs) != 0 {
				t.Errorf("a failed change left %d audit records", len(evs))
			}
		})
	}
}
