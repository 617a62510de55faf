package testenv

import (
	"context"
	"testing"

	"github.com/nhs-staff-passport/passport/internal/store"
)

// Store opens a migrated store on dsn (a fresh PostgresDB, say), closed
// when the test ends.
func Store(t testing.TB, dsn string) *store.Store {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return st
}
