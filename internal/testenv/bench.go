package testenv

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/nhs-staff-passport/passport/internal/store"
	"github.com/nhs-staff-passport/passport/models"
)

// BenchPostgres opens a migrated store on a fresh PostgreSQL database with
// the trusts registered, and a plain connection for seeding it in bulk.
func BenchPostgres(b testing.TB, trusts ...string) (*store.Store, *pgx.Conn) {
	ctx := context.Background()
	url := PostgresDB(b)
	st, err := store.Open(ctx, url)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = st.Close() })
	if err := st.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	for _, ods := range trusts {
		if err := st.SaveTrust(ctx, &models.Trust{ODSCode: ods, Name: "Trust " + ods, Registered: true, RegisteredAt: time.Now()}); err != nil {
			b.Fatal(err)
		}
	}
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = conn.Close(ctx) })
	return st, conn
}
