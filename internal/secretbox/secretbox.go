// Package secretbox seals small secrets at rest (trusts' private signing
// keys) with AES-256-GCM under a key derived from the service's secret key.
package secretbox

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
)

// ErrOpen is returned when a sealed value cannot be opened: a different
// secret key, a different purpose or associated data, or tampering.
var ErrOpen = errors.New("secretbox: cannot open sealed value")

// Box seals and opens values for one purpose.
type Box struct{ aead cipher.AEAD }

// New derives the purpose's key from the master secret (PASSPORT_SECRET_KEY).
// Different purposes get unrelated keys.
func New(master []byte, purpose string) (*Box, error) {
	if len(master) < 32 {
		return nil, errors.New("secretbox: the master secret must hold at least 32 bytes")
	}
	key, err := hkdf.Key(sha256.New, master, nil, "staff-passport/"+purpose, 32)
	if err != nil {
		return nil, fmt.Errorf("secretbox: %w", err)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("secretbox: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("secretbox: %w", err)
	}
	return &Box{aead: aead}, nil
}

// Seal encrypts plaintext bound to aad (for example the key's ID), returning
// nonce and ciphertext together.
func (b *Box) Seal(plaintext, aad []byte) []byte {
	nonce := make([]byte, b.aead.NonceSize(), b.aead.NonceSize()+len(plaintext)+b.aead.Overhead())
	_, _ = rand.Read(nonce)
	return b.aead.Seal(nonce, nonce, plaintext, aad)
}

// Open decrypts what Seal returned for the same aad, or fails with ErrOpen.
func (b *Box) Open(sealed, aad []byte) ([]byte, error) {
	n := b.aead.NonceSize()
	if len(sealed) < n+b.aead.Overhead() {
		return nil, ErrOpen
	}
	out, err := b.aead.Open(nil, sealed[:n], sealed[n:], aad)
	if err != nil {
		return nil, ErrOpen
	}
	return out, nil
}
