package api

import (
	"net"
	"net/http"
	"net/http/pprof"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/nhs-staff-passport/passport/internal/mailcatcher"
	"github.com/nhs-staff-passport/passport/models"
)

// DevMailbox is the development mail catcher's store.
type DevMailbox interface {
	Messages() []mailcatcher.Message
}

// devMailJSON serves every caught email, newest last; ?to=ADDRESS narrows
// it to one recipient's, ?since=RFC3339 to those caught after a moment
// (for scripts that poll it).
func devMailJSON(box DevMailbox) gin.HandlerFunc {
	return func(c *gin.Context) {
		var since time.Time
		if raw := c.Query("since"); raw != "" {
			var err error
			if since, err = time.Parse(time.RFC3339Nano, raw); err != nil {
				var v models.ValidationError
				v.Add("since", "must be a time such as 2026-12-02T09:30:00Z")
				writeError(c, &v)
				return
			}
		}
		msgs := box.Messages()
		to := strings.TrimSpace(c.Query("to"))
		msgs = slices.DeleteFunc(msgs, func(m mailcatcher.Message) bool {
			return (to != "" && !strings.EqualFold(m.To, to)) || !m.SentAt.After(since)
		})
		if msgs == nil {
			msgs = []mailcatcher.Message{}
		}
		c.JSON(http.StatusOK, msgs)
	}
}

var devMailPage = parsePage(templateFiles, "templates/devmail.html")

type devMailData struct {
	Title    string
	Messages []mailcatcher.Message
}

// devMailHTML shows every caught email, newest first, links clickable.
func devMailHTML(box DevMailbox) gin.HandlerFunc {
	return func(c *gin.Context) {
		msgs := box.Messages()
		slices.Reverse(msgs)
		executePage(c, devMailPage, http.StatusOK, devMailData{Title: "Development mailbox", Messages: msgs})
	}
}

// mountPprof serves Go's profiles at /debug/pprof in development mode, to
// requests from this machine only (the development server may listen on
// every interface).
func mountPprof(r *gin.Engine) {
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
