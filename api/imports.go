package api

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/nhs-staff-passport/passport/internal/credentials"
	"github.com/nhs-staff-passport/passport/internal/store"
	"github.com/nhs-staff-passport/passport/models"
)

// maxImportUpload bounds an import: 50,000 rows of a wide CSV file fit.
const maxImportUpload = 32 << 20

// importRequest is the JSON form of an import.
type importRequest struct {
	Rows []credentials.ImportRow `json:"rows"`
}

// runImport imports rows for the actor's trust, keeps the results (counts
// and the rows not issued) and lets the moves waiting on the trust for
// those people's records look again.
func (h *handlers) runImport(c *gin.Context, a models.Actor, rows []credentials.ImportRow, dryRun bool, fileName string) (credentials.ImportResult, error) {
	ctx := c.Request.Context()
	res, err := h.creds.Import(ctx, a, rows, dryRun)
	if err != nil {
		return res, err
	}
	var failed []credentials.ImportRowResult
	for _, r := range res.Rows {
		if r.Result == credentials.ImportInvalid {
			failed = append(failed, r)
		}
	}
	raw, err := json.Marshal(failed)
	if err != nil {
		return res, err
	}
	imp := models.CredentialImport{ID: uuid.NewString(), TrustODS: a.Trust, ActorID: a.ID, FileName: fileLabel(fileName), DryRun: dryRun,
		Rows: len(res.Rows), Issued: res.Issued + res.WouldIssue, AlreadyIssued: res.AlreadyIssued, Invalid: res.Invalid,
		PeopleAdded: res.PeopleAdded, Failures: string(raw), CreatedAt: time.Now().UTC()}
	if err := h.store.SaveCredentialImport(ctx, &imp); err != nil {
		return res, err
	}
	res.ID = imp.ID
	if !dryRun && res.Issued > 0 && h.moves != nil {
		seen := map[string]bool{}
		var people []string
		for _, r := range res.Rows {
			if r.Result == credentials.ImportIssued && !seen[r.PassportID] {
				seen[r.PassportID] = true
				people = append(people, r.PassportID)
			}
		}
		if _, err := h.moves.RecordsChangedFor(ctx, a, people); err != nil {
			_ = c.Error(err) // the moves find out at their next reminder
		}
	}
	return res, nil
}

// trainingNames is the trust's lookup of course names.
func (h *handlers) trainingNames(c *gin.Context, trust string) (credentials.TrainingNames, error) {
	own, err := h.store.TrainingNames(c.Request.Context(), trust)
	return credentials.NewTrainingNames(own), err
}

// importCredentials: POST /api/v1/credentials/imports (?dry_run=true), a
// CSV file (text/csv) or {"rows": [...]} (application/json).
func (h *handlers) importCredentials(c *gin.Context) {
	a := actor(c)
	dryRun := c.Query("dry_run") == "true"
	var rows []credentials.ImportRow
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, maxImportUpload)
	switch c.ContentType() {
	case "text/csv":
		names, err := h.trainingNames(c, a.Trust)
		if err != nil {
			writeError(c, err)
			return
		}
		if rows, err = credentials.ParseImportCSV(c.Request.Body, names); err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				writeProblem(c, Problem{Type: problemType + "too-large", Status: http.StatusRequestEntityTooLarge,
					Detail: "The file is larger than 32 MB: split it."})
				return
			}
			writeError(c, err)
			return
		}
	case "application/json":
		var in importRequest
		if !bindJSONLimit(c, &in, maxImportUpload) {
			return
		}
		if len(in.Rows) == 0 || len(in.Rows) > credentials.MaxImportRows {
			var v models.ValidationError
			v.Add("rows", "send 1 to "+strconv.Itoa(credentials.MaxImportRows)+" rows")
			writeError(c, &v)
			return
		}
		rows = in.Rows
	default:
		writeProblem(c, Problem{Type: problemType + "unsupported-media-type", Status: http.StatusUnsupportedMediaType,
			Detail: "Send text/csv or application/json."})
		return
	}
	res, err := h.runImport(c, a, rows, dryRun, "")
	if err != nil {
		writeError(c, err)
		return
	}
	if c.Query("format") == "csv" {
		sendCSV(c, "import-failures.csv", func(w io.Writer) { writeImportFailures(w, res.Rows) })
		return
	}
	c.Header("Location", "/api/v1/credentials/imports/"+res.ID)
	status := http.StatusOK
	if res.Issued > 0 {
		status = http.StatusCreated
	}
	c.JSON(status, res)
}

// importView is an import as kept: its counts and the rows not issued.
type importView struct {
	models.CredentialImport
	Failed []credentials.ImportRowResult `json:"failed_rows"`
}

func (h *handlers) importView(c *gin.Context, trust, id string) (importView, error) {
	imp, err := h.store.CredentialImport(c.Request.Context(), trust, id)
	if err != nil {
		return importView{}, err
	}
	v := importView{CredentialImport: imp, Failed: []credentials.ImportRowResult{}}
	if err := json.Unmarshal([]byte(imp.Failures), &v.Failed); err != nil {
		return v, err
	}
	return v, nil
}

// getImport: GET /api/v1/credentials/imports/{id} (?format=csv: the rows
// not issued, to fix and import again).
func (h *handlers) getImport(c *gin.Context) {
	v, err := h.importView(c, actor(c).Trust, c.Param("id"))
	if err != nil {
		writeError(c, err)
		return
	}
	if c.Query("format") == "csv" {
		sendCSV(c, "import-failures.csv", func(w io.Writer) { writeImportFailures(w, v.Failed) })
		return
	}
	c.JSON(http.StatusOK, v)
}

// sendCSV answers with a CSV file to download, kept by no cache.
func sendCSV(c *gin.Context, name string, write func(io.Writer)) {
	var b bytes.Buffer
	write(&b)
	c.Header("Content-Disposition", `attachment; filename="`+name+`"`)
	c.Header("Cache-Control", "no-store")
	c.Data(http.StatusOK, "text/csv; charset=utf-8", b.Bytes())
}

// writeImportFailures writes the rows of an import that were not issued,
// one line per fault.
func writeImportFailures(out io.Writer, rows []credentials.ImportRowResult) {
	w := csv.NewWriter(out)
	_ = w.Write([]string{"row", "field", "reason"})
	for _, r := range rows {
		if r.Result != credentials.ImportInvalid {
			continue
		}
		for _, e := range r.Errors {
			_ = w.Write([]string{strconv.Itoa(r.Row), csvCell(e.Field), csvCell(e.Reason)})
		}
	}
	w.Flush()
}

type trainingNamesBody struct {
	Names []models.TrainingName `json:"names"`
}

// getTrainingNames: GET /api/v1/trusts/{ods}/training-names.
func (h *handlers) getTrainingNames(c *gin.Context) {
	names, err := h.store.TrainingNames(c.Request.Context(), c.Param("ods"))
	if err != nil {
		writeError(c, err)
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
	names, err := h.saveTrainingNames(c, actor(c), c.Param("ods"), in.Names)
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, trainingNamesBody{Names: names})
}

// maxTrainingNames bounds a trust's own course names.
const maxTrainingNames = 500

// saveTrainingNames checks and replaces a trust's course names, and
// records who did.
func (h *handlers) saveTrainingNames(c *gin.Context, a models.Actor, trust string, names []models.TrainingName) ([]models.TrainingName, error) {
	var v models.ValidationError
	if len(names) > maxTrainingNames {
		v.Add("names", "at most "+strconv.Itoa(maxTrainingNames)+" names")
	}
	seen := map[string]bool{}
	now := time.Now().UTC()
	for i := range names {
		n := &names[i]
		field := "names[" + strconv.Itoa(i) + "]"
		n.Name, n.TrustODS, n.Created = strings.TrimSpace(n.Name), trust, now
		key, _ := credentials.NormaliseTrainingName(n.Name)
		switch {
		case n.Name == "" || utf8.RuneCountInString(n.Name) > 200 || !models.CleanText(n.Name, false) || key == "":
			v.Add(field+".name", "give the course's name as your system exports it, up to 200 characters")
		case seen[key]:
			v.Add(field+".name", "is listed twice")
		}
		seen[key] = true
		s, ok := models.CSTFSubjectByID(n.Subject)
		if !ok {
			v.Add(field+".subject", "must be one of the 11 CSTF subjects: "+strings.Join(models.CSTFSubjectIDs(), ", "))
		} else if n.Level < 0 || n.Level > s.MaxLevel {
			v.Add(field+".level", "must be 0 (from the level column) or 1 to "+strconv.Itoa(s.MaxLevel))
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	err := h.store.Audited(c.Request.Context(), a, "training_names.changed", "trust", trust, map[string]int{"names": len(names)},
		func(tx *store.Store) error { return tx.SaveTrainingNames(c.Request.Context(), trust, names) })
	if names == nil {
		names = []models.TrainingName{}
	}
	return names, err
}
