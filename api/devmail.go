package api

import (
	"net/http"
	"slices"

	"github.com/gin-gonic/gin"

	"github.com/nhs-staff-passport/passport/internal/mailcatcher"
)

// DevMailbox is the development mail catcher's store.
type DevMailbox interface {
	Messages() []mailcatcher.Message
}

// devMailJSON serves every caught email, newest last.
func devMailJSON(box DevMailbox) gin.HandlerFunc {
	return func(c *gin.Context) {
		c.JSON(http.StatusOK, box.Messages())
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
