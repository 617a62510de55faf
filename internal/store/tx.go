package store

import (
	"context"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Tx runs fn in one transaction: everything fn writes through the store it
// is given lands together or not at all.
func (s *Store) Tx(ctx context.Context, fn func(tx *Store) error) error {
	return s.db.WithContext(ctx).Transaction(func(db *gorm.DB) error {
		return fn(&Store{db: db, postgres: s.postgres, watchers: s.watchers})
	})
}

// forUpdate locks the rows a query reads until the transaction ends. SQLite
// has no row locks; its transactions take the write lock when they begin.
func (s *Store) forUpdate(db *gorm.DB) *gorm.DB {
	if s.postgres {
		return db.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	return db
}
