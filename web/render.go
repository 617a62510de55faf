package web

import (
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/nhs-staff-passport/passport/models"
)

//go:embed assets
var assetFiles embed.FS

// formField is one text input with its label, hint and error, as the
// "field" component draws it.
type formField struct {
	ID, Label, Hint, Value, Error, Type, Autocomplete, Class string
}

// DescribedBy names the hint and error the input is described by.
func (f formField) DescribedBy() string {
	var ids []string
	if f.Hint != "" {
		ids = append(ids, f.ID+"-hint")
	}
	if f.Error != "" {
		ids = append(ids, f.ID+"-error")
	}
	return strings.Join(ids, " ")
}

type option struct{ Value, Text string }

// dateField is a date asked as the NHS.UK date input (day, month, year),
// as the "dateInput" component draws it.
type dateField struct {
	ID, Label, Hint, Day, Month, Year, Error string
}

// DescribedBy names the hint (always shown: it gives an example) and the
// error the date is described by.
func (f dateField) DescribedBy() string {
	if f.Error != "" {
		return f.ID + "-hint " + f.ID + "-error"
	}
	return f.ID + "-hint"
}

// dateOf is the date input named id, showing what was typed (form) or
// else the suggestion (YYYY-MM-DD).
func dateOf(id, label, hint string, form url.Values, suggestion, errText string) dateField {
	f := dateField{ID: id, Label: label, Hint: hint, Error: errText,
		Day: form.Get(id + "-day"), Month: form.Get(id + "-month"), Year: form.Get(id + "-year")}
	if f.Day+f.Month+f.Year == "" && suggestion != "" {
		if t, err := time.Parse(time.DateOnly, suggestion); err == nil {
			f.Day, f.Month, f.Year = strconv.Itoa(t.Day()), strconv.Itoa(int(t.Month())), strconv.Itoa(t.Year())
		}
	}
	return f
}

// selectField is a drop-down list, as the "select" component draws it.
type selectField struct {
	ID, Label, Hint, Value, Error string
	Options                       []option
}

// DescribedBy names the hint and error the list is described by.
func (f selectField) DescribedBy() string {
	return formField{ID: f.ID, Hint: f.Hint, Error: f.Error}.DescribedBy()
}

var templateFuncs = template.FuncMap{
	// field id label hint value error type autocomplete class
	"field": func(id, label, hint string, value any, errText, typ, autocomplete, class string) formField {
		v := ""
		if value != nil {
			v = fmt.Sprint(value)
		}
		return formField{ID: id, Label: label, Hint: hint, Value: v, Error: errText, Type: typ, Autocomplete: autocomplete, Class: class}
	},
	// One date style, the NHS's: "4 January 2027", times "2:31pm", in UK
	// time.
	"date":     timeFormat(longDate),
	"datetime": timeFormat(longDate + " at 3:04pm"),
	"day":      dayFormat,
	"longdate": timeFormat(longDate),
	"lower":    lowerFirst,
	"words":    func(s any) string { return strings.ReplaceAll(fmt.Sprint(s), "_", " ") },
	"upper":    strings.ToUpper,
	"title":    func(t models.CredentialType) string { return t.Title() },
	"errFor":   errFor,
	"navItem": func(current, section, href, text string) navLink {
		return navLink{Href: href, Text: text, Current: current == section}
	},
	"stage": func(s string) string {
		if n, ok := stageNames[s]; ok {
			return n
		}
		return s
	},
	"has":  func(vs []string, v string) bool { return slices.Contains(vs, v) },
	"list": func(vs ...string) []string { return vs },
	// selectOf id label hint value error options
	"selectOf": func(id, label, hint, value, errText string, opts []option) selectField {
		return selectField{ID: id, Label: label, Hint: hint, Value: value, Error: errText, Options: opts}
	},
	"newID":       uuid.NewString,
	"dateOf":      dateOf,
	"subjectName": subjectName,
	"levels": func() []option {
		return []option{{"0", "From the file's level column"}, {"1", "Level 1"}, {"2", "Level 2"}, {"3", "Level 3"}}
	},
}

type navLink struct {
	Href, Text string
	Current    bool
}

// ukTime is the zone pages show times in (the binary carries the zone
// database; UTC if it cannot be loaded).
var ukTime = func() *time.Location {
	if loc, err := time.LoadLocation("Europe/London"); err == nil {
		return loc
	}
	return time.UTC
}()

// dayFormat shows a calendar date given as YYYY-MM-DD in the pages' style
// ("4 January 2027"); anything else as it is.
func dayFormat(s string) string {
	if d, err := time.Parse(time.DateOnly, s); err == nil {
		return d.Format(longDate)
	}
	return s
}

// timeFormat shows a time (or *time.Time) in UK time, or a dash for
// none.
func timeFormat(layout string) func(any) string {
	return func(t any) string {
		var v time.Time
		switch x := t.(type) {
		case time.Time:
			v = x
		case *time.Time:
			if x != nil {
				v = *x
			}
		}
		if v.IsZero() {
			return "–"
		}
		return v.In(ukTime).Format(layout)
	}
}

// errFor is the reason given for one field, or "".
func errFor(errs []models.FieldError, field string) string {
	for _, e := range errs {
		if e.Field == field {
			return e.Reason
		}
	}
	return ""
}

// parsePage parses one page with the layout and the shared components.
func parsePage(fsys fs.FS, files ...string) *template.Template {
	all := append([]string{"templates/layout.html", "templates/components.html"}, files...)
	return template.Must(template.New(path.Base(files[0])).Funcs(templateFuncs).ParseFS(fsys, all...))
}

// pageHeaders are sent with every HTML page: nothing is cached that holds
// personal data, nothing loads from elsewhere, and no other site may frame
// the page or read where it came from.
func pageHeaders(c *gin.Context) {
	c.Header("Content-Type", "text/html; charset=utf-8")
	c.Header("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "+
		"form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'")
	c.Header("Referrer-Policy", "no-referrer")
	c.Header("X-Frame-Options", "DENY")
	c.Header("X-Content-Type-Options", "nosniff")
}

// executePage writes a parsed page with the status.
func executePage(c *gin.Context, t *template.Template, status int, data any) {
	pageHeaders(c)
	if c.Writer.Header().Get("Cache-Control") == "" {
		c.Header("Cache-Control", "no-store")
	}
	c.Status(status)
	if err := t.ExecuteTemplate(c.Writer, "layout", data); err != nil {
		_ = c.Error(err)
	}
}

// serveAssets serves the embedded NHS.UK frontend and the service's own
// script and styles under /assets/. Directories are not listed.
func serveAssets(c *gin.Context) {
	name := path.Join("assets", path.Clean("/"+c.Param("path")))
	st, err := fs.Stat(assetFiles, name)
	if err != nil || st.IsDir() {
		c.Status(http.StatusNotFound)
		return
	}
	c.Header("Cache-Control", "public, max-age=86400")
	c.Header("X-Content-Type-Options", "nosniff")
	http.ServeFileFS(c.Writer, c.Request, assetFiles, name)
}
