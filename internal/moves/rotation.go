package moves

import (
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"

	"github.com/google/uuid"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"

	"github.com/nhs-staff-passport/passport/models"
	"github.com/nhs-staff-passport/passport/workflows"
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
	Result string              `json:"result"` // pending | started | already_started | invalid | error
	MoveID string              `json:"move_id,omitempty"`
	Errors []models.FieldError `json:"errors,omitempty"`
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

// RotationBatch is how many rows one step of a rotation's job starts, and
// RotationParallel how many of them at once. The job starts a batch, waits
// for it to end and starts the next: its pace is what the machine
// sustains with RotationParallel starts in flight, and the API, the pages
// and the moves already started keep the rest of it.
const (
	RotationBatch    = 100
	RotationParallel = 16
)

// SubmitRotation checks every row of an upload and records the upload,
// then starts its job (the rotation workflow) and returns at once: the
// rows with errors in their own fields have their outcome already, the
// rest are started in the background. Nothing is recorded when the job
// cannot be started (the caller sends the file again).
func (s *Service) SubmitRotation(ctx context.Context, actor models.Actor, fileName string, rows []StartRequest) (models.RotationUpload, error) {
	now := s.now().UTC()
	up := models.RotationUpload{ID: uuid.NewString(), TrustODS: actor.Trust, UserID: actor.ID, ActorKind: actor.Kind, ActorRole: actor.Role,
		FileName: fileName, Status: models.RotationStarting, Rows: len(rows), CreatedAt: now}
	recs := make([]models.RotationRow, len(rows))
	lctx := withLookups(ctx, 0)
	for i, req := range rows {
		rec := models.RotationRow{UploadID: up.ID, Row: i + 1, MoveID: uuid.NewString()}
		checked := req
		_, err := s.validate(lctx, actor, &checked)
		var verr *models.ValidationError
		switch {
		case errors.As(err, &verr):
			rec.Result, rec.MoveID = "invalid", ""
			data, _ := json.Marshal(verr.Fields)
			rec.Errors = string(data)
			up.Invalid++
		case err != nil:
			return models.RotationUpload{}, err
		default:
			data, err := json.Marshal(req)
			if err != nil {
				return models.RotationUpload{}, err
			}
			rec.Request = string(data)
		}
		recs[i] = rec
	}
	if up.Invalid == len(rows) {
		fin := now
		up.Status, up.FinishedAt = models.RotationDone, &fin
	}
	if err := s.Store.CreateRotation(ctx, &up, recs); err != nil {
		return models.RotationUpload{}, err
	}
	if up.Status == models.RotationDone {
		return up, nil
	}
	_, err := s.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                       workflows.RotationWorkflowID(up.ID),
		TaskQueue:                s.TaskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
	}, workflows.RotationWorkflowName, workflows.RotationInput{UploadID: up.ID, RetryWindow: s.RetryWindow})
	if err != nil {
		if derr := s.Store.DeleteRotation(context.WithoutCancel(ctx), up.ID); derr != nil {
			err = errors.Join(err, derr)
		}
		return models.RotationUpload{}, fmt.Errorf("moves: start the rotation's job: %v: %w", err, models.ErrUnavailable)
	}
	return up, nil
}

// StartRotationBatch is the rotation job's step (an activity): it starts
// up to max rows that have no outcome yet, a few at a time, records each
// row's outcome and reports how many rows are left. A row that fails for
// another reason than its own fields (the database, Temporal) keeps no
// outcome and the step returns an error, to be retried: a row run again
// finds the move it started by the ID planned for it, so nothing starts
// twice and its outcome still reads "started".
func (s *Service) StartRotationBatch(ctx context.Context, in workflows.RotationBatchInput) (workflows.RotationBatchResult, error) {
	up, err := s.Store.RotationUpload(ctx, "", in.UploadID)
	if err != nil {
		return workflows.RotationBatchResult{}, err
	}
	pending, err := s.Store.PendingRotationRows(ctx, in.UploadID, max(1, in.Max))
	if err != nil {
		return workflows.RotationBatchResult{}, err
	}
	actor := up.Actor()
	ctx = withLookups(ctx, s.RotationStartDelay)
	outcomes := make([]models.RotationRow, len(pending))
	errs := make([]error, len(pending))
	beat := func() {}
	if activity.IsActivity(ctx) {
		beat = func() { activity.RecordHeartbeat(ctx) }
	}
	// Each row's request, read once; a row that cannot be read (it was
	// written by this service) is invalid rather than retried.
	reqs := make([]StartRequest, len(pending))
	unread := make([]bool, len(pending))
	for i, r := range pending {
		unread[i] = json.Unmarshal([]byte(r.Request), &reqs[i]) != nil
	}
	run := func(i int) {
		defer beat()
		r, req := pending[i], reqs[i]
		out := models.RotationRow{Row: r.Row}
		if unread[i] {
			out.Result, out.Errors = "invalid", fieldErrors(models.FieldError{Field: "row", Reason: "could not be read"})
			outcomes[i] = out
			return
		}
		mv, created, err := s.start(ctx, actor, req, rowKey(actor, req), r.MoveID)
		var verr *models.ValidationError
		switch {
		case errors.As(err, &verr):
			for i, f := range verr.Fields {
				if f.Field == "Idempotency-Key" { // a row's key is made from it
					verr.Fields[i] = models.FieldError{Field: "row", Reason: "a move of this person to the same trust, of the same kind and start, was uploaded before with other details"}
				}
			}
			out.Result, out.Errors = "invalid", fieldErrors(verr.Fields...)
		case err != nil:
			errs[i] = fmt.Errorf("row %d: %w", r.Row, err)
			return
		case created || mv.ID == r.MoveID:
			out.Result, out.MoveID = "started", mv.ID
		default:
			out.Result, out.MoveID = "already_started", mv.ID
		}
		outcomes[i] = out
	}
	// Rows for the same move (the same person, trust, kind and start) run
	// one after another, in file order, so the first is the one started.
	seen := map[string]bool{}
	var first, later []int
	for i, req := range reqs {
		if k := rowKey(actor, req); seen[k] {
			later = append(later, i)
		} else {
			seen[k] = true
			first = append(first, i)
		}
	}
	for _, group := range [][]int{first, later} {
		next := make(chan int)
		var wg sync.WaitGroup
		for range RotationParallel {
			wg.Go(func() {
				for i := range next {
					run(i)
				}
			})
		}
		for _, i := range group {
			next <- i
		}
		close(next)
		wg.Wait()
	}
	settled := outcomes[:0:0]
	for i, o := range outcomes {
		if errs[i] == nil {
			settled = append(settled, o)
		}
	}
	up, err = s.Store.SettleRotationRows(ctx, in.UploadID, settled)
	if err != nil {
		return workflows.RotationBatchResult{}, err
	}
	if err := errors.Join(errs...); err != nil {
		return workflows.RotationBatchResult{Pending: up.Pending()}, err
	}
	return workflows.RotationBatchResult{Pending: up.Pending()}, nil
}

// AbandonRotation gives every row still without an outcome the outcome
// "error" (not tried), when the job has given up: the service was away for
// longer than the retry window. The rows are listed among the failures to
// upload again.
func (s *Service) AbandonRotation(ctx context.Context, uploadID string) error {
	for {
		rows, err := s.Store.PendingRotationRows(ctx, uploadID, 1000)
		if err != nil {
			return err
		}
		for i := range rows {
			rows[i] = models.RotationRow{Row: rows[i].Row, Result: "error",
				Errors: fieldErrors(models.FieldError{Field: "row", Reason: "not tried: the service could not start it; upload the row again"})}
		}
		if _, err := s.Store.SettleRotationRows(ctx, uploadID, rows); err != nil || len(rows) == 0 {
			return err
		}
	}
}

func fieldErrors(fs ...models.FieldError) string {
	data, _ := json.Marshal(fs)
	return string(data)
}

// RotationResults reads an upload's rows as results, in file order.
func (s *Service) RotationResults(ctx context.Context, up models.RotationUpload) ([]RowResult, error) {
	if up.Results != "" || up.Rows == 0 { // recorded whole, before the job
		var out []RowResult
		if up.Results != "" {
			if err := json.Unmarshal([]byte(up.Results), &out); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	rows, err := s.Store.RotationRows(ctx, up.ID)
	if err != nil {
		return nil, err
	}
	out := make([]RowResult, len(rows))
	for i, r := range rows {
		out[i] = RowResult{Row: r.Row, Result: r.Result, MoveID: r.MoveID}
		if r.Result == "" {
			out[i].Result, out[i].MoveID = "pending", ""
		}
		if r.Result == "invalid" || r.Result == "error" {
			out[i].MoveID = ""
		}
		if r.Errors != "" {
			_ = json.Unmarshal([]byte(r.Errors), &out[i].Errors)
		}
	}
	return out, nil
}

// MaxUpload bounds a rotation upload (5,000 rows fit in well under this).
const MaxUpload = 8 << 20

// WriteFailures writes the rows of a rotation that did not start a move,
// one line per fault, for a spreadsheet.
func WriteFailures(out io.Writer, rows []RowResult) {
	w := csv.NewWriter(out)
	_ = w.Write([]string{"row", "result", "field", "reason"})
	for _, r := range rows {
		if r.Result != "invalid" && r.Result != "error" {
			continue
		}
		if len(r.Errors) == 0 {
			_ = w.Write([]string{strconv.Itoa(r.Row), r.Result, "", "not tried: try the upload again"})
		}
		for _, e := range r.Errors {
			_ = w.Write([]string{strconv.Itoa(r.Row), r.Result, models.SpreadsheetCell(e.Field), models.SpreadsheetCell(e.Reason)})
		}
	}
	w.Flush()
}
