package web

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/google/uuid"
	"github.com/nhs-staff-passport/passport/internal/emails"
	"github.com/nhs-staff-passport/passport/internal/jobs"
	"github.com/nhs-staff-passport/passport/models"
)

var contactTemplate = parsePage(templateFiles, "templates/contact.html")

type contactPage struct {
	pageData
	Kind   string
	Form   models.Enquiry
	Errors []models.FieldError
}

// ErrorFor is the reason given for one field, or "".
func (d contactPage) ErrorFor(field string) string { return errFor(d.Errors, field) }

func contactTitle(kind string) string {
	if kind == "trust" {
		return "Contact us: trusts"
	}
	return "Contact us: staff"
}

// contactForm: GET /contact/staff and /contact/trust.
func contactForm(kind string) gin.HandlerFunc {
	return func(c *gin.Context) {
		d := contactPage{pageData: pageData{Title: contactTitle(kind), CSRF: csrfTokenAt(c, "/contact/")}, Kind: kind}
		o := takeBack(c, "/contact/"+kind)
		if o.Done != nil {
			render(c, http.StatusOK, "done", pageData{Title: o.Done.Title, Message: o.Done.Message})
			return
		}
		if len(o.Errors) > 0 {
			d.Title, d.Errors = "Error: "+d.Title, o.Errors
			d.Form = models.Enquiry{Name: o.Form.Get("name"), Email: o.Form.Get("email"), TrustODS: o.Form.Get("trust"), Message: o.Form.Get("message")}
		}
		renderContact(c, http.StatusOK, d)
	}
}

func renderContact(c *gin.Context, status int, d contactPage) {
	executePage(c, contactTemplate, status, d)
}

// sendEnquiry: POST /contact/staff and /contact/trust: validated, stored,
// acknowledged by email.
func (h *handlers) sendEnquiry(kind string) gin.HandlerFunc {
	return func(c *gin.Context) {
		if !csrfOK(c) {
			render(c, http.StatusForbidden, "problem", pageData{Title: "Your session has timed out", Message: "Go back to the form and try again."})
			return
		}
		e := models.Enquiry{ID: uuid.NewString(), Kind: kind, Name: c.PostForm("name"), Email: c.PostForm("email"),
			TrustODS: c.PostForm("trust"), Message: c.PostForm("message"), Status: "open", CreatedAt: time.Now().UTC()}
		if err := e.Validate(); err != nil {
			// Back to the form (post, redirect, get) with what was wrong and
			// what was typed.
			o := outcome{Form: url.Values{"name": {c.PostForm("name")}, "email": {c.PostForm("email")}, "trust": {c.PostForm("trust")}, "message": {c.PostForm("message")}}}
			if v, ok := err.(*models.ValidationError); ok {
				o.Errors = v.Fields
			}
			sendBack(c, "/contact/"+kind, o, secureRequest(c))
			return
		}
		if err := h.store.CreateEnquiry(c.Request.Context(), &e); err != nil {
			_ = c.Error(err)
			render(c, http.StatusInternalServerError, "problem", pageData{Title: "Sorry, there is a problem with the service", Message: "Try again later."})
			return
		}
		if h.email != nil && h.allowEmail(c, "enquiry", e.Email, 2, time.Hour) {
			// The enquiry is kept either way; a missing acknowledgement is
			// logged. It says nothing the sender typed: the form must not
			// become a way to email anyone words of one's choosing.
			msg, err := emails.Render("enquiry_received", emails.Data{PublicURL: h.publicURL})
			if err == nil {
				err = h.email.EnqueueEmail(c.Request.Context(), "enquiry/"+e.ID, jobs.Email{To: e.Email, Subject: msg.Subject, Text: msg.Text, HTML: msg.HTML})
			}
			if err != nil {
				_ = c.Error(err)
			}
		}
		sendBack(c, "/contact/"+kind, outcome{Done: &done{Title: "Question sent", Message: "We have emailed you to confirm we have it, and will reply within 2 working days."}},
			secureRequest(c))
	}
}

// allowEmail counts one more email of a kind to an address that anyone
// can cause (a public form) and reports whether it may go; past the limit
// the page answers the same, and nothing is sent.
func (h *handlers) allowEmail(c *gin.Context, kind, to string, max int, window time.Duration) bool {
	if h.recipients == nil {
		return true
	}
	ok, err := h.recipients.Allow(c.Request.Context(), kind, strings.ToLower(to), max, window)
	if err != nil {
		_ = c.Error(err)
		return true // the queue is in the same Redis: the send fails on its own if it is down
	}
	return ok
}
