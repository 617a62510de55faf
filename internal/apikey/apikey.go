// Package apikey makes and checks API key secrets. A key reads
// "sp_<prefix>_<secret>": the prefix finds the stored record, and only a
// SHA-256 hash of the whole key is kept. Keys carry 160 random bits, so a
// fast hash is enough; there is nothing to guess.
package apikey

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"errors"
	"strings"
)

var enc = base32.StdEncoding.WithPadding(base32.NoPadding)

// ErrMalformed is returned for a string that is not shaped like a key.
var ErrMalformed = errors.New("apikey: malformed key")

// Key is a newly made key: Plain is shown once, Prefix and Hash are stored.
type Key struct {
	Plain  string
	Prefix string
	Hash   []byte
}

// New makes a random key.
func New() Key {
	prefix := make([]byte, 5)
	secret := make([]byte, 20)
	_, _ = rand.Read(prefix) // crypto/rand.Read never fails
	_, _ = rand.Read(secret)
	p := strings.ToLower(enc.EncodeToString(prefix))
	plain := "sp_" + p + "_" + strings.ToLower(enc.EncodeToString(secret))
	return Key{Plain: plain, Prefix: p, Hash: Hash(plain)}
}

// Hash is the stored form of a key.
func Hash(plain string) []byte {
	h := sha256.Sum256([]byte(plain))
	return h[:]
}

// Prefix returns the lookup prefix of a presented key, or ErrMalformed.
func Prefix(plain string) (string, error) {
	rest, ok := strings.CutPrefix(plain, "sp_")
	if !ok {
		return "", ErrMalformed
	}
	p, secret, ok := strings.Cut(rest, "_")
	if !ok || len(p) != 8 || len(secret) != 32 {
		return "", ErrMalformed
	}
	return p, nil
}

// Matches reports, in constant time, whether plain hashes to hash.
func Matches(plain string, hash []byte) bool {
	return subtle.ConstantTimeCompare(Hash(plain), hash) == 1
}
