package web

import (
	"crypto/rand"
	"crypto/subtle"
	"embed"
	"encoding/hex"
	"errors"
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/nhs-staff-passport/passport/internal/credentials"
	"github.com/nhs-staff-passport/passport/internal/moves"
	"github.com/nhs-staff-passport/passport/models"
)

//go:embed templates/*.html templates/portal/*.html
var templateFiles embed.FS

// pageTemplates holds one template set per page, each with the layout.
var pageTemplates = func() map[string]*template.Template {
	out := map[string]*template.Template{}
	for _, name := range []string{"invitation", "identity", "consent", "passport", "done", "problem", "home"} {
		out[name] = parsePage(templateFiles, "templates/"+name+".html")
	}
	return out
}()

type holderCredential struct {
	Title, Subject, Issuer string
	Status                 models.CredentialStatus
	ValidUntil             *time.Time
}

type holderShare struct{ Title, State string }

type pageData struct {
	Passport    models.Passport
	Credentials []holderCredential
	Shares      []holderShare
	CanWithdraw bool
	Title       string
	Message     string
	Error       string
	CSRF        string
	Link        moves.Link
	DevIdentity bool
	Requested   []moves.RequestedItem
	Wording     string
	// Columns are an import file's, for its help page.
	Columns []credentials.ImportColumn
	// Count is how many trusts take part, for the front door.
	Count int
}

func render(c *gin.Context, status int, page string, d pageData) {
	executePage(c, pageTemplates[page], status, d) // no-referrer: the URL may hold a link's token
}

const csrfCookie = "passport_csrf"

// csrfToken sets a fresh double-submit token for the link pages.
func csrfToken(c *gin.Context) string { return csrfTokenAt(c, "/s/") }

// csrfTokenAt sets a fresh double-submit token: a cookie the browser sends
// back only from our own pages under path, and the same value in the form.
func csrfTokenAt(c *gin.Context, path string) string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	tok := hex.EncodeToString(b)
	http.SetCookie(c.Writer, &http.Cookie{
		Name: csrfCookie, Value: tok, Path: path, HttpOnly: true, SameSite: http.SameSiteStrictMode,
		Secure: c.Request.TLS != nil || strings.HasPrefix(c.GetHeader("X-Forwarded-Proto"), "https"), MaxAge: 3600,
	})
	return tok
}

func csrfOK(c *gin.Context) bool {
	cookie, err := c.Cookie(csrfCookie)
	form := c.PostForm("csrf")
	return err == nil && cookie != "" && subtle.ConstantTimeCompare([]byte(cookie), []byte(form)) == 1
}

// linkProblem shows why a link cannot be used, without saying more than
// the person needs.
func linkProblem(c *gin.Context, err error) {
	var refused *models.RefusedError
	switch {
	case errors.As(err, &refused):
		render(c, http.StatusConflict, "problem", pageData{Title: "This link cannot be used", Message: capitalise(refused.Reason) + "."})
	case errors.Is(err, models.ErrNotFound):
		render(c, http.StatusNotFound, "problem", pageData{Title: "This link is not valid", Message: "Check that you copied the whole link from the email."})
	default:
		_ = c.Error(err)
		render(c, http.StatusInternalServerError, "problem", pageData{Title: "Sorry, there is a problem with the service", Message: "Try again later."})
	}
}

func capitalise(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// linkPage: GET /s/{token}, the page behind an emailed link.
func (h *handlers) linkPage(c *gin.Context) {
	o := takeBack(c, "/s/"+c.Param("token"))
	if o.Done != nil { // what the form just did (the link is used up now)
		render(c, http.StatusOK, "done", pageData{Title: o.Done.Title, Message: o.Done.Message})
		return
	}
	l, err := h.moves.ResolveLink(c.Request.Context(), c.Param("token"))
	if err != nil {
		linkProblem(c, err)
		return
	}
	h.showLink(c, http.StatusOK, l, o.Problem)
}

func (h *handlers) showLink(c *gin.Context, status int, l moves.Link, problem string) {
	d := pageData{CSRF: csrfToken(c), Link: l, DevIdentity: h.moves.DevIdentity, Error: problem}
	switch l.Token.Action {
	case models.LinkAcceptInvitation:
		d.Title = "Your move to " + l.Receiving.Name
		render(c, status, "invitation", d)
	case models.LinkVerifyIdentity:
		d.Title = "Confirm your identity"
		render(c, status, "identity", d)
	case models.LinkGiveConsent:
		d.Title = "Choose what to share"
		if problem != "" {
			d.Title = "Error: " + d.Title
		}
		d.Requested = l.Requested()
		d.Wording = moves.ConsentText(l.Receiving.Name)
		render(c, status, "consent", d)
	case models.LinkViewPassport:
		p, shares, err := h.moves.HolderPassport(c.Request.Context(), l)
		if err != nil {
			linkProblem(c, err)
			return
		}
		d.Title, d.Passport = "Your Staff Passport", p
		now := time.Now()
		names := map[string]string{}
		for _, cr := range p.Credentials {
			if _, ok := names[cr.IssuerODS]; !ok {
				names[cr.IssuerODS] = cr.IssuerODS
				if t, err := h.store.Trust(c.Request.Context(), cr.IssuerODS); err == nil {
					names[cr.IssuerODS] = t.Name
				}
			}
			d.Credentials = append(d.Credentials, holderCredential{Title: cr.Name(),
				Issuer: names[cr.IssuerODS], Status: cr.Status(now), ValidUntil: cr.ValidUntil})
		}
		for _, sh := range shares {
			state := string(sh.Decision)
			if sh.RevokedAt != nil {
				state = "access ended"
			} else {
				d.CanWithdraw = true
			}
			d.Shares = append(d.Shares, holderShare{Title: sh.CredentialType.Title(), State: state})
		}
		render(c, status, "passport", d)
	default:
		linkProblem(c, moves.ErrLinkInvalid)
	}
}

// linkAction: POST /s/{token}, the person's answer.
func (h *handlers) linkAction(c *gin.Context) {
	token := c.Param("token")
	if !csrfOK(c) {
		render(c, http.StatusForbidden, "problem", pageData{Title: "Your session has timed out",
			Message: "Go back to the link in your email and try again."})
		return
	}
	var (
		l     moves.Link
		err   error
		title string
		msg   string
	)
	switch c.PostForm("action") {
	case "accept":
		l, err = h.moves.AcceptInvitation(c.Request.Context(), token)
		title, msg = "Invitation accepted", "Thank you. Next, we will ask you to confirm your identity, or go straight to choosing what to share if your passport already holds an identity check."
	case "simulate":
		l, err = h.moves.SimulateIdentity(c.Request.Context(), token)
		title, msg = "Identity confirmed", "Thank you. Next, we will email you a link to choose what to share. If your trust has checks to record on your passport first, that may take a few days."
	case "consent":
		var types []models.CredentialType
		for _, t := range c.PostFormArray("type") {
			types = append(types, models.CredentialType(t))
		}
		if len(types) == 0 {
			l, err = h.moves.ResolveLink(c.Request.Context(), token)
			if err != nil {
				linkProblem(c, err)
				return
			}
			sendBack(c, "/s/"+token, outcome{Problem: "Tick at least one thing to share, or choose to share nothing and stop the move"}, secureRequest(c))
			return
		}
		l, err = h.moves.GiveConsent(c.Request.Context(), token, types)
		title, msg = "Shared", "What you chose is being checked and sent. We will email you when the move is complete."
	case "withdraw":
		l, err = h.moves.WithdrawConsent(c.Request.Context(), token)
		title, msg = "Consent withdrawn", "The receiving trust can no longer see what you shared. The trusts have been told."
	case "decline":
		l, err = h.moves.Decline(c.Request.Context(), token, "declined by the member of staff")
		title, msg = "Move stopped", "Nothing from your passport was shared. The trusts have been told."
	default:
		render(c, http.StatusBadRequest, "problem", pageData{Title: "Something went wrong", Message: "Go back to the link in your email and try again."})
		return
	}
	if err != nil {
		linkProblem(c, err)
		return
	}
	if action := c.PostForm("action"); action == "accept" || action == "simulate" {
		// The next question opens straight away when it is ready (its
		// email still goes, for later); otherwise the page says who the
		// move waits on now.
		next, mv, err := h.moves.NextStep(c.Request.Context(), l)
		switch {
		case err != nil:
			_ = c.Error(err) // the email brings the next step
		case next != "":
			c.Redirect(http.StatusSeeOther, "/s/"+next)
			return
		case mv.Status == models.MoveActive && mv.WaitingOn == models.WaitingSendingTrust:
			title, msg = "Done for now", "Thank you. "+l.Sending.Name+" is adding some records to your passport first. We will email you when there is something for you to do."
		case mv.Status == models.MoveActive && mv.WaitingOn == models.WaitingStaff:
			msg = "Thank you. We have emailed you a link for the next step."
		}
	}
	// Post, redirect, get: a reload shows this again rather than posting.
	sendBack(c, "/s/"+token, outcome{Done: &done{Title: title, Message: msg}}, secureRequest(c))
}
