package web

import (
	"embed"
	"html/template"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/nhs-staff-passport/passport/internal/admin"
	"github.com/nhs-staff-passport/passport/internal/credentials"
)

//go:embed templates/help/*.html templates/layout.html templates/components.html templates/trusts.html
var helpFiles embed.FS

// HelpPages maps each help page's path to its title; emails and pages link
// to these paths.
var HelpPages = map[string]string{
	"/help":                           "Help with Staff Passport",
	"/help/staff/passport":            "What the Staff Passport is",
	"/help/staff/moving":              "How a move works",
	"/help/staff/identity":            "Confirming your identity",
	"/help/staff/sharing":             "What is shared, and how to withdraw your consent",
	"/help/staff/several-invitations": "Invitations from more than one trust",
	"/help/staff/expired-link":        "If a link has expired or does not work",
	"/help/trusts/joining":            "Joining the service",
	"/help/trusts/portal":             "Signing in and your team",
	"/help/trusts/starting-moves":     "Starting a move or a rotation",
	"/help/trusts/reviewing":          "Reviewing the credentials you receive",
	"/help/trusts/passports":          "Recording checks and training on passports",
	"/help/trusts/imports":            "Importing records from your HR and learning systems",
	"/help/trusts/failed-steps":       "What a failed step means and how to retry it",
	"/help/trusts/api":                "Connecting your systems: the API and webhooks",
}

var helpTemplates = func() map[string]*template.Template {
	out := map[string]*template.Template{}
	for path := range HelpPages {
		file := "templates/help/index.html"
		if path != "/help" {
			file = "templates/help/" + strings.ReplaceAll(strings.TrimPrefix(path, "/help/"), "/", "-") + ".html"
		}
		out[path] = parsePage(helpFiles, file)
	}
	out["/trusts"] = parsePage(helpFiles, "templates/trusts.html")
	return out
}()

// helpPage serves one help page.
func helpPage(c *gin.Context) {
	path := strings.TrimSuffix(c.Request.URL.Path, "/")
	t, ok := helpTemplates[path]
	if !ok {
		render(c, http.StatusNotFound, "problem", pageData{Title: "Page not found",
			Message: "There is no help page at this address. See all help at /help."})
		return
	}
	c.Header("Cache-Control", "public, max-age=300")
	d := pageData{Title: HelpPages[path]}
	if path == "/help/trusts/imports" {
		d.Columns = credentials.ImportColumns()
	}
	executePage(c, t, http.StatusOK, d)
}

type trustsPage struct {
	pageData
	Query  string
	Trusts []admin.PublicTrust
}

// trustsListPage: GET /trusts, the public list with search.
func (h *handlers) trustsListPage(c *gin.Context) {
	trusts, err := h.store.RegisteredTrusts(c.Request.Context())
	if err != nil {
		_ = c.Error(err)
		render(c, http.StatusInternalServerError, "problem", pageData{Title: "Sorry, there is a problem with the service", Message: "Try again later."})
		return
	}
	d := trustsPage{pageData: pageData{Title: "Trusts taking part"}, Query: strings.TrimSpace(c.Query("q"))}
	q := strings.ToLower(d.Query)
	for _, t := range trusts {
		if q == "" || strings.Contains(strings.ToLower(t.Name), q) || strings.EqualFold(t.ODSCode, q) {
			d.Trusts = append(d.Trusts, admin.PublicTrust{ODSCode: t.ODSCode, Name: t.Name, Region: t.Region, RegisteredSince: t.RegisteredAt})
		}
	}
	executePage(c, helpTemplates["/trusts"], http.StatusOK, d)
}

// homePage: GET /, the front door for staff and trusts alike.
func (h *handlers) homePage(c *gin.Context) {
	d := pageData{Title: "Staff Passport: move between NHS trusts without repeating your checks"}
	if trusts, err := h.admin.Trusts(c.Request.Context()); err == nil {
		d.Count = len(trusts)
	} else {
		_ = c.Error(err) // the page stands without the count
	}
	c.Header("Cache-Control", "no-cache")
	render(c, http.StatusOK, "home", d)
}
