package models

import "time"

// SigningKey is one of a trust's Ed25519 keys. The private half is stored
// sealed with the service's secret key; retired keys stay published so that
// what they signed still verifies.
type SigningKey struct {
	KID           string     `gorm:"primaryKey;column:kid;size:64"`
	TrustODS      string     `gorm:"size:5;not null;index"`
	PublicKey     []byte     `gorm:"not null"`
	SealedPrivate []byte     `gorm:"not null"`
	CreatedAt     time.Time  `gorm:"not null"`
	RetiredAt     *time.Time // nil for the one key in use
}

// StatusList is a trust's revocation bitstring (W3C Bitstring Status List):
// bit i set means the credential with status index i is revoked.
type StatusList struct {
	TrustODS  string `gorm:"primaryKey;size:5"`
	Purpose   string `gorm:"primaryKey;size:20"`
	Bits      []byte `gorm:"not null"`
	NextIndex int    `gorm:"not null"`
	UpdatedAt time.Time
}
