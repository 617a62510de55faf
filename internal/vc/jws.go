// Package vc makes and checks the service's verifiable credentials: W3C
// Verifiable Credentials Data Model 2.0 documents secured as compact JWS
// with EdDSA (Ed25519), revocation through W3C Bitstring Status Lists, and
// keys published as JWKS.
package vc

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

var b64 = base64.RawURLEncoding

// Media types of the documents this package signs (VC-JOSE-COSE).
const (
	TypVC = "vc+jwt"
)

// Header is the protected header of a JWS.
type Header struct {
	Alg string `json:"alg"`
	Kid string `json:"kid"`
	Typ string `json:"typ,omitempty"`
	Cty string `json:"cty,omitempty"`
}

// ErrMalformed is returned for text that is not a compact JWS of ours.
var ErrMalformed = errors.New("vc: not a compact JWS")

// Sign makes a compact JWS of payload with the key.
func Sign(key ed25519.PrivateKey, kid, typ string, payload []byte) (string, error) {
	h, err := json.Marshal(Header{Alg: "EdDSA", Kid: kid, Typ: typ})
	if err != nil {
		return "", err
	}
	input := b64.EncodeToString(h) + "." + b64.EncodeToString(payload)
	return input + "." + b64.EncodeToString(ed25519.Sign(key, []byte(input))), nil
}

// JWS is a parsed, not yet verified, compact JWS.
type JWS struct {
	Header    Header
	Payload   []byte
	input     string
	signature []byte
}

// Parse splits and decodes a compact JWS; it checks nothing cryptographic.
func Parse(compact string) (*JWS, error) {
	parts := strings.Split(strings.TrimSpace(compact), ".")
	if len(parts) != 3 {
		return nil, ErrMalformed
	}
	hb, err1 := b64.DecodeString(parts[0])
	payload, err2 := b64.DecodeString(parts[1])
	sig, err3 := b64.DecodeString(parts[2])
	if err := errors.Join(err1, err2, err3); err != nil {
		return nil, ErrMalformed
	}
	var h Header
	if err := json.Unmarshal(hb, &h); err != nil {
		return nil, ErrMalformed
	}
	return &JWS{Header: h, Payload: payload, input: parts[0] + "." + parts[1], signature: sig}, nil
}

// Verify checks the signature with the public key.
func (j *JWS) Verify(pub ed25519.PublicKey) error {
	if j.Header.Alg != "EdDSA" {
		return fmt.Errorf("vc: algorithm %q is not EdDSA", j.Header.Alg)
	}
	if len(pub) != ed25519.PublicKeySize || !ed25519.Verify(pub, []byte(j.input), j.signature) {
		return errors.New("vc: signature does not match")
	}
	return nil
}

// JWK is a public Ed25519 key as a JSON Web Key.
type JWK struct {
	Kty string `json:"kty"`
	Crv string `json:"crv"`
	X   string `json:"x"`
	Kid string `json:"kid"`
	Alg string `json:"alg"`
	Use string `json:"use"`
}

// JWKS is a JSON Web Key Set.
type JWKS struct {
	Keys []JWK `json:"keys"`
}

// NewJWK describes a public key, with its RFC 7638 thumbprint as key ID.
func NewJWK(pub ed25519.PublicKey) JWK {
	return JWK{Kty: "OKP", Crv: "Ed25519", X: b64.EncodeToString(pub), Kid: Thumbprint(pub), Alg: "EdDSA", Use: "sig"}
}

// Thumbprint is the RFC 7638 SHA-256 thumbprint of an Ed25519 key.
func Thumbprint(pub ed25519.PublicKey) string {
	// The members in lexicographic order, no spaces, as RFC 7638 requires.
	canonical := `{"crv":"Ed25519","kty":"OKP","x":"` + b64.EncodeToString(pub) + `"}`
	sum := sha256.Sum256([]byte(canonical))
	return b64.EncodeToString(sum[:])
}

// PublicKey decodes the key.
func (k JWK) PublicKey() (ed25519.PublicKey, error) {
	if k.Kty != "OKP" || k.Crv != "Ed25519" {
		return nil, fmt.Errorf("vc: key %s is not Ed25519", k.Kid)
	}
	x, err := b64.DecodeString(k.X)
	if err != nil || len(x) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("vc: key %s is malformed", k.Kid)
	}
	return ed25519.PublicKey(x), nil
}
