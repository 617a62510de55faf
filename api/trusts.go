package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/nhs-staff-passport/passport/internal/problem"
	"github.com/nhs-staff-passport/passport/internal/vc"
	"github.com/nhs-staff-passport/passport/models"
)

// issuerView is a trust as the issuer of credentials: what a verifier
// finds at a credential's issuer.id.
type issuerView struct {
	ID              string    `json:"id"`
	Type            string    `json:"type"`
	Name            string    `json:"name"`
	ODSCode         string    `json:"ods_code"`
	Region          string    `json:"region"`
	RegisteredSince time.Time `json:"registered_since"`
	Suspended       bool      `json:"suspended"`
	Keys            string    `json:"keys"`
	StatusList      string    `json:"status_list"`
}

// trustIssuer: GET /api/v1/trusts/{ods}, a trust taking part as the issuer
// its credentials name (their issuer.id): its name and where its keys and
// revocation list are. Public; a trust not taking part is not found.
func (h *handlers) trustIssuer(c *gin.Context) {
	t, err := h.store.Trust(c.Request.Context(), c.Param("ods"))
	if err == nil && !t.Registered {
		err = models.ErrNotFound
	}
	if err != nil {
		problem.Error(c, err)
		return
	}
	id := vc.IssuerURL(h.publicURL, t.ODSCode)
	c.Header("Cache-Control", "public, max-age=300")
	c.JSON(http.StatusOK, issuerView{ID: id, Type: "Organization", Name: t.Name, ODSCode: t.ODSCode, Region: t.Region,
		RegisteredSince: t.RegisteredAt, Suspended: t.SuspendedAt != nil, Keys: id + "/keys", StatusList: vc.StatusListURL(h.publicURL, t.ODSCode)})
}

// trustKeys: GET /api/v1/trusts/{ods}/keys, the trust's public signing keys
// (JWKS), retired ones included. Public: verifiers need no account.
func (h *handlers) trustKeys(c *gin.Context) {
	set, err := h.creds.JWKS(c.Request.Context(), c.Param("ods"))
	if err != nil {
		problem.Error(c, err)
		return
	}
	c.Header("Cache-Control", "public, max-age=300")
	c.Header("Content-Type", "application/jwk-set+json")
	c.JSON(http.StatusOK, set)
}

// trustStatusList: GET /api/v1/trusts/{ods}/status/revocation (and
// /status/revocation/{n} for a trust's later lists), the trust's
// revocation list as a signed BitstringStatusListCredential. Public, and
// cached for a minute at most so that revocations spread quickly.
func (h *handlers) trustStatusList(c *gin.Context) {
	number := 0
	if l := c.Param("list"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || strconv.Itoa(n) != l {
			problem.Error(c, models.ErrNotFound)
			return
		}
		number = n
	}
	jws, err := h.creds.StatusList(c.Request.Context(), c.Param("ods"), number)
	if err != nil {
		problem.Error(c, err)
		return
	}
	c.Header("Cache-Control", "public, max-age=60")
	c.Data(http.StatusOK, "application/vc+jwt", []byte(jws))
}
