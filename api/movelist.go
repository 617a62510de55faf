package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/nhs-staff-passport/passport/internal/access"
	"github.com/nhs-staff-passport/passport/internal/moves"
	"github.com/nhs-staff-passport/passport/internal/problem"
	"github.com/nhs-staff-passport/passport/models"
)

type moveSummaryView struct {
	ID             string            `json:"id"`
	Status         models.MoveStatus `json:"status"`
	Stage          string            `json:"stage"`
	WaitingOn      *models.WaitingOn `json:"waiting_on"`
	Kind           models.MoveKind   `json:"kind"`
	StaffName      string            `json:"staff_name"`
	StaffGroup     models.StaffGroup `json:"staff_group"`
	SendingTrust   string            `json:"sending_trust"`
	ReceivingTrust string            `json:"receiving_trust"`
	StartDate      string            `json:"start_date"`
	HasFailedStep  bool              `json:"has_failed_step"`
	CreatedAt      time.Time         `json:"created_at"`
	UpdatedAt      time.Time         `json:"updated_at"`
}

type moveListView struct {
	Moves      []moveSummaryView `json:"moves"`
	NextCursor *string           `json:"next_cursor"`
}

// listMoves: GET /api/v1/moves, from the read model. Filters: status,
// stage, sending_trust, receiving_trust, direction (in|out), staff_group,
// waiting_on, waiting_on_us, overdue, has_failed_step, q (name or email),
// started_after, started_before; sort (created_at, -created_at); limit;
// cursor.
func (h *handlers) listMoves(c *gin.Context) {
	f, err := moves.Filter(access.Actor(c), c.Request.URL.Query())
	if err != nil {
		problem.Error(c, err)
		return
	}
	rows, next, err := h.moves.ListPage(c.Request.Context(), f)
	if err != nil {
		problem.Error(c, err)
		return
	}
	out := moveListView{Moves: []moveSummaryView{}, NextCursor: next}
	for _, m := range rows {
		s := moveSummaryView{ID: m.ID, Status: m.Status, Stage: m.Stage, Kind: m.Kind, StaffName: m.GivenName + " " + m.FamilyName,
			StaffGroup: m.StaffGroup, SendingTrust: m.SendingODS, ReceivingTrust: m.ReceivingODS, StartDate: m.StartDate.Format(time.DateOnly),
			HasFailedStep: m.HasFailedStep, CreatedAt: m.CreatedAt, UpdatedAt: m.UpdatedAt}
		if m.WaitingOn != models.WaitingNobody {
			w := m.WaitingOn
			s.WaitingOn = &w
		}
		out.Moves = append(out.Moves, s)
	}
	c.JSON(http.StatusOK, out)
}
