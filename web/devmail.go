package web

import (
	"net/http"
	"slices"
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
