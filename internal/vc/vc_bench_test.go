package vc

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"testing"
	"time"
)

type memKeys struct {
	pub   ed25519.PublicKey
	kid   string
	trust string
}

func (m memKeys) PublicKey(_ context.Context, kid string) (ed25519.PublicKey, string, error) {
	if kid != m.kid {
		return nil, "", ErrUnknownKey
	}
	return m.pub, m.trust, nil
}

type memRegistry struct{}

func (memRegistry) Registered(context.Context, string) (bool, error) { return true, nil }

type memStatus struct{ bits []byte }

func (m memStatus) RevocationList(context.Context, string, int) ([]byte, error) { return m.bits, nil }

var benchClaims = json.RawMessage(`{"level":"enhanced_barred_lists","workforce":"adult_and_child","certificate_number":"001234567890","issued_on":"2025-06-01","update_service":true}`)

func benchInput(now time.Time) NewCredentialInput {
	until := now.AddDate(3, 0, 0)
	return NewCredentialInput{
		PublicURL: "https://passport.example.nhs.uk", ID: "6f1c1c1e-5b4e-4c8e-9d7a-1c2b3d4e5f60", IssuerODS: "RJ1",
		IssuerName: "Guy's and St Thomas' NHS Foundation Trust", PassportID: "0e5b1a52-3f0c-4d7e-8a59-2c8d9b7f6a41",
		CredentialType: "dbs_check", Claims: benchClaims, ValidFrom: now, ValidUntil: &until, StatusIndex: 4242,
	}
}

// BenchmarkSignCredential is the CPU cost of issuing: build the document,
// encode it and sign it.
func BenchmarkSignCredential(b *testing.B) {
	_, priv, _ := ed25519.GenerateKey(nil)
	now := time.Now()
	b.ReportAllocs()
	for b.Loop() {
		payload, err := json.Marshal(NewCredential(benchInput(now)))
		if err != nil {
			b.Fatal(err)
		}
		if _, err := Sign(priv, "kid", TypVC, payload); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyCredential is the CPU cost of all four checks with the
// keys, registry and status list at hand.
func BenchmarkVerifyCredential(b *testing.B) {
	pub, priv, _ := ed25519.GenerateKey(nil)
	now := time.Now()
	payload, _ := json.Marshal(NewCredential(benchInput(now)))
	jws, _ := Sign(priv, Thumbprint(pub), TypVC, payload)
	v := Verifier{Keys: memKeys{pub: pub, kid: Thumbprint(pub), trust: "RJ1"}, Registry: memRegistry{}, Status: memStatus{NewBitstring()}}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		res, err := v.Verify(ctx, jws, now)
		if err != nil || !res.Valid {
			b.Fatalf("%v %+v", err, res)
		}
	}
}
