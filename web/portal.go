package web

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/nhs-staff-passport/passport/internal/access"
	"github.com/nhs-staff-passport/passport/internal/emails"
	"github.com/nhs-staff-passport/passport/internal/jobs"
	"github.com/nhs-staff-passport/passport/internal/linktoken"
	"github.com/nhs-staff-passport/passport/internal/store"
	"github.com/nhs-staff-passport/passport/models"
)

// The portal is where people (HR, trust administrators, operators) work in
// a browser. They sign in with a single-use emailed link; a session cookie
// then carries them, and every form carries a token bound to the session.
const (
	sessionCookie = "passport_session"
	// sessionIdle ends a session not used for this long; sessionMax ends
	// any session this long after sign-in.
	sessionIdle = time.Hour
	sessionMax  = 12 * time.Hour
	// signInValid and inviteValid are how long emailed sign-in links work.
	signInValid = 15 * time.Minute
	inviteValid = 7 * 24 * time.Hour
	// sessionTouchEvery bounds how often a session's last use is written.
	sessionTouchEvery = time.Minute
)

// portal serves the pages under /portal.
type portal struct {
	*handlers
	links     *linktoken.Signer
	publicURL string
	// dev offers one-click sign-in as the demo users and lets the session
	// cookie travel over plain HTTP.
	dev bool
}

// sessionUser is the person signed in, as pages see them.
type sessionUser struct {
	models.User
	TrustName string
	CSRF      string
	sessionID string
}

// Can reports whether the person's role has a permission, for pages that
// show or hide an action.
func (u *sessionUser) Can(action string) bool {
	p, ok := portalPermissions[action]
	return ok && p.Allows(u.Role)
}

var portalPermissions = map[string]access.Permission{
	"start": access.StartMoves, "cancel": access.Cancel, "identity": access.Identity, "decide": access.Decide,
	"retry": access.Retry, "deadline": access.Deadline, "settings": access.SeeSettings, "manage": access.ManageTrust,
	"operate": access.Operate, "passports": access.Passports, "records": access.Records,
}

// portalPage is what every portal page is drawn from.
type portalPage struct {
	Title   string
	User    *sessionUser
	Section string // dashboard | moves | start | rotations | settings | operator
	Flash   string
	Errors  []models.FieldError
	Data    any
}

// ErrorFor is the reason given for one field, or "".
func (d portalPage) ErrorFor(field string) string { return errFor(d.Errors, field) }

// portalTemplates holds each portal page with the layout and the portal's
// header.
var portalTemplates = func() map[string]*template.Template {
	out := map[string]*template.Template{}
	for _, name := range []string{"sign-in", "sign-in-sent", "sign-in-link", "signed-out", "problem", "dashboard", "moves", "move",
		"start", "rotations", "rotation", "settings", "operator", "passports", "passport", "credential", "record", "imports", "import"} {
		out[name] = parsePage(templateFiles, "templates/portal/"+name+".html", "templates/portal/chrome.html")
	}
	return out
}()

func (p *portal) page(c *gin.Context, status int, name string, d portalPage) {
	if d.User == nil {
		d.User = currentUser(c)
	}
	if len(d.Errors) > 0 && !strings.HasPrefix(d.Title, "Error: ") {
		d.Title = "Error: " + d.Title
	}
	executePage(c, portalTemplates[name], status, d)
}

// problemPage answers with a plain page that says what went wrong.
func (p *portal) problemPage(c *gin.Context, status int, title, message string) {
	p.page(c, status, "problem", portalPage{Title: title, Data: message})
}

// portalError turns an error from a shared handler or service into a page.
func (p *portal) portalError(c *gin.Context, err error) {
	var refused *models.RefusedError
	switch {
	case errors.As(err, &refused):
		p.problemPage(c, http.StatusConflict, "That cannot be done now", capitalise(refused.Reason)+".")
	case errors.Is(err, models.ErrInvalid): // what the form's own checks could not name
		p.problemPage(c, http.StatusBadRequest, "That cannot be taken", "Something in what was sent cannot be stored. Go back, check it and try again.")
	case errors.Is(err, models.ErrNotFound):
		p.problemPage(c, http.StatusNotFound, "Page not found", "There is nothing here, or it belongs to another trust.")
	case errors.Is(err, models.ErrForbidden):
		p.problemPage(c, http.StatusForbidden, "You cannot do this", "Your role does not allow it. Ask your trust administrator.")
	case errors.Is(err, models.ErrOutcomeUnknown):
		_ = c.Error(err)
		c.Header("Retry-After", "30")
		p.problemPage(c, http.StatusServiceUnavailable, "Sorry, we cannot tell whether that was done",
			"Part of the service did not answer in time. Open the move again to see whether it was done before you try again: it never takes the same answer twice.")
	case errors.Is(err, models.ErrUnavailable):
		_ = c.Error(err)
		c.Header("Retry-After", "30")
		p.problemPage(c, http.StatusServiceUnavailable, "Sorry, part of the service is not answering", "Nothing was changed. Try again in a minute.")
	default:
		_ = c.Error(err)
		p.problemPage(c, http.StatusInternalServerError, "Sorry, there is a problem with the service", "Try again later. Quote the request ID "+c.Writer.Header().Get("X-Request-ID")+" if you contact us.")
	}
}

const userKey = "portal_user"

func currentUser(c *gin.Context) *sessionUser {
	u, _ := c.Get(userKey)
	su, _ := u.(*sessionUser)
	return su
}

func sessionID(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// formToken is the session's token for its forms: derived from the cookie's
// secret, so another site can neither read nor make it.
func formToken(token string) string {
	sum := sha256.Sum256([]byte("passport/portal-form/" + token))
	return base64.RawURLEncoding.EncodeToString(sum[:18])
}

func (p *portal) secure(c *gin.Context) bool {
	return !p.dev || c.Request.TLS != nil
}

func (p *portal) setSessionCookie(c *gin.Context, value string, maxAge int) {
	http.SetCookie(c.Writer, &http.Cookie{Name: sessionCookie, Value: value, Path: "/portal", MaxAge: maxAge,
		HttpOnly: true, Secure: p.secure(c), SameSite: http.SameSiteLaxMode})
}

// requireUser admits a signed-in person, checks the form token of every
// POST, and otherwise sends the browser to sign in.
func (p *portal) requireUser(c *gin.Context) {
	token, err := c.Cookie(sessionCookie)
	var u *sessionUser
	if err == nil && token != "" {
		u, err = p.sessionUser(c, token)
		if err != nil && !errors.Is(err, models.ErrNotFound) {
			p.portalError(c, err)
			c.Abort()
			return
		}
	}
	if u == nil {
		if token != "" {
			p.setSessionCookie(c, "", -1)
		}
		if c.Request.Method == http.MethodGet && c.GetHeader("X-Live-Refresh") == "" {
			c.Redirect(http.StatusSeeOther, "/portal/sign-in?next="+url.QueryEscape(c.Request.URL.RequestURI()))
		} else {
			p.problemPage(c, http.StatusUnauthorized, "Your session has ended", "Sign in again to carry on. Nothing was changed.")
		}
		c.Abort()
		return
	}
	if c.Request.Method == http.MethodPost && subtle.ConstantTimeCompare([]byte(c.PostForm("csrf")), []byte(u.CSRF)) != 1 {
		p.problemPage(c, http.StatusForbidden, "The form has expired", "Go back, reload the page and try again. Nothing was changed.")
		c.Abort()
		return
	}
	c.Set(userKey, u)
	access.SetActor(c, models.Actor{Kind: models.ActorUser, ID: u.ID, Trust: u.TrustODS, Role: u.Role})
	c.Next()
}

func (p *portal) sessionUser(c *gin.Context, token string) (*sessionUser, error) {
	id := sessionID(token)
	sess, u, err := p.store.SessionUser(c.Request.Context(), id)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	if now.After(sess.ExpiresAt) || now.Sub(sess.LastSeenAt) > sessionIdle || u.DisabledAt != nil {
		_ = p.store.DeleteSession(c.Request.Context(), id)
		return nil, models.ErrNotFound
	}
	if now.Sub(sess.LastSeenAt) > sessionTouchEvery {
		_ = p.store.TouchSession(c.Request.Context(), id, now) // best effort
	}
	name, err := p.accountTrustName(c, u)
	if err != nil {
		return nil, err
	}
	return &sessionUser{User: u, TrustName: name, CSRF: formToken(token), sessionID: id}, nil
}

// accountTrustName is the name shown beside a person's: their trust's, or
// for an operator, the service's operations.
func (p *portal) accountTrustName(c *gin.Context, u models.User) (string, error) {
	if u.TrustODS == "" {
		return models.OperationsName, nil
	}
	t, err := p.store.Trust(c.Request.Context(), u.TrustODS)
	return t.Name, err
}

// allowPage lets only people whose role has the permission through.
func (p *portal) allowPage(perm access.Permission) gin.HandlerFunc {
	return func(c *gin.Context) {
		if u := currentUser(c); u == nil || !perm.Allows(u.Role) {
			p.problemPage(c, http.StatusForbidden, "You cannot see this page", "Your role does not allow it. Ask your trust administrator.")
			c.Abort()
			return
		}
		c.Next()
	}
}

// safeNext keeps a post-sign-in destination inside the portal.
func safeNext(next string) string {
	if strings.HasPrefix(next, "/portal") && !strings.HasPrefix(next, "//") && !strings.ContainsAny(next, "\\\r\n") {
		return next
	}
	return "/portal"
}

type signInData struct {
	Email     string
	Next      string
	CSRF      string
	DemoUsers []demoUser
}

type demoUser struct {
	models.User
	TrustName string
}

// signInPage: GET /portal/sign-in.
func (p *portal) signInPage(c *gin.Context) {
	o := p.takeOutcome(c, "/portal/sign-in")
	if o.Done != nil {
		p.page(c, http.StatusOK, "sign-in-sent", portalPage{Title: o.Done.Title, Data: o.Done.Message})
		return
	}
	p.showSignIn(c, http.StatusOK, signInData{Next: safeNext(c.Query("next")), Email: o.Form.Get("email")}, o.Errors)
}

func (p *portal) showSignIn(c *gin.Context, status int, d signInData, errs []models.FieldError) {
	d.CSRF = csrfTokenAt(c, "/portal/")
	if p.dev {
		users, err := p.store.Users(c.Request.Context(), "")
		if err == nil {
			for _, u := range users {
				if u.DisabledAt == nil {
					name, _ := p.accountTrustName(c, u)
					d.DemoUsers = append(d.DemoUsers, demoUser{User: u, TrustName: name})
				}
			}
		}
	}
	p.page(c, status, "sign-in", portalPage{Title: "Sign in", Errors: errs, Data: d})
}

// sendSignInLink: POST /portal/sign-in. Whether the address is known or
// not, the answer is the same.
func (p *portal) sendSignInLink(c *gin.Context) {
	if !csrfOK(c) {
		p.problemPage(c, http.StatusForbidden, "The form has expired", "Go back, reload the page and try again.")
		return
	}
	d := signInData{Email: c.PostForm("email"), Next: safeNext(c.PostForm("next"))}
	email, ok := models.NormalizeEmail(d.Email)
	if !ok {
		p.backWith(c, "/portal/sign-in?next="+url.QueryEscape(d.Next), outcome{Form: url.Values{"email": {d.Email}},
			Errors: []models.FieldError{{Field: "email", Reason: "Enter your work email address, like name@nhs.net"}}})
		return
	}
	u, err := p.store.UserByEmail(c.Request.Context(), email)
	switch {
	case errors.Is(err, models.ErrNotFound):
	case err != nil:
		p.portalError(c, err)
		return
	case u.DisabledAt == nil && p.allowEmail(c, "sign-in", u.ID, 5, signInValid):
		if err := p.emailSignInLink(c, u, "sign_in", signInValid, d.Next); err != nil {
			p.portalError(c, err)
			return
		}
	}
	// Post, redirect, get: a reload shows this page, never asks again.
	p.backWith(c, "/portal/sign-in?next="+url.QueryEscape(d.Next), outcome{Done: &done{Title: "Check your email", Message: email}})
}

// emailSignInLink makes a single-use sign-in link for the person and queues
// the email that carries it.
func (p *portal) emailSignInLink(c *gin.Context, u models.User, template string, valid time.Duration, next string) error {
	tok := p.links.New()
	now := time.Now().UTC()
	if err := p.store.CreateSignInToken(c.Request.Context(), &models.SignInToken{ID: tok.ID, SecretHash: tok.Hash, UserID: u.ID,
		ExpiresAt: now.Add(valid), CreatedAt: now}); err != nil {
		return err
	}
	link := strings.TrimRight(p.publicURL, "/") + "/portal/sign-in/" + tok.Plain
	if next != "" && next != "/portal" {
		link += "?next=" + url.QueryEscape(next)
	}
	trustName := "" // an operator signs in to the service itself
	if u.TrustODS != "" {
		t, err := p.store.Trust(c.Request.Context(), u.TrustODS)
		if err != nil {
			return err
		}
		trustName = t.Name
	}
	msg, err := emails.Render(template, emails.Data{RecipientName: u.Name, TrustName: trustName, Role: roleName(u.Role),
		Link: link, PublicURL: p.publicURL})
	if err != nil {
		return err
	}
	return p.email.EnqueueEmail(c.Request.Context(), "sign-in/"+tok.ID, jobs.Email{To: u.Email, Subject: msg.Subject, Text: msg.Text, HTML: msg.HTML})
}

func roleName(r models.Role) string {
	switch r {
	case models.RoleTrustAdmin:
		return "a trust administrator"
	case models.RoleOperator:
		return "an operator"
	}
	return "HR"
}

// signInToken checks a link's signature and finds its unused, unexpired
// token.
func (p *portal) signInToken(c *gin.Context) (models.SignInToken, error) {
	id, hash, err := p.links.Parse(c.Param("token"))
	if err != nil {
		return models.SignInToken{}, models.ErrNotFound
	}
	t, err := p.store.SignInToken(c.Request.Context(), id)
	if err != nil {
		return t, err
	}
	if !linktoken.Equal(hash, t.SecretHash) || t.UsedAt != nil || time.Now().After(t.ExpiresAt) {
		return t, models.ErrNotFound
	}
	return t, nil
}

func (p *portal) badSignInLink(c *gin.Context) {
	p.problemPage(c, http.StatusNotFound, "This sign-in link cannot be used",
		"Links work once, for a short time. Ask for a new one on the sign-in page.")
}

// signInLinkPage: GET /portal/sign-in/{token}. Opening the link does not
// use it (mail scanners open links too); the button does.
func (p *portal) signInLinkPage(c *gin.Context) {
	t, err := p.signInToken(c)
	if errors.Is(err, models.ErrNotFound) {
		p.badSignInLink(c)
		return
	}
	if err != nil {
		p.portalError(c, err)
		return
	}
	u, err := p.store.User(c.Request.Context(), t.UserID)
	if err != nil {
		p.portalError(c, err)
		return
	}
	c.Header("Referrer-Policy", "no-referrer")
	p.page(c, http.StatusOK, "sign-in-link", portalPage{Title: "Sign in", Data: signInData{Email: u.Email, CSRF: csrfTokenAt(c, "/portal/"),
		Next: safeNext(c.Query("next"))}})
}

// useSignInLink: POST /portal/sign-in/{token}: uses the token and starts a
// session.
func (p *portal) useSignInLink(c *gin.Context) {
	if !csrfOK(c) {
		p.problemPage(c, http.StatusForbidden, "The form has expired", "Open the link from your email again.")
		return
	}
	t, err := p.signInToken(c)
	if err != nil {
		p.badSignInLink(c)
		return
	}
	t, err = p.store.UseSignInToken(c.Request.Context(), t.ID, time.Now())
	if errors.Is(err, models.ErrNotFound) {
		p.badSignInLink(c)
		return
	}
	if err != nil {
		p.portalError(c, err)
		return
	}
	p.startSession(c, t.UserID, safeNext(c.PostForm("next")))
}

// devSignIn: POST /portal/sign-in/demo, development mode only: sign in as
// a demo user without an email.
func (p *portal) devSignIn(c *gin.Context) {
	if !csrfOK(c) {
		p.problemPage(c, http.StatusForbidden, "The form has expired", "Go back, reload the page and try again.")
		return
	}
	p.startSession(c, c.PostForm("user"), safeNext(c.PostForm("next")))
}

func (p *portal) startSession(c *gin.Context, userID, next string) {
	u, err := p.store.User(c.Request.Context(), userID)
	if errors.Is(err, models.ErrNotFound) || (err == nil && u.DisabledAt != nil) {
		p.badSignInLink(c)
		return
	}
	if err != nil {
		p.portalError(c, err)
		return
	}
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	token := base64.RawURLEncoding.EncodeToString(b)
	now := time.Now().UTC()
	sess := models.Session{ID: sessionID(token), UserID: u.ID, CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(sessionMax)}
	if err := p.store.CreateSession(c.Request.Context(), &sess); err != nil {
		p.portalError(c, err)
		return
	}
	_ = p.store.Audit(c.Request.Context(), models.Actor{Kind: models.ActorUser, ID: u.ID, Trust: u.TrustODS, Role: u.Role}, "user.signed_in", "user", u.ID, nil)
	p.setSessionCookie(c, token, int(sessionMax/time.Second))
	c.Redirect(http.StatusSeeOther, next)
}

// signOut: POST /portal/sign-out.
func (p *portal) signOut(c *gin.Context) {
	if u := currentUser(c); u != nil {
		_ = p.store.DeleteSession(c.Request.Context(), u.sessionID)
	}
	p.setSessionCookie(c, "", -1)
	// Signing out to sign in as someone else (a link meant for the other
	// trust) goes straight to the sign-in page, keeping where to go next.
	if next := c.PostForm("switch_to"); next != "" {
		c.Redirect(http.StatusSeeOther, "/portal/sign-in?next="+url.QueryEscape(safeNext(next)))
		return
	}
	p.page(c, http.StatusOK, "signed-out", portalPage{Title: "You have signed out", User: &sessionUser{}})
}

// inviteUser adds a person to a trust and emails them a sign-in link that
// works for a week. Used by trust administrators for their team and by
// operators for a new trust's first administrator.
func (p *portal) inviteUser(c *gin.Context, u *models.User) error {
	u.ID = uuid.NewString()
	u.CreatedAt = time.Now().UTC()
	if err := u.Validate(); err != nil {
		return err
	}
	err := p.store.Audited(c.Request.Context(), access.Actor(c), "user.invited", "user", u.ID, map[string]any{"trust": u.TrustODS, "role": u.Role},
		func(tx *store.Store) error { return tx.CreateUser(c.Request.Context(), u) })
	if errors.Is(err, models.ErrConflict) {
		var v models.ValidationError
		v.Add("email", "Someone with this email address already has an account")
		return &v
	}
	if err != nil {
		return err
	}
	return p.emailSignInLink(c, *u, "user_invited", inviteValid, "")
}
