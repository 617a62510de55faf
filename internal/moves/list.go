package moves

import (
	"context"
	"encoding/base64"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/nhs-staff-passport/passport/internal/store"
	"github.com/nhs-staff-passport/passport/models"
)

// MaxPage is the most moves one page of a list holds.
const MaxPage = 100

// ListPage reads one page of moves and the cursor of the next, if any.
func (s *Service) ListPage(ctx context.Context, f store.MoveFilter) ([]store.MoveSummary, *string, error) {
	want := f.Limit
	f.Limit++ // one more tells whether there is a next page
	rows, err := s.Store.ListMoves(ctx, f)
	if err != nil || len(rows) <= want {
		return rows, nil, err
	}
	cur := encodeCursor(rows[want-1].CreatedAt, rows[want-1].ID)
	return rows[:want], &cur, nil
}

// moveFilterParams are the query parameters of a list of moves.
var moveFilterParams = map[string]bool{"status": true, "stage": true, "sending_trust": true, "receiving_trust": true, "direction": true,
	"staff_group": true, "waiting_on": true, "waiting_on_us": true, "overdue": true, "has_failed_step": true, "q": true,
	"started_after": true, "started_before": true, "sort": true, "limit": true, "cursor": true}

// Filter reads a list's filters from the query, scoped to what the
// actor may see; the API and the portal's list share it. Empty values do
// not filter.
func Filter(a models.Actor, q url.Values) (store.MoveFilter, error) {
	f := store.MoveFilter{Limit: 25}
	if a.Role != models.RoleOperator {
		f.Trust = a.Trust
	}
	var v models.ValidationError
	for k := range q {
		if !moveFilterParams[k] {
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
		if !slices.Contains(known, s) {
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
	flag := func(name string) bool {
		s := q.Get(name)
		if s == "" {
			return false
		}
		b, err := strconv.ParseBool(s)
		if err != nil {
			v.Add(name, "must be true or false")
		}
		return b
	}
	if flag("waiting_on_us") {
		if a.Role == models.RoleOperator {
			w := models.WaitingOperator
			f.WaitingOn = &w
		} else {
			f.WaitingOnTrust = a.Trust
		}
	}
	f.Overdue = flag("overdue")
	if q.Get("has_failed_step") != "" {
		b := flag("has_failed_step")
		f.HasFailedStep = &b
	}
	if s := strings.TrimSpace(q.Get("q")); s != "" {
		if len(s) > 200 {
			v.Add("q", "must be at most 200 characters")
		}
		f.Search = s
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
		if err != nil || n < 1 || n > MaxPage {
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
	return f, v.Err()
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
