package api

import (
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/nhs-staff-passport/passport/internal/store"
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

const maxPage = 100

// listMoves: GET /api/v1/moves, from the read model. Filters: status,
// stage, sending_trust, receiving_trust, direction (in|out), staff_group,
// waiting_on, has_failed_step, started_after, started_before; sort
// (created_at, -created_at); limit; cursor.
func (h *handlers) listMoves(c *gin.Context) {
	a := actor(c)
	f := store.MoveFilter{Limit: 25}
	if a.Role != models.RoleOperator {
		f.Trust = a.Trust
	}
	var v models.ValidationError
	q := c.Request.URL.Query()
	allowed := map[string]bool{"status": true, "stage": true, "sending_trust": true, "receiving_trust": true, "direction": true,
		"staff_group": true, "waiting_on": true, "has_failed_step": true, "started_after": true, "started_before": true,
		"sort": true, "limit": true, "cursor": true}
	for k := range q {
		if !allowed[k] {
			v.Add(k, "is not a filter of this list")
		}
	}
	if s := q.Get("status"); s != "" {
		switch models.MoveStatus(s) {
		case models.MoveActive, models.MoveCompleted, models.MoveCancelled, models.MoveDeclined, models.MoveExpired:
			f.Status = models.MoveStatus(s)
		default:
			v.Add("status", "must be active, completed, cancelled, declined or expired")
		}
	}
	if s := q.Get("stage"); s != "" {
		known := append(models.StepNames(), "completed", "closed")
		ok := false
		for _, k := range known {
			ok = ok || k == s
		}
		if !ok {
			v.Add("stage", "must be one of "+strings.Join(known, ", "))
		}
		f.Stage = s
	}
	f.SendingTrust, f.ReceivingTrust = strings.ToUpper(q.Get("sending_trust")), strings.ToUpper(q.Get("receiving_trust"))
	switch q.Get("direction") {
	case "":
	case "out":
		f.SendingTrust = a.Trust
	case "in":
		f.ReceivingTrust = a.Trust
	default:
		v.Add("direction", "must be in or out")
	}
	if s := q.Get("staff_group"); s != "" {
		if !models.StaffGroup(s).Valid() {
			v.Add("staff_group", "must be temporary_mover or doctor_in_training")
		}
		f.StaffGroup = models.StaffGroup(s)
	}
	if q.Has("waiting_on") {
		w := models.WaitingOn(q.Get("waiting_on"))
		switch w {
		case models.WaitingNobody, models.WaitingStaff, models.WaitingSendingTrust, models.WaitingReceivingTrust, models.WaitingOperator:
			f.WaitingOn = &w
		default:
			v.Add("waiting_on", "must be staff, sending_trust, receiving_trust, operator or empty")
		}
	}
	if s := q.Get("has_failed_step"); s != "" {
		b, err := strconv.ParseBool(s)
		if err != nil {
			v.Add("has_failed_step", "must be true or false")
		}
		f.HasFailedStep = &b
	}
	for _, p := range []struct {
		name string
		dst  *time.Time
	}{{"started_after", &f.StartedAfter}, {"started_before", &f.StartedBefore}} {
		if s := q.Get(p.name); s != "" {
			t, err := parseTimeOrDate(s)
			if err != nil {
				v.Add(p.name, "must be a date YYYY-MM-DD or an RFC 3339 time")
			}
			*p.dst = t
		}
	}
	switch q.Get("sort") {
	case "", "-created_at":
	case "created_at":
		f.Oldest = true
	default:
		v.Add("sort", "must be created_at or -created_at")
	}
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > maxPage {
			v.Add("limit", "must be between 1 and 100")
		}
		f.Limit = n
	}
	if s := q.Get("cursor"); s != "" {
		pos, ok := decodeCursor(s)
		if !ok {
			v.Add("cursor", "is not a cursor from this list")
		}
		f.After = &pos
	}
	if err := v.Err(); err != nil {
		writeError(c, err)
		return
	}
	want := f.Limit
	f.Limit++ // one more tells whether there is a next page
	rows, err := h.store.ListMoves(c, f)
	if err != nil {
		writeError(c, err)
		return
	}
	out := moveListView{Moves: []moveSummaryView{}}
	for i, m := range rows {
		if i == want {
			cur := encodeCursor(rows[want-1].CreatedAt, rows[want-1].ID)
			out.NextCursor = &cur
			break
		}
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

func parseTimeOrDate(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	return time.Parse(time.DateOnly, s)
}

// A cursor is the position of a page's last move, opaque to clients.
func encodeCursor(at time.Time, id string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(at.UTC().Format(time.RFC3339Nano) + "|" + id))
}

func decodeCursor(s string) (store.MovePosition, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return store.MovePosition{}, false
	}
	at, id, ok := strings.Cut(string(raw), "|")
	t, err := time.Parse(time.RFC3339Nano, at)
	if !ok || err != nil || len(id) != 36 {
		return store.MovePosition{}, false
	}
	return store.MovePosition{CreatedAt: t, ID: id}, true
}
