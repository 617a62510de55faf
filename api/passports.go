package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/nhs-staff-passport/passport/internal/access"
	"github.com/nhs-staff-passport/passport/internal/credentials"
	"github.com/nhs-staff-passport/passport/internal/problem"
	"github.com/nhs-staff-passport/passport/models"
)

// credentialView is a credential as a trust sees it.
type credentialView struct {
	ID         string                  `json:"id"`
	Type       models.CredentialType   `json:"type"`
	Title      string                  `json:"title"`
	Subject    string                  `json:"subject,omitempty"`
	Issuer     string                  `json:"issuer"`
	Status     models.CredentialStatus `json:"status"`
	IssuedAt   time.Time               `json:"issued_at"`
	ValidUntil *time.Time              `json:"valid_until,omitempty"`
	Claims     any                     `json:"claims"`
	JWS        string                  `json:"jws"`
}

type passportView struct {
	ID          string           `json:"id"`
	Email       string           `json:"email"`
	GivenName   string           `json:"given_name"`
	FamilyName  string           `json:"family_name"`
	Credentials []credentialView `json:"credentials"`
}

func viewCredential(c models.Credential, now time.Time) credentialView {
	return credentialView{
		ID: c.ID, Type: c.Type, Title: c.Type.Title(), Subject: c.Subject, Issuer: c.IssuerODS,
		Status: c.Status(now), IssuedAt: c.IssuedAt, ValidUntil: c.ValidUntil, Claims: c.Claims, JWS: c.JWS,
	}
}

func viewPassport(p models.Passport, now time.Time) passportView {
	v := passportView{ID: p.ID, Email: p.Email, GivenName: p.GivenName, FamilyName: p.FamilyName, Credentials: []credentialView{}}
	for _, c := range p.Credentials {
		v.Credentials = append(v.Credentials, viewCredential(c, now))
	}
	return v
}

// findOrCreatePassport: POST /api/v1/passports. A trust looks up a person
// (by email) to record credentials for them; the person keeps one passport
// whichever trust asks first.
func (h *handlers) findOrCreatePassport(c *gin.Context) {
	var in models.StaffDetails
	if !bindJSON(c, &in) {
		return
	}
	if err := in.Validate(""); err != nil {
		problem.Error(c, err)
		return
	}
	a := access.Actor(c)
	p, created, err := h.creds.FindOrAddPassport(c.Request.Context(), a, in)
	if err != nil {
		problem.Error(c, err)
		return
	}
	full, err := h.store.PassportForTrust(c.Request.Context(), p.ID, a.Trust)
	if err != nil {
		problem.Error(c, err)
		return
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	c.Header("Location", "/api/v1/passports/"+p.ID)
	c.JSON(status, viewPassport(full, time.Now()))
}

// getPassport: GET /api/v1/passports/{id}, with the credentials the caller's
// trust issued or was shared. A passport the trust has no dealings with is
// not found.
func (h *handlers) getPassport(c *gin.Context) {
	a := access.Actor(c)
	id := c.Param("id")
	if err := h.store.PassportLinked(c.Request.Context(), id, a.Trust); err != nil {
		problem.Error(c, err)
		return
	}
	p, err := h.store.PassportForTrust(c.Request.Context(), id, a.Trust)
	if err != nil {
		problem.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, viewPassport(p, time.Now()))
}

// issueCredential: POST /api/v1/passports/{id}/credentials, signed by the
// caller's trust.
func (h *handlers) issueCredential(c *gin.Context) {
	a := access.Actor(c)
	id := c.Param("id")
	if err := h.store.PassportLinked(c.Request.Context(), id, a.Trust); err != nil {
		problem.Error(c, err)
		return
	}
	var in credentials.IssueInput
	if !bindJSON(c, &in) {
		return
	}
	in.PassportID = id
	cred, err := h.creds.Issue(c.Request.Context(), a, in)
	if err != nil {
		problem.Error(c, err)
		return
	}
	h.tellMovesAtRecords(c, a, id)
	c.Header("Location", "/api/v1/credentials/"+cred.ID)
	c.JSON(http.StatusCreated, viewCredential(cred, time.Now()))
}

// tellMovesAtRecords lets the moves that wait on the actor's trust for
// this passport's records look again. Best effort: a move not told finds
// out at its next reminder.
func (h *handlers) tellMovesAtRecords(c *gin.Context, a models.Actor, passportID string) {
	if h.moves == nil {
		return
	}
	if _, err := h.moves.RecordsChanged(c.Request.Context(), a, passportID); err != nil {
		_ = c.Error(err)
	}
}

// tellRevoked tells the trusts a revoked credential was shared with.
// Best effort: the daily job tells any it missed.
func (h *handlers) tellRevoked(c *gin.Context, credentialID string) {
	if h.notices == nil {
		return
	}
	if err := h.notices.Revoked(c.Request.Context(), credentialID); err != nil {
		_ = c.Error(err)
	}
}

type revokeRequest struct {
	Reason string `json:"reason" text:"multiline" max:"500"`
}

// revokeCredential: POST /api/v1/credentials/{id}/revoke, by its issuer.
func (h *handlers) revokeCredential(c *gin.Context) {
	var in revokeRequest
	if !bindJSON(c, &in) {
		return
	}
	if err := h.creds.Revoke(c.Request.Context(), access.Actor(c), c.Param("id"), in.Reason); err != nil {
		problem.Error(c, err)
		return
	}
	h.tellRevoked(c, c.Param("id"))
	cred, err := h.store.Credential(c.Request.Context(), c.Param("id"))
	if err != nil {
		problem.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, viewCredential(cred, time.Now()))
}

type verifyRequest struct {
	Credential string `json:"credential" max:"65536"`
}

// verifyCredential: POST /api/v1/verify, for a credential as received
// (compact JWS), from this service's issuers.
func (h *handlers) verifyCredential(c *gin.Context) {
	var in verifyRequest
	if !bindJSON(c, &in) {
		return
	}
	if in.Credential == "" {
		var v models.ValidationError
		v.Add("credential", "is required: the credential as a compact JWS")
		problem.Error(c, &v)
		return
	}
	res, err := h.creds.Verify(c.Request.Context(), in.Credential)
	if err != nil {
		problem.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, res)
}
