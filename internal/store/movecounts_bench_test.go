package store

import (
	"context"
	"path/filepath"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/nhs-staff-passport/passport/models"
)

// BenchmarkDashboardCounts reads one trust's dashboard counts with 20
// readers at once on dev mode's database (SQLite) holding 100,000 active
// moves, 25,000 of them the trust's: from the counters (what the dashboard
// does) and, for comparison, by counting the moves as it used to. It
// measures the store's query, not the page around it
// (BenchmarkPortalPages in api does, on PostgreSQL).
func BenchmarkDashboardCounts(b *testing.B) {
	ctx := context.Background()
	s, err := Open(ctx, "sqlite:"+filepath.Join(b.TempDir(), "passport.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	if err := s.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	err = s.db.Exec(`WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < 100000)
		INSERT INTO moves (id, sending_ods, receiving_ods, passport_id, kind, staff_group, start_date, requested, status, stage,
		                   waiting_on, has_failed_step, escalated, progress, seq, created_at, updated_at)
		SELECT printf('m%06d', n), CASE WHEN n % 8 = 0 THEN 'RJ1' ELSE 'RRK' END, CASE WHEN n % 8 = 4 THEN 'RJ1' ELSE 'RTH' END,
		       'p', 'rotation', 'doctor_in_training', '2027-08-01', 'identity', 'active',
		       CASE n % 3 WHEN 0 THEN 'invite' WHEN 1 THEN 'consent' ELSE 'acceptance' END,
		       CASE n % 3 WHEN 0 THEN 'staff' WHEN 1 THEN 'staff' ELSE 'receiving_trust' END, n % 50 = 0, n % 37 = 0, '{}', 1,
		       '2026-12-01 09:00:00', '2026-12-01 09:00:00' FROM g`).Error
	if err != nil {
		b.Fatal(err)
	}
	if err := s.recountMoves(ctx); err != nil {
		b.Fatal(err)
	}
	scan := func(ctx context.Context, trust string) error { // the grouped count the dashboard ran before
		var rows []struct {
			Stage, WaitingOn        string
			HasFailedStep, Outgoing bool
			Escalated               bool
			N                       int
		}
		return s.db.WithContext(ctx).Table("moves").
			Select("stage, waiting_on, has_failed_step, escalated, sending_ods = ? AS outgoing, COUNT(*) AS n", trust).
			Where("status = ? AND (sending_ods = ? OR receiving_ods = ?)", models.MoveActive, trust, trust).
			Group("stage, waiting_on, has_failed_step, escalated, outgoing").Scan(&rows).Error
	}
	for _, c := range []struct {
		name string
		read func(context.Context) error
	}{
		{"counters", func(ctx context.Context) error { _, err := s.CountMoves(ctx, "RJ1"); return err }},
		{"scan", func(ctx context.Context) error { return scan(ctx, "RJ1") }},
	} {
		b.Run(c.name, func(b *testing.B) {
			var (
				mu    sync.Mutex
				waits []time.Duration
			)
			b.SetParallelism(10) // 20 readers on two cores
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					began := time.Now()
					if err := c.read(ctx); err != nil {
						b.Error(err)
						return
					}
					mu.Lock()
					waits = append(waits, time.Since(began))
					mu.Unlock()
				}
			})
			sort.Slice(waits, func(i, j int) bool { return waits[i] < waits[j] })
			if len(waits) > 0 {
				b.ReportMetric(float64(waits[len(waits)/2].Microseconds())/1000, "p50-ms")
				b.ReportMetric(float64(waits[len(waits)*99/100].Microseconds())/1000, "p99-ms")
			}
		})
	}
}
