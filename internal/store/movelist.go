package store

import (
	"context"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/nhs-staff-passport/passport/models"
)

// MoveFilter narrows a list of moves. Empty fields do not filter.
type MoveFilter struct {
	// Trust limits the list to moves the trust sends or receives; empty
	// for operators, who see every trust's.
	Trust          string
	Status         models.MoveStatus
	Stage          string
	SendingTrust   string
	ReceivingTrust string
	StaffGroup     models.StaffGroup
	WaitingOn      *models.WaitingOn
	HasFailedStep  *bool
	StartedAfter   time.Time
	StartedBefore  time.Time
	// WaitingOnTrust keeps the moves waiting on this trust's answer (as
	// sender or as receiver).
	WaitingOnTrust string
	// Overdue keeps active moves whose current wait has gone past every
	// reminder and been escalated.
	Overdue bool
	// Search matches the staff member's name or email address (within the
	// trust's moves).
	Search string
	// Oldest lists oldest first; the default is newest first.
	Oldest bool
	// After is the position of the last move of the previous page.
	After *MovePosition
	Limit int
}

// MovePosition is a move's place in the list order.
type MovePosition struct {
	CreatedAt time.Time
	ID        string
}

// MoveSummary is one line of a list of moves.
type MoveSummary struct {
	models.Move
	GivenName  string
	FamilyName string
}

// ListMoves returns a page of moves in creation order, keyed on (created,
// id) so that moves added meanwhile never shift or repeat a page.
func (s *Store) ListMoves(ctx context.Context, f MoveFilter) ([]MoveSummary, error) {
	order := "created_at DESC, id DESC"
	if f.Oldest {
		order = "created_at ASC, id ASC"
	}
	var out []MoveSummary
	if f.Trust == "" {
		err := s.filteredMoves(ctx, f).Order(qualify(order)).Limit(f.Limit).Scan(&out).Error
		return out, translate(err, "list moves")
	}
	// A trust's moves are those it sends and those it receives. Each side
	// is read in list order from its own index, only as far as a page, and
	// the two are merged: the page costs the same however many moves the
	// trust has.
	sending := s.filteredMoves(ctx, f).Where("moves.sending_ods = ?", f.Trust).Order(qualify(order)).Limit(f.Limit)
	receiving := s.filteredMoves(ctx, f).Where("moves.receiving_ods = ? AND moves.sending_ods <> ?", f.Trust, f.Trust).
		Order(qualify(order)).Limit(f.Limit)
	err := s.db.WithContext(ctx).Raw("SELECT * FROM (SELECT * FROM (?) AS s UNION ALL SELECT * FROM (?) AS r) AS m ORDER BY "+order+" LIMIT ?",
		sending, receiving, f.Limit).Scan(&out).Error
	return out, translate(err, "list moves")
}

func qualify(order string) string {
	return strings.NewReplacer("created_at", "moves.created_at", "id ", "moves.id ").Replace(order)
}

// filteredMoves is the list's query with every filter but the trust's.
func (s *Store) filteredMoves(ctx context.Context, f MoveFilter) *gorm.DB {
	q := s.db.WithContext(ctx).Table("moves").
		Select("moves.*, passports.given_name, passports.family_name").
		Joins("JOIN passports ON passports.id = moves.passport_id")
	eq := map[string]string{
		"moves.status": string(f.Status), "moves.stage": f.Stage, "moves.sending_ods": f.SendingTrust,
		"moves.receiving_ods": f.ReceivingTrust, "moves.staff_group": string(f.StaffGroup),
	}
	for _, col := range []string{"moves.status", "moves.stage", "moves.sending_ods", "moves.receiving_ods", "moves.staff_group"} {
		if v := eq[col]; v != "" {
			q = q.Where(col+" = ?", v)
		}
	}
	if f.WaitingOn != nil {
		q = q.Where("moves.waiting_on = ?", *f.WaitingOn)
	}
	if f.HasFailedStep != nil {
		q = q.Where("moves.has_failed_step = ?", *f.HasFailedStep)
	}
	if f.WaitingOnTrust != "" {
		q = q.Where("((moves.sending_ods = ? AND moves.waiting_on = ?) OR (moves.receiving_ods = ? AND moves.waiting_on = ?))",
			f.WaitingOnTrust, models.WaitingSendingTrust, f.WaitingOnTrust, models.WaitingReceivingTrust)
	}
	if f.Overdue {
		q = q.Where("moves.escalated = ? AND moves.status = ?", true, models.MoveActive)
	}
	if s := strings.ToLower(strings.TrimSpace(f.Search)); s != "" {
		like := "%" + likeEscaper.Replace(s) + "%"
		q = q.Where("(LOWER(passports.given_name || ' ' || passports.family_name) LIKE ? ESCAPE '\\' OR passports.email LIKE ? ESCAPE '\\')", like, like)
	}
	if !f.StartedAfter.IsZero() {
		q = q.Where("moves.created_at >= ?", f.StartedAfter.UTC())
	}
	if !f.StartedBefore.IsZero() {
		q = q.Where("moves.created_at < ?", f.StartedBefore.UTC())
	}
	if f.After != nil {
		op := "<"
		if f.Oldest {
			op = ">"
		}
		at := f.After.CreatedAt.UTC()
		q = q.Where("(moves.created_at "+op+" ? OR (moves.created_at = ? AND moves.id "+op+" ?))", at, at, f.After.ID)
	}
	return q
}

var likeEscaper = strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`)

// MoveCounts are the numbers on a dashboard, each counted by the database.
type MoveCounts struct {
	// Active counts active moves by stage.
	Active      map[string]int
	ActiveTotal int
	Outgoing    int
	Incoming    int
	WaitingOnUs int
	Overdue     int
	Failed      int
}

// CountMoves counts a trust's active moves (every trust's when trust is
// ""), from the counters kept with the moves.
func (s *Store) CountMoves(ctx context.Context, trust string) (MoveCounts, error) {
	var rows []struct {
		Stage         string
		WaitingOn     models.WaitingOn
		HasFailedStep bool
		Escalated     bool
		Outgoing      bool
		N             int
	}
	// The maintained counters (move_counts): a few rows per trust, however
	// many moves are open.
	err := s.db.WithContext(ctx).Model(&models.MoveCount{}).Select("stage, waiting_on, has_failed_step, escalated, outgoing, n").
		Where("trust_ods = ? AND n <> 0", trust).Scan(&rows).Error
	out := MoveCounts{Active: map[string]int{}}
	for _, r := range rows {
		out.Active[r.Stage] += r.N
		out.ActiveTotal += r.N
		ours := models.WaitingOperator // every trust's moves: an operator's turn
		switch {
		case trust == "":
		case r.Outgoing:
			out.Outgoing += r.N
			ours = models.WaitingSendingTrust
		default:
			out.Incoming += r.N
			ours = models.WaitingReceivingTrust
		}
		if r.WaitingOn == ours {
			out.WaitingOnUs += r.N
		}
		if r.Escalated {
			out.Overdue += r.N
		}
		if r.HasFailedStep {
			out.Failed += r.N
		}
	}
	return out, translate(err, "count moves")
}
