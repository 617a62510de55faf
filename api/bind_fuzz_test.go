package api

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/nhs-staff-passport/passport/internal/moves"
)

// FuzzBindJSON: any body is taken or refused with a 4xx problem naming
// what is wrong, never a panic or a 5xx.
func FuzzBindJSON(f *testing.F) {
	gin.SetMode(gin.ReleaseMode)
	f.Add([]byte(`{"staff":{"email":"a@nhs.net","given_name":"A","family_name":"B","staff_group":"temporary_mover"},"receiving_trust":"RRK"}`))
	f.Add([]byte(`{"staff":{"given_name":"A\u0000"}}`))
	f.Add([]byte(`{} }`))
	f.Add([]byte("\xff\xfe"))
	f.Fuzz(func(t *testing.T, body []byte) {
		rec := httptest.NewRecorder()
		c, _ := gin.CreateTestContext(rec)
		c.Request = httptest.NewRequest(http.MethodPost, "/api/v1/moves", bytes.NewReader(body))
		c.Request.Header.Set("Content-Type", "application/json")
		var req moves.StartRequest
		if bindJSON(c, &req) {
			return
		}
		if rec.Code < 400 || rec.Code >= 500 {
			t.Errorf("refused with %d for %q", rec.Code, body)
		}
	})
}
