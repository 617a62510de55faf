package api

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/nhs-staff-passport/passport/internal/problem"
	"github.com/nhs-staff-passport/passport/models"
)

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
