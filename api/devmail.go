package api

import (
	"net/http"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/nhs-staff-passport/passport/internal/mailcatcher"
)

// DevMailbox is the development mail catcher's store.
type DevMailbox interface {
	Messages() []mailcatcher.Message
}

// devMailJSON serves every caught email, newest last; ?to=ADDRESS narrows
// it to one recipient's.
func devMailJSON(box DevMailbox) gin.HandlerFunc {
	return func(c *gin.Context) {
		msgs := box.Messages()
		if to := strings.TrimSpace(c.Query("to")); to != "" {
			msgs = slices.DeleteFunc(msgs, func(m mailcatcher.Message) bool { return !strings.EqualFold(m.To, to) })
		}
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
