package web_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/hibiken/asynq"

	"github.com/nhs-staff-passport/passport/internal/credentials"
	"github.com/nhs-staff-passport/passport/internal/jobs"
	"github.com/nhs-staff-passport/passport/internal/linktoken"
	"github.com/nhs-staff-passport/passport/internal/moves"
	"github.com/nhs-staff-passport/passport/internal/testenv"
	"github.com/nhs-staff-passport/passport/models"
	"github.com/nhs-staff-passport/passport/web"
)

// BenchmarkPortalPages renders each portal page for HR of a trust with
// 10,000 moves (among 40,000 in all) on PostgreSQL, reporting p50 and p95.
// Target: p95 ≤ 50 ms.
func BenchmarkPortalPages(b *testing.B) {
	ctx := context.Background()
	st, conn := testenv.BenchPostgres(b, "RJ1", "RRK", "R0A", "RTH", "RXX")
	// Every fourth move involves RJ1 (sending or receiving): 10,000 of 40,000.
	for _, q := range []string{
		`INSERT INTO passports (id, email, given_name, family_name, created_at, updated_at)
		 SELECT gen_random_uuid()::text, 'p' || g || '@nhs.net', 'Given' || g, 'Family' || g, now(), now() FROM generate_series(1, 5000) g`,
		`INSERT INTO moves (id, sending_ods, receiving_ods, passport_id, kind, staff_group, start_date, requested, status, stage,
		                   waiting_on, has_failed_step, escalated, progress, seq, created_at, updated_at)
		 SELECT gen_random_uuid()::text,
		        CASE WHEN g % 8 = 0 THEN 'RJ1' ELSE (ARRAY['RRK','R0A','RTH'])[1 + g % 3] END,
		        CASE WHEN g % 8 = 4 THEN 'RJ1' ELSE (ARRAY['RXX','RTH','RRK'])[1 + g % 3] END,
		        p.id, 'rotation', 'doctor_in_training', now(), 'identity,dbs_check',
		        (ARRAY['active','active','completed','cancelled','expired'])[1 + g % 5],
		        (ARRAY['invite','identity','consent','transfer','acceptance'])[1 + g % 5],
		        (ARRAY['staff','sending_trust','receiving_trust',''])[1 + g % 4], g % 50 = 0, g % 37 = 0, '{}', 1,
		        now() - (g || ' seconds')::interval, now()
		 FROM generate_series(1, 40000) g
		 JOIN (SELECT id, row_number() OVER () AS n FROM passports) p ON p.n = 1 + g % 5000`,
		`VACUUM ANALYZE moves`, `ANALYZE`,
	} {
		if _, err := conn.Exec(ctx, q); err != nil {
			b.Fatal(err)
		}
	}
	if err := st.Migrate(ctx); err != nil { // counts the moves written behind the store's back
		b.Fatal(err)
	}
	var n int
	var moveID string
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM moves WHERE sending_ods = 'RJ1' OR receiving_ods = 'RJ1'`).Scan(&n); err != nil || n != 10000 {
		b.Fatalf("RJ1 has %d moves: %v", n, err)
	}
	if err := conn.QueryRow(ctx, `SELECT id FROM moves WHERE sending_ods = 'RJ1' LIMIT 1`).Scan(&moveID); err != nil {
		b.Fatal(err)
	}

	creds, err := credentials.New(st, []byte("0123456789abcdef0123456789abcdef"), "https://x", nil)
	if err != nil {
		b.Fatal(err)
	}
	signer, _ := linktoken.NewSigner([]byte("0123456789abcdef0123456789abcdef"))
	rdb := testenv.Redis(b)
	h := newHandler(web.Options{Logger: quiet, Store: st, Credentials: creds, Moves: &moves.Service{Store: st, Links: signer},
		Email: jobs.NewEnqueuer(asynq.NewClientFromRedisClient(rdb))})
	session := func(role models.Role) string {
		u := models.User{ID: uuid.NewString(), TrustODS: "RJ1", Role: role, Name: "Bench " + string(role), Email: string(role) + "@bench.nhs.net", CreatedAt: time.Now()}
		if err := st.CreateUser(ctx, &u); err != nil {
			b.Fatal(err)
		}
		token := uuid.NewString()
		sum := sha256.Sum256([]byte(token))
		now := time.Now().UTC()
		if err := st.CreateSession(ctx, &models.Session{ID: hex.EncodeToString(sum[:]), UserID: u.ID, CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
			b.Fatal(err)
		}
		return token
	}
	admin, operator := session(models.RoleTrustAdmin), session(models.RoleOperator)
	// A move to RJ1 at its decision: a shared credential's claims, what
	// was not shared and the move's story drawn for the receiving trust.
	rrkHR := models.Actor{Kind: models.ActorUser, ID: "bench-rrk", Trust: "RRK", Role: models.RoleHR}
	person, _, err := creds.FindOrAddPassport(ctx, rrkHR, models.StaffDetails{Email: "decision@bench.nhs.net", GivenName: "Dee", FamilyName: "Cision"})
	if err != nil {
		b.Fatal(err)
	}
	dbs, err := creds.Issue(ctx, rrkHR, credentials.IssueInput{PassportID: person.ID, Type: "dbs_check",
		Claims: []byte(`{"level":"enhanced","workforce":"adult","certificate_number":"001234567890","issued_on":"2025-06-01","update_service":false}`)})
	if err != nil {
		b.Fatal(err)
	}
	decision, _ := testenv.MoveAtAcceptance(b, st, "RRK", "RJ1", person.ID, dbs)

	for _, page := range []struct{ name, path, token string }{
		{"dashboard", "/portal", admin},
		{"moves", "/portal/moves", admin},
		{"moves-waiting-on-us", "/portal/moves?waiting_on_us=true&status=active", admin},
		{"moves-filtered", "/portal/moves?direction=in&stage=consent&status=active&has_failed_step=false", admin},
		{"moves-search", "/portal/moves?q=family4321", admin},
		{"move", "/portal/moves/" + moveID, admin},
		{"decision", "/portal/moves/" + decision.ID, admin},
		{"start", "/portal/start", admin},
		{"rotations", "/portal/rotations", admin},
		{"settings", "/portal/settings", admin},
		{"operator-dashboard", "/portal", operator},
		{"operations", "/portal/operator", operator},
	} {
		b.Run(page.name, func(b *testing.B) {
			var all []time.Duration
			for range b.N {
				req := httptest.NewRequest(http.MethodGet, page.path, nil)
				req.AddCookie(&http.Cookie{Name: "passport_session", Value: page.token})
				rec := httptest.NewRecorder()
				start := time.Now()
				h.ServeHTTP(rec, req)
				all = append(all, time.Since(start))
				if rec.Code != http.StatusOK {
					b.Fatalf("%s: %d %s", page.path, rec.Code, rec.Body)
				}
			}
			slices.Sort(all)
			b.ReportMetric(float64(all[len(all)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(all[len(all)*95/100].Microseconds())/1000, "p95-ms")
		})
	}
}
