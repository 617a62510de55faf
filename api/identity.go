package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"reflect"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/nhs-staff-passport/passport/internal/edge"
	"github.com/nhs-staff-passport/passport/internal/moves"
	"github.com/nhs-staff-passport/passport/internal/problem"
	"github.com/nhs-staff-passport/passport/models"
)

// identityCallback: POST /api/v1/identity/callback, an external identity
// provider's verdict, signed with the shared secret.
func (h *handlers) identityCallback(secret []byte) gin.HandlerFunc {
	return func(c *gin.Context) {
		body, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, 64<<10))
		if err != nil {
			problem.Write(c, problem.Problem{Type: problem.Type + "too-large", Status: http.StatusRequestEntityTooLarge})
			return
		}
		if err := moves.CheckCallbackSignature(secret, c.GetHeader(moves.SignatureHeader), body, time.Now()); err != nil {
			unauthorized(c)
			return
		}
		var r moves.ProviderResult
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&r); err != nil {
			var v models.ValidationError
			v.Add("body", "is not the callback's JSON object")
			problem.Error(c, &v)
			return
		}
		if field, why := edge.BadField(reflect.ValueOf(&r)); field != "" {
			var v models.ValidationError
			v.Add(field, why)
			problem.Error(c, &v)
			return
		}
		if err := h.moves.RecordProviderResult(c.Request.Context(), r); err != nil {
			if errors.Is(err, models.ErrNotFound) {
				err = &models.RefusedError{Reason: "no such move"}
			}
			problem.Error(c, err)
			return
		}
		c.Status(http.StatusNoContent)
	}
}
