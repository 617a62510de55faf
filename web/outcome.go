package web

import (
	"bytes"
	"compress/flate"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/nhs-staff-passport/passport/models"
)

// A form that fails answers with a redirect back to the page it acted on
// (post/redirect/get): no page lives at a POST address, so a reload never
// posts again and a page's live refresh keeps working. What the page
// needs to say why travels in a short-lived cookie for that page alone.

const outcomeCookie = "passport_outcome"

// maxOutcome bounds the cookie's value (a browser keeps cookies of up to
// 4 KB); past it the typed values are dropped (the errors still show).
const maxOutcome = 3600

// outcome is a refused form's result, as the page shows it after the
// redirect.
type outcome struct {
	Problem string              `json:"p,omitempty"`
	Errors  []models.FieldError `json:"e,omitempty"`
	Form    url.Values          `json:"f,omitempty"`
	// Done, on a staff link's page, is what a form did (a title and what
	// happens next): the link is used up, so the page says so instead.
	Done *done `json:"d,omitempty"`
}

// done is a form's success in words.
type done struct {
	Title   string `json:"t"`
	Message string `json:"m"`
}

// backWith sends the browser back to page (a path, with its query if it
// has one) with the outcome of a refused form.
func (p *portal) backWith(c *gin.Context, page string, o outcome) { sendBack(c, page, o, p.secure(c)) }

// takeOutcome reads, and clears, the outcome a redirect brought to the
// page at path; the zero outcome when there is none.
func (p *portal) takeOutcome(c *gin.Context, path string) outcome { return takeBack(c, path) }

// secureRequest reports whether the request came over https (directly or
// through a trusted proxy), for the cookies of the public pages.
func secureRequest(c *gin.Context) bool {
	return c.Request.TLS != nil || strings.HasPrefix(c.GetHeader("X-Forwarded-Proto"), "https")
}

// sendBack sends the browser to page with an outcome for it.
func sendBack(c *gin.Context, page string, o outcome, secure bool) {
	path, _, _ := strings.Cut(page, "?")
	o.Form.Del("csrf")
	value := packOutcome(o)
	if len(value) > maxOutcome {
		o.Form = nil
		value = packOutcome(o)
	}
	http.SetCookie(c.Writer, &http.Cookie{Name: outcomeCookie, Value: value, Path: path, MaxAge: 120,
		HttpOnly: true, Secure: secure, SameSite: http.SameSiteLaxMode})
	c.Redirect(http.StatusSeeOther, page)
}

// takeBack reads, and clears, the outcome a redirect brought to the page
// at path (its Form never nil: what was typed, or nothing).
func takeBack(c *gin.Context, path string) outcome {
	o := readBack(c, path)
	if o.Form == nil {
		o.Form = url.Values{}
	}
	return o
}

func readBack(c *gin.Context, path string) outcome {
	var o outcome
	v, err := c.Cookie(outcomeCookie)
	if err != nil || v == "" {
		return o
	}
	http.SetCookie(c.Writer, &http.Cookie{Name: outcomeCookie, Value: "", Path: path, MaxAge: -1,
		HttpOnly: true, Secure: secureRequest(c), SameSite: http.SameSiteLaxMode})
	packed, err := base64.RawURLEncoding.DecodeString(v)
	if err != nil {
		return outcome{}
	}
	// At most 64 KB unpacked: a cookie made up to be a bomb is dropped.
	raw, err := io.ReadAll(io.LimitReader(flate.NewReader(bytes.NewReader(packed)), 64<<10))
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

// packOutcome is an outcome as a cookie's value: JSON, deflated, base64.
func packOutcome(o outcome) string {
	raw, _ := json.Marshal(o)
	var b bytes.Buffer
	w, _ := flate.NewWriter(&b, flate.BestCompression)
	_, _ = w.Write(raw)
	_ = w.Close()
	return base64.RawURLEncoding.EncodeToString(b.Bytes())
}
