// Package linktoken makes and checks the tokens in emailed links. A token
// reads "<id>.<secret>.<signature>": the signature (HMAC-SHA256 under a key
// derived from the service's secret) turns forgeries away before any
// database lookup; the database keeps only a hash of the secret, with the
// action, expiry and use of the token.
package linktoken

import (
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"strings"

	"github.com/google/uuid"
)

var b64 = base64.RawURLEncoding

// ErrInvalid is returned for a token that is malformed or not signed by us.
var ErrInvalid = errors.New("linktoken: invalid token")

// Signer makes and checks tokens.
type Signer struct{ key []byte }

// NewSigner derives the signing key from the service's secret.
func NewSigner(secret []byte) (*Signer, error) {
	key, err := hkdf.Key(sha256.New, secret, nil, "staff-passport/link-tokens/v1", 32)
	if err != nil {
		return nil, err
	}
	return &Signer{key: key}, nil
}

// Token is a new token: Plain goes in the email, ID and Hash are stored.
type Token struct {
	Plain string
	ID    string
	Hash  []byte
}

// New makes a token.
func (s *Signer) New() Token {
	id := uuid.NewString()
	secret := make([]byte, 24)
	_, _ = rand.Read(secret)
	sec := b64.EncodeToString(secret)
	return Token{Plain: id + "." + sec + "." + s.sign(id, sec), ID: id, Hash: hash(sec)}
}

// Parse checks the signature and returns the token's ID and the hash of its
// secret, to compare with the stored one.
func (s *Signer) Parse(plain string) (id string, secretHash []byte, err error) {
	parts := strings.Split(plain, ".")
	if len(parts) != 3 {
		return "", nil, ErrInvalid
	}
	if subtle.ConstantTimeCompare([]byte(s.sign(parts[0], parts[1])), []byte(parts[2])) != 1 {
		return "", nil, ErrInvalid
	}
	return parts[0], hash(parts[1]), nil
}

// Equal compares two secret hashes in constant time.
func Equal(a, b []byte) bool { return subtle.ConstantTimeCompare(a, b) == 1 }

func (s *Signer) sign(id, secret string) string {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(id + "." + secret))
	return b64.EncodeToString(m.Sum(nil)[:16])
}

func hash(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}
