package api_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/nhs-staff-passport/passport/internal/apikey"
	"github.com/nhs-staff-passport/passport/internal/credentials"
	"github.com/nhs-staff-passport/passport/internal/moves"
	"github.com/nhs-staff-passport/passport/internal/testenv"
	"github.com/nhs-staff-passport/passport/models"

	"github.com/google/uuid"

	"github.com/nhs-staff-passport/passport/api"
)

// readBench is the API on PostgreSQL holding 100,000 moves between four
// trusts, 2,000 people, in every status.
type readBench struct {
	handler http.Handler
	key     string
	moveID  string
}

func newReadBench(b *testing.B) readBench {
	ctx := context.Background()
	st, conn := testenv.BenchPostgres(b, "RJ1", "RRK", "R0A", "RTH")
	k := apikey.New()
	if err := st.CreateAPIKey(ctx, &models.APIKey{ID: uuid.NewString(), Prefix: k.Prefix, SecretHash: k.Hash, TrustODS: "RRK", Role: models.RoleHR}); err != nil {
		b.Fatal(err)
	}
	for _, q := range []string{
		`INSERT INTO passports (id, email, given_name, family_name, created_at, updated_at)
		 SELECT gen_random_uuid()::text, 'p' || g || '@nhs.net', 'Given' || g, 'Family' || g, now(), now() FROM generate_series(1, 2000) g`,
		`INSERT INTO moves (id, sending_ods, receiving_ods, passport_id, kind, staff_group, start_date, requested, status, stage,
		                   waiting_on, has_failed_step, progress, seq, created_at, updated_at)
		 SELECT gen_random_uuid()::text,
		        (ARRAY['RJ1','RRK','R0A','RTH'])[1 + g % 4], (ARRAY['RRK','R0A','RTH','RJ1'])[1 + (g / 4) % 4],
		        p.id, 'rotation', 'doctor_in_training', now(), 'identity,dbs_check',
		        (ARRAY['active','active','completed','cancelled','expired'])[1 + g % 5], 'consent',
		        (ARRAY['staff','','receiving_trust'])[1 + g % 3], g % 50 = 0, '{}', 1,
		        now() - (g || ' seconds')::interval, now()
		 FROM generate_series(1, 100000) g
		 JOIN (SELECT id, row_number() OVER () AS n FROM passports) p ON p.n = 1 + g % 2000`,
		`ANALYZE`,
	} {
		if _, err := conn.Exec(ctx, q); err != nil {
			b.Fatal(err)
		}
	}
	if err := st.Migrate(ctx); err != nil { // counts the moves written behind the store's back
		b.Fatal(err)
	}
	var id string
	if err := conn.QueryRow(ctx, `SELECT id FROM moves WHERE receiving_ods = 'RRK' LIMIT 1`).Scan(&id); err != nil {
		b.Fatal(err)
	}
	creds, err := credentials.New(st, []byte("0123456789abcdef0123456789abcdef"), "https://x", nil)
	if err != nil {
		b.Fatal(err)
	}
	h := api.NewHandler(api.Options{Logger: quiet, Store: st, Credentials: creds, Moves: &moves.Service{Store: st}})
	return readBench{handler: h, key: k.Plain, moveID: id}
}

func (r readBench) measure(b *testing.B, path string) {
	var all []time.Duration
	b.ResetTimer()
	for range b.N {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.Header.Set("Authorization", "Bearer "+r.key)
		rec := httptest.NewRecorder()
		start := time.Now()
		r.handler.ServeHTTP(rec, req)
		all = append(all, time.Since(start))
		if rec.Code != http.StatusOK {
			b.Fatalf("%s: %d %s", path, rec.Code, rec.Body)
		}
	}
	b.StopTimer()
	slices.Sort(all)
	b.ReportMetric(float64(all[len(all)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(all[len(all)*99/100].Microseconds())/1000, "p99-ms")
}

// BenchmarkGetMove100k is GET /api/v1/moves/{id} among 100,000 moves.
func BenchmarkGetMove100k(b *testing.B) {
	r := newReadBench(b)
	r.measure(b, "/api/v1/moves/"+r.moveID)
}

// BenchmarkListMoves100k is the first page of a filtered GET /api/v1/moves
// among 100,000 moves.
func BenchmarkListMoves100k(b *testing.B) {
	r := newReadBench(b)
	r.measure(b, "/api/v1/moves?direction=in&status=active&waiting_on=staff&limit=25")
}
