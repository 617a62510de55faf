package edge

import (
	"net"
	"net/http"
	"net/http/pprof"

	"github.com/gin-gonic/gin"
)

// mountPprof serves Go's profiles at /debug/pprof in development mode, to
// requests from this machine only (the development server may listen on
// every interface).
func MountPprof(r *gin.Engine) {
	local := func(c *gin.Context) {
		host, _, err := net.SplitHostPort(c.Request.RemoteAddr)
		if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
			c.AbortWithStatus(http.StatusNotFound)
		}
	}
	g := r.Group("/debug/pprof", local)
	g.GET("/", gin.WrapF(pprof.Index))
	g.GET("/cmdline", gin.WrapF(pprof.Cmdline))
	g.GET("/profile", gin.WrapF(pprof.Profile))
	g.GET("/symbol", gin.WrapF(pprof.Symbol))
	g.GET("/trace", gin.WrapF(pprof.Trace))
	g.GET("/:name", func(c *gin.Context) { pprof.Handler(c.Param("name")).ServeHTTP(c.Writer, c.Request) })
}
