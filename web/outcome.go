package web

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"github.com/nhs-staff-passport/passport/models"
)

// A form that fails answers with a redirect back to the page it acted on
// (post/redirect/get): no page lives at a POST address, so a reload never
// posts again and a page's live refresh keeps working. What the page
// needs to say why travels in a short-lived cookie for that page alone.

const outcomeCookie = "passport_outcome"

// maxOutcome bounds the cookie; past it the typed values are dropped (the
// errors still show).
const maxOutcome = 3000

// outcome is a refused form's result, as the page shows it after the
// redirect.
type outcome struct {
	Problem string              `json:"p,omitempty"`
	Errors  []models.FieldError `json:"e,omitempty"`
	Form    url.Values          `json:"f,omitempty"`
}

// backWith sends the browser back to path with the outcome of a refused
// form.
func (p *portal) backWith(c *gin.Context, path string, o outcome) {
	o.Form.Del("csrf")
	raw, _ := json.Marshal(o)
	if len(raw) > maxOutcome {
		o.Form = nil
		raw, _ = json.Marshal(o)
	}
	http.SetCookie(c.Writer, &http.Cookie{Name: outcomeCookie, Value: base64.RawURLEncoding.EncodeToString(raw), Path: path, MaxAge: 120,
		HttpOnly: true, Secure: p.secure(c), SameSite: http.SameSiteLaxMode})
	c.Redirect(http.StatusSeeOther, path)
}

// takeOutcome reads, and clears, the outcome a redirect brought to the
// page at path; the zero outcome when there is none.
func (p *portal) takeOutcome(c *gin.Context, path string) outcome {
	var o outcome
	v, err := c.Cookie(outcomeCookie)
	if err != nil || v == "" {
		return o
	}
	http.SetCookie(c.Writer, &http.Cookie{Name: outcomeCookie, Value: "", Path: path, MaxAge: -1,
		HttpOnly: true, Secure: p.secure(c), SameSite: http.SameSiteLaxMode})
	raw, err := base64.RawURLEncoding.DecodeString(v)
	if err != nil || json.Unmarshal(raw, &o) != nil {
		return outcome{}
	}
	// What comes back is shown escaped, as anything typed; it is bounded
	// like any form.
	if len(o.Problem) > 500 || len(o.Errors) > 50 {
		return outcome{}
	}
	return o
}
