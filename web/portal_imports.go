package web

import (
	"errors"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/nhs-staff-passport/passport/internal/access"
	"github.com/nhs-staff-passport/passport/internal/credentials"
	"github.com/nhs-staff-passport/passport/internal/edge"
	"github.com/nhs-staff-passport/passport/models"
)

// The portal's imports: a CSV file from a trust's HR or learning system,
// checked row by row (a dry run issues nothing), with a page of results
// and a CSV of the rows to fix; and the trust's own course names.

type importsData struct {
	Imports  []models.CredentialImport
	Names    []models.TrainingName
	Subjects []option
	Form     url.Values
	Max      string
}

// importsPage: GET /portal/imports.
func (p *portal) importsPage(c *gin.Context) {
	o := p.takeOutcome(c, "/portal/imports")
	p.showImports(c, http.StatusOK, o.Form, o.Errors)
}

func (p *portal) showImports(c *gin.Context, status int, form url.Values, errs []models.FieldError) {
	u := currentUser(c)
	imps, err := p.store.CredentialImports(c.Request.Context(), u.TrustODS, 10)
	if err != nil {
		p.portalError(c, err)
		return
	}
	names, err := p.store.TrainingNames(c.Request.Context(), u.TrustODS)
	if err != nil {
		p.portalError(c, err)
		return
	}
	d := importsData{Imports: imps, Names: names, Form: form, Max: "50,000"}
	d.Subjects = []option{{"", "Choose the subject"}}
	for _, s := range models.CSTFSubjects() {
		d.Subjects = append(d.Subjects, option{s.ID, s.Name})
	}
	p.page(c, status, "imports", portalPage{Title: "Import records", Section: "passports", Flash: flash(c), Errors: errs, Data: d})
}

// uploadImport: POST /portal/imports (multipart: file, and check_only for
// a dry run).
func (p *portal) uploadImport(c *gin.Context) {
	u := currentUser(c)
	fh, err := c.FormFile("file")
	if err != nil {
		p.backWith(c, "/portal/imports", outcome{Form: c.Request.PostForm, Errors: []models.FieldError{{Field: "file", Reason: "Select a CSV file to import"}}})
		return
	}
	if fh.Size > credentials.MaxImportUpload {
		p.backWith(c, "/portal/imports", outcome{Form: c.Request.PostForm, Errors: []models.FieldError{{Field: "file", Reason: "The file must be smaller than 32 MB: split it"}}})
		return
	}
	file, err := fh.Open()
	if err != nil {
		p.portalError(c, err)
		return
	}
	defer file.Close()
	names, err := p.creds.TrainingNamesOf(c.Request.Context(), u.TrustODS)
	if err != nil {
		p.portalError(c, err)
		return
	}
	rows, err := credentials.ParseImportCSV(file, names)
	var v *models.ValidationError
	if errors.As(err, &v) {
		reason := "The file is not an import CSV"
		if len(v.Fields) > 0 {
			reason = capitalise(v.Fields[0].Reason)
		}
		p.backWith(c, "/portal/imports", outcome{Form: c.Request.PostForm, Errors: []models.FieldError{{Field: "file", Reason: reason}}})
		return
	} else if err != nil {
		p.portalError(c, err)
		return
	}
	a := access.Actor(c)
	res, people, err := p.creds.RecordImport(c.Request.Context(), a, rows, c.PostForm("check_only") == "yes", edge.FileLabel(fh.Filename))
	if err != nil {
		p.portalError(c, err)
		return
	}
	p.tellMovesAtRecords(c, a, people...)
	c.Redirect(http.StatusSeeOther, "/portal/imports/"+res.ID)
}

type importData struct {
	credentials.ImportRecord
	Shown []credentials.ImportRowResult
	More  int
}

// maxFailuresShown bounds the rows a results page lists; the CSV has all.
const maxFailuresShown = 500

// importPage: GET /portal/imports/{id}, what became of an import.
func (p *portal) importPage(c *gin.Context) {
	v, err := p.creds.FindImport(c.Request.Context(), currentUser(c).TrustODS, c.Param("id"))
	if err != nil {
		p.portalError(c, err)
		return
	}
	d := importData{ImportRecord: v, Shown: v.Failed}
	if len(d.Shown) > maxFailuresShown {
		d.Shown, d.More = d.Shown[:maxFailuresShown], len(v.Failed)-maxFailuresShown
	}
	title := "Import results"
	if v.DryRun {
		title = "Check results"
	}
	p.page(c, http.StatusOK, "import", portalPage{Title: title, Section: "passports", Data: d})
}

// importFailures: GET /portal/imports/{id}/failures.csv.
func (p *portal) importFailures(c *gin.Context) {
	v, err := p.creds.FindImport(c.Request.Context(), currentUser(c).TrustODS, c.Param("id"))
	if err != nil {
		p.portalError(c, err)
		return
	}
	edge.SendCSV(c, "import-failures.csv", func(w io.Writer) { credentials.WriteImportFailures(w, v.Failed) })
}

// addTrainingNameForm: POST /portal/imports/names, one more of the trust's
// own course names.
func (p *portal) addTrainingNameForm(c *gin.Context) {
	u := currentUser(c)
	names, err := p.store.TrainingNames(c.Request.Context(), u.TrustODS)
	if err != nil {
		p.portalError(c, err)
		return
	}
	level, _ := strconv.Atoi(c.PostForm("level"))
	added := models.TrainingName{Name: c.PostForm("name"), Subject: c.PostForm("subject"), Level: level}
	_, err = p.creds.SaveTrainingNames(c.Request.Context(), access.Actor(c), u.TrustODS, append(names, added))
	var v *models.ValidationError
	if errors.As(err, &v) {
		var errs []models.FieldError
		for _, fe := range v.Fields {
			switch {
			case fe.Field == "names":
				errs = append(errs, models.FieldError{Field: "name", Reason: "Your trust has 500 course names: remove one first"})
			case strings.HasSuffix(fe.Field, ".name"):
				errs = append(errs, models.FieldError{Field: "name", Reason: "Enter the course's name as your system exports it, up to 200 characters, once"})
			case strings.HasSuffix(fe.Field, ".subject"):
				errs = append(errs, models.FieldError{Field: "subject", Reason: "Select the subject the course covers"})
			default:
				errs = append(errs, models.FieldError{Field: "level", Reason: "Select a level the subject is taught at"})
			}
		}
		p.backWith(c, "/portal/imports", outcome{Form: c.Request.PostForm, Errors: errs})
		return
	}
	if err != nil {
		p.portalError(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/portal/imports?done=saved#names")
}

// removeTrainingNameForm: POST /portal/imports/names/remove.
func (p *portal) removeTrainingNameForm(c *gin.Context) {
	u := currentUser(c)
	names, err := p.store.TrainingNames(c.Request.Context(), u.TrustODS)
	if err != nil {
		p.portalError(c, err)
		return
	}
	names = slices.DeleteFunc(names, func(n models.TrainingName) bool { return n.Name == c.PostForm("name") })
	if _, err := p.creds.SaveTrainingNames(c.Request.Context(), access.Actor(c), u.TrustODS, names); err != nil {
		p.portalError(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/portal/imports?done=removed#names")
}
