package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/nhs-staff-passport/passport/internal/mailcatcher"
	"github.com/nhs-staff-passport/passport/internal/problem"
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
				problem.Error(c, &v)
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
	Messages []devMessage
}

// devMessage is a caught email with its place in the mailbox, where its
// HTML is served.
type devMessage struct {
	mailcatcher.Message
	N int
}

// devMailHTML shows every caught email, newest first: the HTML as the
// recipient sees it, the plain text, and the links clickable.
func devMailHTML(box DevMailbox) gin.HandlerFunc {
	return func(c *gin.Context) {
		msgs := box.Messages()
		out := make([]devMessage, len(msgs))
		for i, m := range msgs {
			out[len(msgs)-1-i] = devMessage{Message: m, N: i}
		}
		executePage(c, devMailPage, http.StatusOK, devMailData{Title: "Development mailbox", Messages: out})
	}
}

// devMailBody serves one caught email's HTML, for the mailbox page to
// frame: sandboxed, nothing loaded, its own inline styles allowed (an
// email client's view), framed only by our own page.
func devMailBody(box DevMailbox) gin.HandlerFunc {
	return func(c *gin.Context) {
		msgs := box.Messages()
		n, err := strconv.Atoi(c.Param("n"))
		if err != nil || n < 0 || n >= len(msgs) || msgs[n].HTML == "" {
			c.Status(http.StatusNotFound)
			return
		}
		c.Header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'; sandbox allow-popups allow-popups-to-escape-sandbox")
		c.Header("Referrer-Policy", "no-referrer")
		c.Header("Cache-Control", "no-store")
		c.Data(http.StatusOK, "text/html; charset=utf-8", []byte(msgs[n].HTML))
	}
}
