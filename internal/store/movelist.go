package store

import (
	"context"
	"time"

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
	q := s.db.WithContext(ctx).Table("moves").
		Select("moves.*, passports.given_name, passports.family_name").
		Joins("JOIN passports ON passports.id = moves.passport_id")
	if f.Trust != "" {
		q = q.Where("(moves.sending_ods = ? OR moves.receiving_ods = ?)", f.Trust, f.Trust)
	}
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
	if !f.StartedAfter.IsZero() {
		q = q.Where("moves.created_at >= ?", f.StartedAfter.UTC())
	}
	if !f.StartedBefore.IsZero() {
		q = q.Where("moves.created_at < ?", f.StartedBefore.UTC())
	}
	order := "moves.created_at DESC, moves.id DESC"
	if f.Oldest {
		order = "moves.created_at ASC, moves.id ASC"
	}
	if f.After != nil {
		op := "<"
		if f.Oldest {
			op = ">"
		}
		at := f.After.CreatedAt.UTC()
		q = q.Where("(moves.created_at "+op+" ? OR (moves.created_at = ? AND moves.id "+op+" ?))", at, at, f.After.ID)
	}
	var out []MoveSummary
	err := q.Order(order).Limit(f.Limit).Scan(&out).Error
	return out, translate(err, "list moves")
}
