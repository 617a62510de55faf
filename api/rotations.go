package api

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/nhs-staff-passport/passport/internal/access"
	"github.com/nhs-staff-passport/passport/internal/moves"
	"github.com/nhs-staff-passport/passport/internal/problem"
	"github.com/nhs-staff-passport/passport/models"
)

// startRotation: POST /api/v1/rotations, a CSV file (text/csv) or a JSON
// array of moves as POST /api/v1/moves takes them. Every row is checked
// and the upload recorded, then answered at once (202, with the rotation's
// address): rows with errors in their own fields have their outcome, the
// rest are started in the background and their outcomes appear at
// GET /api/v1/rotations/{id}. `?format=csv` answers with the rows refused
// so far as CSV, to fix and upload again.
func (h *handlers) startRotation(c *gin.Context) {
	var rows []moves.StartRequest
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, moves.MaxUpload)
	switch c.ContentType() {
	case "text/csv":
		var err error
		if rows, err = moves.ParseRotationCSV(c.Request.Body); err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				problem.Write(c, problem.Problem{Type: problem.Type + "too-large", Status: http.StatusRequestEntityTooLarge})
				return
			}
			problem.Error(c, err)
			return
		}
	case "application/json":
		if !bindJSONLimit(c, &rows, moves.MaxUpload) {
			return
		}
		if len(rows) == 0 || len(rows) > moves.MaxRotationRows {
			var v models.ValidationError
			v.Add("body", "send 1 to "+strconv.Itoa(moves.MaxRotationRows)+" moves")
			problem.Error(c, &v)
			return
		}
	default:
		problem.Write(c, problem.Problem{Type: problem.Type + "unsupported-media-type", Status: http.StatusUnsupportedMediaType,
			Detail: "Send text/csv or application/json."})
		return
	}
	up, err := h.moves.SubmitRotation(c.Request.Context(), access.Actor(c), "", rows)
	if err != nil {
		problem.Error(c, err)
		return
	}
	c.Header("Location", "/api/v1/rotations/"+up.ID)
	h.rotationAnswer(c, http.StatusAccepted, up)
}

// getRotation: GET /api/v1/rotations/{id}, an upload's progress and each
// row's outcome so far (`?summary=true`: the counts alone, to poll;
// `?format=csv`: the rows that did not start).
func (h *handlers) getRotation(c *gin.Context) {
	up, err := h.store.RotationUpload(c.Request.Context(), access.Actor(c).Trust, c.Param("id"))
	if err != nil {
		problem.Error(c, err)
		return
	}
	h.rotationAnswer(c, http.StatusOK, up)
}

// rotationView is an upload as the API shows it.
type rotationView struct {
	ID             string                `json:"id"`
	Status         models.RotationStatus `json:"status"` // starting | done
	Total          int                   `json:"total"`
	Started        int                   `json:"started"`
	AlreadyStarted int                   `json:"already_started"`
	Invalid        int                   `json:"invalid"`
	NotTried       int                   `json:"not_tried"`
	Pending        int                   `json:"pending"`
	CreatedAt      time.Time             `json:"created_at"`
	FinishedAt     *time.Time            `json:"finished_at,omitempty"`
	Rows           []moves.RowResult     `json:"rows"`
}

func (h *handlers) rotationAnswer(c *gin.Context, status int, up models.RotationUpload) {
	rows := []moves.RowResult{}
	if c.Query("summary") != "true" || c.Query("format") == "csv" {
		var err error
		if rows, err = h.moves.RotationResults(c.Request.Context(), up); err != nil {
			problem.Error(c, err)
			return
		}
	}
	if c.Query("format") == "csv" {
		c.Header("Content-Disposition", `attachment; filename="rotation-failures.csv"`)
		c.Header("Content-Type", "text/csv; charset=utf-8")
		c.Status(status)
		moves.WriteFailures(c.Writer, rows)
		return
	}
	total := up.Rows
	if total == 0 { // recorded before the job
		total = up.Started + up.AlreadyStarted + up.Invalid
	}
	c.JSON(status, rotationView{ID: up.ID, Status: up.Status, Total: total, Started: up.Started, AlreadyStarted: up.AlreadyStarted,
		Invalid: up.Invalid, NotTried: up.Errored, Pending: up.Pending(), CreatedAt: up.CreatedAt, FinishedAt: up.FinishedAt, Rows: rows})
}

// writeFailuresCSV writes the rows of an upload that did not start, one line
// per field at fault, to fix and upload again.
