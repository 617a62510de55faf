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

// StatusList is the table of revocation lists before a trust could have
// more than one (one row per trust, indexes handed out in order). Kept
// only to carry its lists over (store.Migrate); nothing writes to it.
type StatusList struct {
	TrustODS  string `gorm:"primaryKey;size:5"`
	Purpose   string `gorm:"primaryKey;size:20"`
	Bits      []byte `gorm:"not null"`
	NextIndex int    `gorm:"not null"`
	UpdatedAt time.Time
}

// RevocationList is one of a trust's revocation bitstrings (W3C Bitstring
// Status List): bit i of Bits set means the credential with status index i
// in this list is revoked. Used marks the indexes handed out, at random
// places (the specification's privacy advice); when a list is full the
// trust gets the next Number.
type RevocationList struct {
	TrustODS  string `gorm:"primaryKey;size:5"`
	Number    int    `gorm:"primaryKey;autoIncrement:false"`
	Bits      []byte `gorm:"not null"`
	Used      []byte `gorm:"not null"`
	Count     int    `gorm:"not null"`
	UpdatedAt time.Time
}

// StatusRef is where a credential's revocation bit lives.
type StatusRef struct {
	List  int
	Index int
}
