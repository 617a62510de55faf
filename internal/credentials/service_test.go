package credentials_test

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/google/uuid"

	"github.com/nhs-staff-passport/passport/internal/credentials"
	"github.com/nhs-staff-passport/passport/internal/store"
	"github.com/nhs-staff-passport/passport/internal/testenv"
	"github.com/nhs-staff-passport/passport/internal/vc"
	"github.com/nhs-staff-passport/passport/models"
)

var secret = []byte("0123456789abcdef0123456789abcdef")

// clock is a settable time source.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type fixture struct {
	st       *store.Store
	svc      *credentials.Service
	clock    *clock
	rj1      models.Actor
	rrk      models.Actor
	passport models.Passport
}

// fixtures gives a migrated store with two registered trusts and one
// passport, on PostgreSQL and on SQLite.
func fixtures(t *testing.T) map[string]*fixture {
	t.Helper()
	ctx := context.Background()
	out := map[string]*fixture{}
	for name, dsn := range map[string]string{
		"postgres": testenv.PostgresDB(t),
		"sqlite":   "sqlite:" + filepath.Join(t.TempDir(), "p.db"),
	} {
		st := testenv.Store(t, dsn)
		now := time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)
		for _, tr := range []models.Trust{
			{ODSCode: "RJ1", Name: "Guy's and St Thomas' NHS Foundation Trust", Registered: true, RegisteredAt: now},
			{ODSCode: "RRK", Name: "University Hospitals Birmingham NHS Foundation Trust", Registered: true, RegisteredAt: now},
		} {
			if err := st.SaveTrust(ctx, &tr); err != nil {
				t.Fatal(err)
			}
		}
		c := &clock{t: now}
		svc, err := credentials.New(st, secret, "https://passport.example.nhs.uk", c.now)
		if err != nil {
			t.Fatal(err)
		}
		p, created, err := st.FindOrCreatePassport(ctx, models.StaffDetails{Email: "Sam.Patel@nhs.net", GivenName: "Sam", FamilyName: "Patel"})
		if err != nil || !created {
			t.Fatalf("passport: %v %v", created, err)
		}
		out[name] = &fixture{
			st: st, svc: svc, clock: c, passport: p,
			rj1: models.Actor{Kind: models.ActorAPIKey, ID: "key-rj1", Trust: "RJ1", Role: models.RoleHR},
			rrk: models.Actor{Kind: models.ActorAPIKey, ID: "key-rrk", Trust: "RRK", Role: models.RoleHR},
		}
	}
	return out
}

const dbsClaims = `{"level":"enhanced_barred_lists","workforce":"adult_and_child","certificate_number":"001234567890","issued_on":"2025-06-01","update_service":true}`
const resusClaims = `{"subject":"resuscitation","level":2,"completed_on":"2026-02-10","provider":"Resuscitation Council UK"}`

func issue(t *testing.T, f *fixture, typ, claims string) models.Credential {
	t.Helper()
	c, err := f.svc.Issue(context.Background(), f.rj1, credentials.IssueInput{PassportID: f.passport.ID, Type: typ, Claims: json.RawMessage(claims)})
	if err != nil {
		t.Fatalf("issue %s: %v", typ, err)
	}
	return c
}

func verify(t *testing.T, f *fixture, jws string) vc.Result {
	t.Helper()
	res, err := f.svc.Verify(context.Background(), jws)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func failed(res vc.Result, check string) bool {
	for _, c := range res.Checks {
		if c.Check == check {
			return !c.Passed
		}
	}
	return false
}

func TestIssueVerifyTamperRevoke(t *testing.T) {
	ctx := context.Background()
	for name, f := range fixtures(t) {
		t.Run(name, func(t *testing.T) {
			c := issue(t, f, "dbs_check", dbsClaims)
			res := verify(t, f, c.JWS)
			if !res.Valid || len(res.Checks) != 4 {
				t.Fatalf("a fresh credential must verify: %+v", res)
			}
			if res.Credential.CredentialSubject.ID != "urn:uuid:"+f.passport.ID || res.Credential.Issuer.ID != "https://passport.example.nhs.uk/api/v1/trusts/RJ1" {
				t.Errorf("document: %+v", res.Credential)
			}

			// Change one claim and keep the signature: it must fail on the signature.
			parts := strings.Split(c.JWS, ".")
			payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
			forged := strings.Replace(string(payload), `"level":"enhanced_barred_lists"`, `"level":"basic"`, 1)
			if forged == string(payload) {
				t.Fatal("claim not found in payload")
			}
			parts[1] = base64.RawURLEncoding.EncodeToString([]byte(forged))
			res = verify(t, f, strings.Join(parts, "."))
			if res.Valid || !failed(res, vc.CheckSignature) {
				t.Errorf("a changed claim must fail on the signature: %+v", res.Checks)
			}

			if err := f.svc.Revoke(ctx, f.rrk, c.ID, "not ours to revoke"); !errors.Is(err, models.ErrNotFound) {
				t.Errorf("another trust revoking: %v, want ErrNotFound", err)
			}
			if err := f.svc.Revoke(ctx, f.rj1, c.ID, "certificate reissued with corrections"); err != nil {
				t.Fatal(err)
			}
			res = verify(t, f, c.JWS)
			if res.Valid || !failed(res, vc.CheckNotRevoked) || failed(res, vc.CheckSignature) {
				t.Errorf("a revoked credential must fail as revoked only: %+v", res.Checks)
			}
			if err := f.svc.Revoke(ctx, f.rj1, c.ID, "again, by mistake"); !errors.Is(err, models.ErrConflict) {
				t.Errorf("revoking twice: %v, want ErrConflict", err)
			}
			events, _ := f.st.AuditEvents(ctx, "passport", f.passport.ID)
			if len(events) != 2 || events[0].Action != "credential.issued" || events[1].Action != "credential.revoked" {
				t.Errorf("audit trail: %+v", events)
			}

			// Another credential from the same list is untouched.
			other := issue(t, f, "core_skills_training", resusClaims)
			if res := verify(t, f, other.JWS); !res.Valid {
				t.Errorf("revoking one credential affected another: %+v", res.Checks)
			}
		})
	}
}

func TestExpiryAndIssuerChecks(t *testing.T) {
	ctx := context.Background()
	for name, f := range fixtures(t) {
		t.Run(name, func(t *testing.T) {
			c := issue(t, f, "core_skills_training", resusClaims) // refreshed yearly: runs out 2027-02-10
			if c.ValidUntil == nil || c.ValidUntil.Format(time.DateOnly) != "2027-02-10" {
				t.Fatalf("valid until %v", c.ValidUntil)
			}
			f.clock.add(90 * 24 * time.Hour)
			res := verify(t, f, c.JWS)
			if res.Valid || !failed(res, vc.CheckNotExpired) {
				t.Errorf("past its expiry it must fail as expired: %+v", res.Checks)
			}

			// A trust that leaves the service: what it issued no longer verifies.
			d := issue(t, f, "dbs_check", dbsClaims)
			rj1, _ := f.st.Trust(ctx, "RJ1")
			rj1.Registered = false
			if err := f.st.SaveTrust(ctx, &rj1); err != nil {
				t.Fatal(err)
			}
			res = verify(t, f, d.JWS)
			if res.Valid || !failed(res, vc.CheckIssuerRegistered) {
				t.Errorf("an unregistered issuer must fail: %+v", res.Checks)
			}
			if _, err := f.svc.Issue(ctx, f.rj1, credentials.IssueInput{PassportID: f.passport.ID, Type: "dbs_check", Claims: json.RawMessage(dbsClaims)}); !errors.Is(err, models.ErrForbidden) {
				t.Errorf("an unregistered trust issuing: %v", err)
			}

			// A document signed by a key the service never issued.
			_, stranger, _ := ed25519.GenerateKey(nil)
			payload, _ := json.Marshal(res.Credential)
			forged, _ := vc.Sign(stranger, "stranger-key", vc.TypVC, payload)
			res = verify(t, f, forged)
			if res.Valid || !failed(res, vc.CheckSignature) {
				t.Errorf("an unknown key must fail on the signature: %+v", res.Checks)
			}
			if res := verify(t, f, "not.a.jws"); res.Valid {
				t.Error("garbage verified")
			}
		})
	}
}

func TestRotationKeepsOldCredentialsValid(t *testing.T) {
	ctx := context.Background()
	for name, f := range fixtures(t) {
		t.Run(name, func(t *testing.T) {
			old := issue(t, f, "dbs_check", dbsClaims)
			if _, err := f.svc.RotateKey(ctx, "RJ1"); err != nil {
				t.Fatal(err)
			}
			fresh := issue(t, f, "dbs_check", dbsClaims)
			if fresh.KeyID == old.KeyID {
				t.Fatal("rotation did not change the signing key")
			}
			for _, c := range []models.Credential{old, fresh} {
				if res := verify(t, f, c.JWS); !res.Valid {
					t.Errorf("after rotation: %+v", res.Checks)
				}
			}
			set, err := f.svc.JWKS(ctx, "RJ1")
			if err != nil || len(set.Keys) != 2 {
				t.Errorf("JWKS must keep the retired key: %+v %v", set, err)
			}
		})
	}
}

// TestIndependentJOSE checks the format with go-jose: the credential and the
// status list verify with the published JWKS, and the list marks exactly
// the revoked credential.
func TestIndependentJOSE(t *testing.T) {
	ctx := context.Background()
	f := fixtures(t)["postgres"]
	keep := issue(t, f, "dbs_check", dbsClaims)
	gone := issue(t, f, "core_skills_training", resusClaims)
	if err := f.svc.Revoke(ctx, f.rj1, gone.ID, "completed with the wrong provider"); err != nil {
		t.Fatal(err)
	}
	set, _ := f.svc.JWKS(ctx, "RJ1")
	raw, _ := json.Marshal(set)
	var keys jose.JSONWebKeySet
	if err := json.Unmarshal(raw, &keys); err != nil {
		t.Fatalf("our JWKS is not a JWKS to go-jose: %v", err)
	}

	verifyJOSE := func(compact string) map[string]any {
		t.Helper()
		sig, err := jose.ParseSigned(compact, []jose.SignatureAlgorithm{jose.EdDSA})
		if err != nil {
			t.Fatalf("go-jose cannot parse: %v", err)
		}
		found := keys.Key(sig.Signatures[0].Header.KeyID)
		if len(found) != 1 {
			t.Fatalf("kid %q not in JWKS", sig.Signatures[0].Header.KeyID)
		}
		payload, err := sig.Verify(found[0])
		if err != nil {
			t.Fatalf("go-jose rejects the signature: %v", err)
		}
		if typ := sig.Signatures[0].Protected.ExtraHeaders["typ"]; typ != "vc+jwt" {
			t.Errorf("typ %v", typ)
		}
		var doc map[string]any
		_ = json.Unmarshal(payload, &doc)
		return doc
	}
	doc := verifyJOSE(keep.JWS)
	if ctxs := doc["@context"].([]any); ctxs[0] != "https://www.w3.org/ns/credentials/v2" {
		t.Errorf("@context %v", ctxs)
	}

	list, err := f.svc.StatusList(ctx, "RJ1", 0)
	if err != nil {
		t.Fatal(err)
	}
	sl := verifyJOSE(list)
	enc := sl["credentialSubject"].(map[string]any)["encodedList"].(string)
	bits, err := vc.DecodeList(enc)
	if err != nil || len(bits)*8 != vc.StatusListBits {
		t.Fatalf("status list: %d bits, %v", len(bits)*8, err)
	}
	if on, _ := vc.Bit(bits, gone.StatusIndex); !on {
		t.Error("revoked credential's bit is clear")
	}
	if on, _ := vc.Bit(bits, keep.StatusIndex); on {
		t.Error("valid credential's bit is set")
	}
}

func TestTrustSeesOnlyWhatItIssuedOrWasShared(t *testing.T) {
	ctx := context.Background()
	for name, f := range fixtures(t) {
		t.Run(name, func(t *testing.T) {
			dbs := issue(t, f, "dbs_check", dbsClaims)
			issue(t, f, "core_skills_training", resusClaims)

			own, err := f.st.PassportForTrust(ctx, f.passport.ID, "RJ1")
			if err != nil || len(own.Credentials) != 2 {
				t.Fatalf("issuer sees %d credentials, %v", len(own.Credentials), err)
			}
			other, err := f.st.PassportForTrust(ctx, f.passport.ID, "RRK")
			if err != nil || len(other.Credentials) != 0 {
				t.Fatalf("another trust sees %d credentials before any share, %v", len(other.Credentials), err)
			}
			share := models.Share{ID: uuid.NewString(), MoveID: uuid.NewString(), CredentialID: dbs.ID, CredentialType: dbs.Type,
				ReceiverODS: "RRK", PassportID: f.passport.ID, SharedAt: time.Now()}
			if err := f.st.CreateShare(ctx, &share); err != nil {
				t.Fatal(err)
			}
			other, _ = f.st.PassportForTrust(ctx, f.passport.ID, "RRK")
			if len(other.Credentials) != 1 || other.Credentials[0].ID != dbs.ID {
				t.Errorf("after one share the receiver sees %+v", other.Credentials)
			}
			holder, _ := f.st.Passport(ctx, f.passport.ID)
			if len(holder.Credentials) != 2 {
				t.Errorf("the holder sees %d credentials", len(holder.Credentials))
			}
			again, created, err := f.st.FindOrCreatePassport(ctx, models.StaffDetails{Email: "sam.patel@NHS.net", GivenName: "Samuel", FamilyName: "Patel"})
			if err != nil || created || again.ID != f.passport.ID {
				t.Errorf("a second invitation by email must reach the same passport: %v %v", created, err)
			}
		})
	}
}

// BenchmarkIssue is one credential issued end to end on PostgreSQL: claims
// checked, signed, stored and audited.
func BenchmarkIssue(b *testing.B) {
	f := benchFixture(b)
	ctx := context.Background()
	in := credentials.IssueInput{PassportID: f.passport.ID, Type: "dbs_check", Claims: json.RawMessage(dbsClaims)}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := f.svc.Issue(ctx, f.rj1, in); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPassportWith30Credentials loads a passport holding 30 credentials
// (one query) on PostgreSQL.
func BenchmarkPassportWith30Credentials(b *testing.B) {
	f := benchFixture(b)
	ctx := context.Background()
	for range 15 {
		for _, claims := range []string{dbsClaims, resusClaims} {
			typ := "dbs_check"
			if claims == resusClaims {
				typ = "core_skills_training"
			}
			if _, err := f.svc.Issue(ctx, f.rj1, credentials.IssueInput{PassportID: f.passport.ID, Type: typ, Claims: json.RawMessage(claims)}); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		p, err := f.st.PassportForTrust(ctx, f.passport.ID, "RJ1")
		if err != nil || len(p.Credentials) != 30 {
			b.Fatalf("%d credentials, %v", len(p.Credentials), err)
		}
	}
}

func benchFixture(b *testing.B) *fixture {
	b.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, testenv.PostgresDB(b))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = st.Close() })
	if err := st.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	if err := st.SaveTrust(ctx, &models.Trust{ODSCode: "RJ1", Name: "Guy's and St Thomas'", Registered: true, RegisteredAt: time.Now()}); err != nil {
		b.Fatal(err)
	}
	svc, err := credentials.New(st, secret, "https://passport.example.nhs.uk", nil)
	if err != nil {
		b.Fatal(err)
	}
	p, _, err := st.FindOrCreatePassport(ctx, models.StaffDetails{Email: "bench@nhs.net", GivenName: "B", FamilyName: "Ench"})
	if err != nil {
		b.Fatal(err)
	}
	return &fixture{st: st, svc: svc, passport: p, rj1: models.Actor{Kind: models.ActorAPIKey, ID: "k", Trust: "RJ1", Role: models.RoleHR}}
}

func TestVerifiedRegistrationFindsThePassport(t *testing.T) {
	ctx := context.Background()
	for name, f := range fixtures(t) {
		t.Run(name, func(t *testing.T) {
			if _, err := f.st.PassportByIdentityRef(ctx, f.svc.IdentityRef("GMC", "7654321")); !errors.Is(err, models.ErrNotFound) {
				t.Fatalf("before any registration: %v", err)
			}
			issue(t, f, "professional_registration", `{"body":"GMC","number":"7654321","status":"registered","checked_on":"2026-11-01"}`)
			p, err := f.st.PassportByIdentityRef(ctx, f.svc.IdentityRef("gmc", " 765 4321"))
			if err != nil || p.ID != f.passport.ID {
				t.Errorf("by registration: %v %v", p.ID, err)
			}
			// The same number on a second passport leaves the first in place.
			other, _, _ := f.st.FindOrCreatePassport(ctx, models.StaffDetails{Email: "sam.patel@gmail.com", GivenName: "Sam", FamilyName: "Patel"})
			if _, err := f.svc.Issue(ctx, f.rj1, credentials.IssueInput{PassportID: other.ID, Type: "professional_registration",
				Claims: json.RawMessage(`{"body":"GMC","number":"7654321","status":"registered","checked_on":"2026-11-01"}`)}); err != nil {
				t.Fatalf("issuing to a second passport: %v", err)
			}
			if p, _ := f.st.PassportByIdentityRef(ctx, f.svc.IdentityRef("GMC", "7654321")); p.ID != f.passport.ID {
				t.Error("the reference moved to the second passport")
			}
		})
	}
}
