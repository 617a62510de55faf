package api

import (
	"errors"
	"io"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/nhs-staff-passport/passport/internal/access"
	"github.com/nhs-staff-passport/passport/internal/credentials"
	"github.com/nhs-staff-passport/passport/internal/edge"
	"github.com/nhs-staff-passport/passport/internal/problem"
	"github.com/nhs-staff-passport/passport/models"
)

// importRequest is the JSON form of an import.
type importRequest struct {
	Rows []credentials.ImportRow `json:"rows"`
}

// importCredentials: POST /api/v1/credentials/imports (?dry_run=true), a
// CSV file (text/csv) or {"rows": [...]} (application/json).
func (h *handlers) importCredentials(c *gin.Context) {
	a := access.Actor(c)
	dryRun := c.Query("dry_run") == "true"
	var rows []credentials.ImportRow
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, credentials.MaxImportUpload)
	switch c.ContentType() {
	case "text/csv":
		names, err := h.creds.TrainingNamesOf(c.Request.Context(), a.Trust)
		if err != nil {
			problem.Error(c, err)
			return
		}
		if rows, err = credentials.ParseImportCSV(c.Request.Body, names); err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				problem.Write(c, problem.Problem{Type: problem.Type + "too-large", Status: http.StatusRequestEntityTooLarge,
					Detail: "The file is larger than 32 MB: split it."})
				return
			}
			problem.Error(c, err)
			return
		}
	case "application/json":
		var in importRequest
		if !bindJSONLimit(c, &in, credentials.MaxImportUpload) {
			return
		}
		if len(in.Rows) == 0 || len(in.Rows) > credentials.MaxImportRows {
			var v models.ValidationError
			v.Add("rows", "send 1 to "+strconv.Itoa(credentials.MaxImportRows)+" rows")
			problem.Error(c, &v)
			return
		}
		rows = in.Rows
	default:
		problem.Write(c, problem.Problem{Type: problem.Type + "unsupported-media-type", Status: http.StatusUnsupportedMediaType,
			Detail: "Send text/csv or application/json."})
		return
	}
	res, people, err := h.creds.RecordImport(c.Request.Context(), a, rows, dryRun, "")
	if err != nil {
		problem.Error(c, err)
		return
	}
	if len(people) > 0 && h.moves != nil {
		// The moves waiting on the trust for these people's records look
		// again (or find out at their next reminder).
		if _, err := h.moves.RecordsChangedFor(c.Request.Context(), a, people); err != nil {
			_ = c.Error(err)
		}
	}
	if c.Query("format") == "csv" {
		edge.SendCSV(c, "import-failures.csv", func(w io.Writer) { credentials.WriteImportFailures(w, res.Rows) })
		return
	}
	c.Header("Location", "/api/v1/credentials/imports/"+res.ID)
	status := http.StatusOK
	if res.Issued > 0 {
		status = http.StatusCreated
	}
	c.JSON(status, res)
}

// getImport: GET /api/v1/credentials/imports/{id} (?format=csv: the rows
// not issued, to fix and import again).
func (h *handlers) getImport(c *gin.Context) {
	v, err := h.creds.FindImport(c.Request.Context(), access.Actor(c).Trust, c.Param("id"))
	if err != nil {
		problem.Error(c, err)
		return
	}
	if c.Query("format") == "csv" {
		edge.SendCSV(c, "import-failures.csv", func(w io.Writer) { credentials.WriteImportFailures(w, v.Failed) })
		return
	}
	c.JSON(http.StatusOK, v)
}

type trainingNamesBody struct {
	Names []models.TrainingName `json:"names"`
}

// getTrainingNames: GET /api/v1/trusts/{ods}/training-names.
func (h *handlers) getTrainingNames(c *gin.Context) {
	names, err := h.store.TrainingNames(c.Request.Context(), c.Param("ods"))
	if err != nil {
		problem.Error(c, err)
		return
	}
	if names == nil {
		names = []models.TrainingName{}
	}
	c.JSON(http.StatusOK, trainingNamesBody{Names: names})
}

// putTrainingNames: PUT /api/v1/trusts/{ods}/training-names, the trust's
// own course names for the CSTF subjects (replacing the list).
func (h *handlers) putTrainingNames(c *gin.Context) {
	var in trainingNamesBody
	if !bindJSON(c, &in) {
		return
	}
	names, err := h.creds.SaveTrainingNames(c.Request.Context(), access.Actor(c), c.Param("ods"), in.Names)
	if err != nil {
		problem.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, trainingNamesBody{Names: names})
}
