package edge

import (
	"bytes"
	"io"
	"net/http"

	"github.com/gin-gonic/gin"
)

// SendCSV answers with a CSV file to download, as written by write.
func SendCSV(c *gin.Context, name string, write func(io.Writer)) {
	var b bytes.Buffer
	write(&b)
	c.Header("Content-Disposition", `attachment; filename="`+name+`"`)
	c.Header("Cache-Control", "no-store")
	c.Data(http.StatusOK, "text/csv; charset=utf-8", b.Bytes())
}
