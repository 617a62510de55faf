// Package problem answers HTTP requests with RFC 9457 problem details: the one
// place where the service's errors become HTTP statuses.
package problem

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/nhs-staff-passport/passport/models"
)

// Type is the base of every problem type URI; clients match on it.
const Type = "https://staff-passport.nhs.uk/problems/"

// Problem is an RFC 9457 problem detail.
type Problem struct {
	Type     string              `json:"type"`
	Title    string              `json:"title"`
	Status   int                 `json:"status"`
	Detail   string              `json:"detail,omitempty"`
	Instance string              `json:"instance,omitempty"`
	Errors   []models.FieldError `json:"errors,omitempty"`
}

// Write answers with p as application/problem+json and stops the chain.
func Write(c *gin.Context, p Problem) {
	if p.Type == "" {
		p.Type = "about:blank"
	}
	if p.Title == "" {
		p.Title = http.StatusText(p.Status)
	}
	p.Instance = c.Request.URL.Path
	c.Header("Content-Type", "application/problem+json")
	c.AbortWithStatusJSON(p.Status, p)
}

// Error is the one place where errors become HTTP answers. Only the
// sentinel errors of package models say anything to the client; anything
// else is logged and answered with a bare 500.
func Error(c *gin.Context, err error) {
	var verr *models.ValidationError
	var refused *models.RefusedError
	switch {
	case errors.As(err, &refused):
		Write(c, Problem{Type: Type + "refused", Status: http.StatusConflict,
			Title: "The move cannot take this now", Detail: refused.Reason})
	case errors.As(err, &verr):
		Write(c, Problem{Type: Type + "validation", Status: http.StatusUnprocessableEntity,
			Title: "The request has invalid fields", Detail: verr.Error(), Errors: verr.Fields})
	case errors.Is(err, models.ErrInvalid):
		Write(c, Problem{Type: Type + "invalid", Status: http.StatusBadRequest, Detail: "The request is not valid."})
	case errors.Is(err, models.ErrNotFound):
		Write(c, Problem{Type: Type + "not-found", Status: http.StatusNotFound, Detail: "There is nothing here."})
	case errors.Is(err, models.ErrConflict):
		Write(c, Problem{Type: Type + "conflict", Status: http.StatusConflict, Detail: "The request conflicts with the current state."})
	case errors.Is(err, models.ErrOutcomeUnknown):
		_ = c.Error(err)
		c.Header("Retry-After", "30")
		Write(c, Problem{Type: Type + "outcome-unknown", Status: http.StatusServiceUnavailable,
			Detail: "Part of the service did not answer in time, so we cannot tell whether this was done. Read the move before trying again: an answer it already has is refused, never taken twice."})
	case errors.Is(err, models.ErrUnavailable):
		_ = c.Error(err)
		c.Header("Retry-After", "30")
		Write(c, Problem{Type: Type + "unavailable", Status: http.StatusServiceUnavailable,
			Detail: "Part of the service is not answering. Nothing was changed; try again in a minute."})
	case errors.Is(err, models.ErrForbidden):
		Write(c, Problem{Type: Type + "forbidden", Status: http.StatusForbidden, Detail: "Your key may not do this."})
	default:
		_ = c.Error(err) // logged by the access log, never shown
		Write(c, Problem{Type: Type + "internal", Status: http.StatusInternalServerError,
			Detail: "Something went wrong on our side. Quote the request ID if you contact us."})
	}
}
