package api

import (
	"encoding/csv"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/nhs-staff-passport/passport/internal/moves"
	"github.com/nhs-staff-passport/passport/models"
)

// maxUpload bounds a rotation upload (5,000 rows fit in well under this).
const maxUpload = 8 << 20

// startRotation: POST /api/v1/rotations, a CSV file (text/csv) or a JSON
// array of moves as POST /api/v1/moves takes them. Every row is validated,
// the valid ones started, and each row answered; `?format=csv` answers with
// the failed rows as CSV, to fix and upload again.
func (h *handlers) startRotation(c *gin.Context) {
	var rows []moves.StartRequest
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, maxUpload)
	switch c.ContentType() {
	case "text/csv":
		var err error
		if rows, err = moves.ParseRotationCSV(c.Request.Body); err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				writeProblem(c, Problem{Type: problemType + "too-large", Status: http.StatusRequestEntityTooLarge})
				return
			}
			writeError(c, err)
			return
		}
	case "application/json":
		if !bindJSONLimit(c, &rows, maxUpload) {
			return
		}
		if len(rows) == 0 || len(rows) > moves.MaxRotationRows {
			var v models.ValidationError
			v.Add("body", "send 1 to "+strconv.Itoa(moves.MaxRotationRows)+" moves")
			writeError(c, &v)
			return
		}
	default:
		writeProblem(c, Problem{Type: problemType + "unsupported-media-type", Status: http.StatusUnsupportedMediaType,
			Detail: "Send text/csv or application/json."})
		return
	}
	res, err := h.moves.StartRotation(c.Request.Context(), actor(c), rows)
	if err != nil {
		_ = c.Error(err) // the rows that could not be tried say "error"; the rest stand
	}
	if c.Query("format") == "csv" {
		c.Header("Content-Type", "text/csv; charset=utf-8")
		c.Header("Content-Disposition", `attachment; filename="rotation-failures.csv"`)
		writeFailuresCSV(c.Writer, res.Rows)
		return
	}
	status := http.StatusOK
	if res.Started > 0 {
		status = http.StatusCreated
	}
	c.JSON(status, res)
}

// writeFailuresCSV writes the rows of an upload that did not start, one line
// per field at fault, to fix and upload again.
func writeFailuresCSV(out io.Writer, rows []moves.RowResult) {
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
			_ = w.Write([]string{strconv.Itoa(r.Row), r.Result, csvCell(e.Field), csvCell(e.Reason)})
		}
	}
	w.Flush()
}

// csvCell keeps a cell from being read as a formula by a spreadsheet: a
// reason may quote what was uploaded.
func csvCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
