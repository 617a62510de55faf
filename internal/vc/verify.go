package vc

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"
)

// The checks a verification makes, in order.
const (
	CheckSignature        = "signature"
	CheckIssuerRegistered = "issuer_registered"
	CheckNotExpired       = "not_expired"
	CheckNotRevoked       = "not_revoked"
)

// CheckResult is the outcome of one check.
type CheckResult struct {
	Check  string `json:"check"`
	Passed bool   `json:"passed"`
	Reason string `json:"reason,omitempty"`
}

// Result is a verification: valid only when every check passed. The
// credential is filled in whenever the document could be read.
type Result struct {
	Valid      bool          `json:"valid"`
	Checks     []CheckResult `json:"checks"`
	Credential *Credential   `json:"credential,omitempty"`
}

// Reasons lists why the credential is not valid.
func (r Result) Reasons() []string {
	var out []string
	for _, c := range r.Checks {
		if !c.Passed {
			out = append(out, c.Check+": "+c.Reason)
		}
	}
	return out
}

// Keys finds a public key by key ID, with the trust it belongs to.
type Keys interface {
	PublicKey(ctx context.Context, kid string) (pub ed25519.PublicKey, trustODS string, err error)
}

// Registry says whether a trust takes part in the service now.
type Registry interface {
	Registered(ctx context.Context, ods string) (bool, error)
}

// StatusLists returns one of an issuer's revocation bitstrings (number 0
// is the first).
type StatusLists interface {
	RevocationList(ctx context.Context, ods string, number int) ([]byte, error)
}

// ErrUnknownKey is what Keys returns for a key ID it does not know.
var ErrUnknownKey = errors.New("vc: unknown key")

// Verifier checks credentials against keys, a registry and status lists,
// which may be the service's own database or documents fetched from
// another deployment.
type Verifier struct {
	Keys     Keys
	Registry Registry
	Status   StatusLists
}

// Verify runs every check on a compact JWS as of now. It returns an error
// only when a lookup failed (the answer is unknown, not negative).
func (v Verifier) Verify(ctx context.Context, compact string, now time.Time) (Result, error) {
	res := Result{}
	add := func(check string, err error) {
		r := CheckResult{Check: check, Passed: err == nil}
		if err != nil {
			r.Reason = err.Error()
		}
		res.Checks = append(res.Checks, r)
	}
	failRest := func(from int, reason string) {
		for _, c := range []string{CheckSignature, CheckIssuerRegistered, CheckNotExpired, CheckNotRevoked}[from:] {
			add(c, errors.New(reason))
		}
	}

	jws, err := Parse(compact)
	if err != nil {
		failRest(0, "not a compact JWS")
		return res, nil
	}
	var doc Credential
	if err := json.Unmarshal(jws.Payload, &doc); err != nil || !slices.Contains(doc.Type, "VerifiableCredential") {
		failRest(0, "the payload is not a verifiable credential")
		return res, nil
	}
	res.Credential = &doc

	// Signature: the key must exist and belong to the trust named as issuer.
	issuerODS, issuerOK := IssuerODS(doc.Issuer.ID)
	pub, keyTrust, err := v.Keys.PublicKey(ctx, jws.Header.Kid)
	switch {
	case errors.Is(err, ErrUnknownKey):
		add(CheckSignature, fmt.Errorf("the signing key %q is not known", jws.Header.Kid))
	case err != nil:
		return Result{}, fmt.Errorf("vc: look up key: %w", err)
	case !issuerOK || keyTrust != issuerODS:
		add(CheckSignature, fmt.Errorf("the signing key does not belong to the issuer %s", doc.Issuer.ID))
	default:
		add(CheckSignature, jws.Verify(pub))
	}

	if !issuerOK {
		add(CheckIssuerRegistered, fmt.Errorf("issuer %q is not a trust of this service", doc.Issuer.ID))
	} else if ok, err := v.Registry.Registered(ctx, issuerODS); err != nil {
		return Result{}, fmt.Errorf("vc: look up issuer: %w", err)
	} else if !ok {
		add(CheckIssuerRegistered, fmt.Errorf("trust %s is not registered with the service", issuerODS))
	} else {
		add(CheckIssuerRegistered, nil)
	}

	add(CheckNotExpired, checkValidity(doc, now))
	revoked, err := v.revoked(ctx, doc, issuerODS)
	if err != nil {
		return Result{}, err
	}
	add(CheckNotRevoked, revoked)

	res.Valid = true
	for _, c := range res.Checks {
		res.Valid = res.Valid && c.Passed
	}
	return res, nil
}

func checkValidity(doc Credential, now time.Time) error {
	from, err := parseTime("validFrom", doc.ValidFrom)
	if err != nil {
		return err
	}
	if now.Before(from) {
		return fmt.Errorf("not valid until %s", from.Format(time.DateOnly))
	}
	if doc.ValidUntil == "" {
		return nil
	}
	until, err := parseTime("validUntil", doc.ValidUntil)
	if err != nil {
		return err
	}
	if !now.Before(until) {
		return fmt.Errorf("expired on %s", until.Format(time.DateOnly))
	}
	return nil
}

// revoked returns a non-nil error describing the revocation, nil when the
// credential's bit is clear, or a lookup failure as the second value.
func (v Verifier) revoked(ctx context.Context, doc Credential, issuerODS string) (error, error) {
	st := doc.CredentialStatus
	if st == nil || st.StatusPurpose != "revocation" {
		return errors.New("the credential has no revocation status to check"), nil
	}
	number, ok := statusListNumber(st.StatusListCredential, trimIssuer(doc.Issuer.ID), issuerODS)
	if !ok {
		return errors.New("the status list is not the issuer's"), nil
	}
	idx, err := strconv.Atoi(st.StatusListIndex)
	if err != nil {
		return errors.New("statusListIndex is not a number"), nil
	}
	bits, err := v.Status.RevocationList(ctx, issuerODS, number)
	if err != nil {
		return nil, fmt.Errorf("vc: status list of %s: %w", issuerODS, err)
	}
	set, err := Bit(bits, idx)
	if err != nil {
		return errors.New("statusListIndex is outside the status list"), nil
	}
	if set {
		return errors.New("revoked by the issuer"), nil
	}
	return nil, nil
}

// trimIssuer returns the public URL an issuer ID was made from.
func trimIssuer(issuerID string) string {
	ods, ok := IssuerODS(issuerID)
	if !ok {
		return ""
	}
	return issuerID[:len(issuerID)-len("/api/v1/trusts/"+ods)]
}
