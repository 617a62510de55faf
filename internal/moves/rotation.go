package moves

import (
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/nhs-staff-passport/passport/models"
)

// MaxRotationRows bounds one upload: a deanery's August rotation fits.
const MaxRotationRows = 5000

// RotationColumns are the CSV header's columns; the first five are required.
var RotationColumns = []string{
	"email", "given_name", "family_name", "staff_group", "receiving_trust",
	"kind", "start_date", "end_date", "requested_credentials", "sending_trust",
	"registration_body", "registration_number",
}

// RowResult is what became of one row.
type RowResult struct {
	Row    int                 `json:"row"`
	Result string              `json:"result"` // started | already_started | invalid
	MoveID string              `json:"move_id,omitempty"`
	Errors []models.FieldError `json:"errors,omitempty"`
}

// RotationResult answers an upload, row by row.
type RotationResult struct {
	Started        int         `json:"started"`
	AlreadyStarted int         `json:"already_started"`
	Invalid        int         `json:"invalid"`
	Rows           []RowResult `json:"rows"`
}

// ParseRotationCSV reads an upload. Columns are named by the header row, in
// any order; requested_credentials lists types separated by spaces or
// semicolons. kind defaults to rotation.
func ParseRotationCSV(r io.Reader) ([]StartRequest, error) {
	cr := csv.NewReader(r)
	cr.TrimLeadingSpace = true
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return nil, invalidUpload("the file is not CSV with a header row")
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))] = i
	}
	for _, need := range RotationColumns[:5] {
		if _, ok := col[need]; !ok {
			return nil, invalidUpload("the header lacks the column " + need)
		}
	}
	for name := range col {
		known := false
		for _, c := range RotationColumns {
			known = known || c == name
		}
		if !known {
			return nil, invalidUpload("unknown column " + name)
		}
	}
	var out []StartRequest
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, invalidUpload(fmt.Sprintf("line %d is not valid CSV", len(out)+2))
		}
		if len(out) == MaxRotationRows {
			return nil, invalidUpload(fmt.Sprintf("more than %d rows; split the file", MaxRotationRows))
		}
		get := func(name string) string {
			if i, ok := col[name]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		var req StartRequest
		req.Staff.Email, req.Staff.GivenName, req.Staff.FamilyName = get("email"), get("given_name"), get("family_name")
		req.Staff.StaffGroup = models.StaffGroup(get("staff_group"))
		req.ReceivingTrust, req.SendingTrust = get("receiving_trust"), get("sending_trust")
		req.Kind, req.StartDate, req.EndDate = models.MoveKind(get("kind")), get("start_date"), get("end_date")
		if req.Kind == "" {
			req.Kind = models.KindRotation
		}
		for _, t := range strings.FieldsFunc(get("requested_credentials"), func(r rune) bool { return r == ' ' || r == ';' }) {
			req.RequestedCredentials = append(req.RequestedCredentials, models.CredentialType(t))
		}
		if b, n := get("registration_body"), get("registration_number"); b != "" || n != "" {
			req.Staff.ProfessionalRegistration = &Registration{Body: b, Number: n}
		}
		out = append(out, req)
	}
	if len(out) == 0 {
		return nil, invalidUpload("the file has no rows")
	}
	return out, nil
}

func invalidUpload(reason string) error {
	var v models.ValidationError
	v.Add("file", reason)
	return &v
}

// rowKey makes a row's idempotency key from who moves where and when, so
// the same upload again starts nothing twice.
func rowKey(actor models.Actor, r StartRequest) string {
	sending := r.SendingTrust
	if sending == "" {
		sending = actor.Trust
	}
	sum := sha256.Sum256([]byte(strings.ToLower(strings.Join([]string{
		sending, strings.TrimSpace(r.Staff.Email), r.ReceivingTrust, string(r.Kind), r.StartDate}, "|"))))
	return "rotation:" + hex.EncodeToString(sum[:16])
}

// StartRotation starts every valid row (a few at a time) and reports on
// each. A row that fails for another reason than its own fields stops
// nothing else; its error is returned with the results so far.
func (s *Service) StartRotation(ctx context.Context, actor models.Actor, rows []StartRequest) (RotationResult, error) {
	res := RotationResult{Rows: make([]RowResult, len(rows))}
	ctx = withLookups(ctx, s.RotationStartDelay)
	const parallel = 32
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
		next     = make(chan int)
	)
	for range parallel {
		wg.Go(func() {
			for i := range next {
				rr := RowResult{Row: i + 1}
				mv, created, err := s.Start(ctx, actor, rows[i], rowKey(actor, rows[i]))
				var verr *models.ValidationError
				switch {
				case errors.As(err, &verr):
					rr.Result, rr.Errors = "invalid", verr.Fields
					for i, f := range rr.Errors {
						if f.Field == "Idempotency-Key" { // a row's key is made from it
							rr.Errors[i] = models.FieldError{Field: "row", Reason: "a move of this person to the same trust, of the same kind and start, was uploaded before with other details"}
						}
					}
				case err != nil:
					mu.Lock()
					if firstErr == nil {
						firstErr = fmt.Errorf("row %d: %w", i+1, err)
					}
					mu.Unlock()
					rr.Result = "error"
				case created:
					rr.Result, rr.MoveID = "started", mv.ID
				default:
					rr.Result, rr.MoveID = "already_started", mv.ID
				}
				res.Rows[i] = rr
			}
		})
	}
	for i := range rows {
		next <- i
	}
	close(next)
	wg.Wait()
	for _, r := range res.Rows {
		switch r.Result {
		case "started":
			res.Started++
		case "already_started":
			res.AlreadyStarted++
		case "invalid":
			res.Invalid++
		}
	}
	return res, firstErr
}
