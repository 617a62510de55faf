package store

import (
	"cmp"
	"context"
	"slices"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/nhs-staff-passport/passport/models"
)

// countKey is one move_counts row's identity.
type countKey struct {
	trust     string
	outgoing  bool
	stage     string
	waitingOn models.WaitingOn
	failed    bool
	escalated bool
}

// countedAs lists the counters an active move adds one to (none for a
// move that is not active): its sending trust's outgoing, its receiving
// trust's incoming and the service's.
func countedAs(m models.Move) []countKey {
	if m.Status != models.MoveActive {
		return nil
	}
	k := countKey{stage: m.Stage, waitingOn: m.WaitingOn, failed: m.HasFailedStep, escalated: m.Escalated}
	out, in, all := k, k, k
	out.trust, out.outgoing = m.SendingODS, true
	in.trust = m.ReceivingODS
	return []countKey{out, in, all}
}

// countChange applies to the counters a move's change from before to
// after (either may be the zero Move: created, deleted). Rows are written
// in one order, so that transactions counting at once never deadlock.
func (s *Store) countChange(ctx context.Context, before, after models.Move) error {
	delta := map[countKey]int{}
	for _, k := range countedAs(before) {
		delta[k]--
	}
	for _, k := range countedAs(after) {
		delta[k]++
	}
	keys := make([]countKey, 0, len(delta))
	for k, d := range delta {
		if d != 0 {
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, func(a, b countKey) int {
		return cmp.Or(cmp.Compare(a.trust, b.trust), cmpBool(a.outgoing, b.outgoing), cmp.Compare(a.stage, b.stage),
			cmp.Compare(a.waitingOn, b.waitingOn), cmpBool(a.failed, b.failed), cmpBool(a.escalated, b.escalated))
	})
	for _, k := range keys {
		row := models.MoveCount{TrustODS: k.trust, Outgoing: k.outgoing, Stage: k.stage, WaitingOn: k.waitingOn,
			HasFailedStep: k.failed, Escalated: k.escalated, N: delta[k]}
		err := s.db.WithContext(ctx).Clauses(clause.OnConflict{
			Columns:   []clause.Column{{Name: "trust_ods"}, {Name: "outgoing"}, {Name: "stage"}, {Name: "waiting_on"}, {Name: "has_failed_step"}, {Name: "escalated"}},
			DoUpdates: clause.Assignments(map[string]any{"n": gorm.Expr("move_counts.n + excluded.n")}),
		}).Create(&row).Error
		if err != nil {
			return translate(err, "count moves")
		}
	}
	return nil
}

func cmpBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

// recountMoves counts the active moves afresh (at each migration, which
// also mends counts that processes of an earlier version, which did not
// keep them, left behind). On PostgreSQL the counters are locked against
// writers meanwhile: a move changed while they wait is counted by its own
// transaction once this one ends.
func (s *Store) recountMoves(ctx context.Context) error {
	return s.Tx(ctx, func(tx *Store) error {
		if tx.postgres {
			if err := tx.db.Exec("LOCK TABLE move_counts IN EXCLUSIVE MODE").Error; err != nil {
				return translate(err, "recount moves")
			}
		}
		if err := tx.db.Where("1 = 1").Delete(&models.MoveCount{}).Error; err != nil {
			return translate(err, "recount moves")
		}
		var groups []struct {
			models.Move
			N int
		}
		err := tx.db.Model(&models.Move{}).Select("sending_ods, receiving_ods, status, stage, waiting_on, has_failed_step, escalated, COUNT(*) AS n").
			Where("status = ?", models.MoveActive).Group("sending_ods, receiving_ods, status, stage, waiting_on, has_failed_step, escalated").
			Scan(&groups).Error
		if err != nil {
			return translate(err, "recount moves")
		}
		rows := map[countKey]int{}
		for _, g := range groups {
			for _, k := range countedAs(g.Move) {
				rows[k] += g.N
			}
		}
		out := make([]models.MoveCount, 0, len(rows))
		for k, n := range rows {
			out = append(out, models.MoveCount{TrustODS: k.trust, Outgoing: k.outgoing, Stage: k.stage, WaitingOn: k.waitingOn,
				HasFailedStep: k.failed, Escalated: k.escalated, N: n})
		}
		return eachChunk(out, func(part []models.MoveCount) error {
			return translate(tx.db.Create(&part).Error, "recount moves")
		})
	})
}
