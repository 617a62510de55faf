package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/nhs-staff-passport/passport/internal/edge"
	"github.com/nhs-staff-passport/passport/internal/problem"
	"github.com/nhs-staff-passport/passport/models"
)

// maxBody bounds a JSON request body.
const maxBody = 1 << 20

// bindJSON decodes the body into v strictly: one JSON object, no unknown
// fields, within maxBody. On failure it answers with a problem naming the
// field and returns false.
func bindJSON(c *gin.Context, v any) bool { return bindJSONLimit(c, v, maxBody) }

// bindJSONLimit is bindJSON with its own size limit.
func bindJSONLimit(c *gin.Context, v any, limit int64) bool {
	if ct := c.ContentType(); ct != "application/json" {
		problem.Write(c, problem.Problem{Type: problem.Type + "unsupported-media-type", Status: http.StatusUnsupportedMediaType,
			Detail: "Send the body as application/json."})
		return false
	}
	body, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, limit))
	if err == nil && !utf8.Valid(body) {
		// The decoder would quietly turn invalid bytes into U+FFFD.
		var verr models.ValidationError
		verr.Add("body", "is not valid UTF-8")
		problem.Error(c, &verr)
		return false
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err == nil {
		err = dec.Decode(v)
	}
	if err == nil {
		// Nothing may follow the value but white space.
		if _, after := dec.Token(); after != io.EOF {
			err = errors.New("more than one JSON value")
		}
	}
	if err == nil {
		if field, why := edge.BadField(reflect.ValueOf(v)); field != "" {
			var verr models.ValidationError
			verr.Add(field, why)
			problem.Error(c, &verr)
			return false
		}
		if ch, ok := v.(checked); ok {
			if err := ch.check(); err != nil {
				problem.Error(c, err)
				return false
			}
		}
		return true
	}
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		problem.Write(c, problem.Problem{Type: problem.Type + "too-large", Status: http.StatusRequestEntityTooLarge,
			Detail: fmt.Sprintf("The body is larger than %d bytes.", limit)})
		return false
	}
	var verr models.ValidationError
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	var timeErr *time.ParseError
	switch {
	case errors.As(err, &timeErr):
		verr.Add(badTimeField(body, v), "must be a date and time with its offset, such as 2026-12-16T17:00:00Z")
	case errors.As(err, &typeErr):
		verr.Add(typeErr.Field, "must be a "+jsonKind(typeErr.Type.Kind().String()))
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		verr.Add(strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`), "is not a field of this request")
	case errors.As(err, &syntaxErr), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		verr.Add("body", "is not valid JSON")
	default:
		verr.Add("body", "could not be read as this request's JSON object")
	}
	problem.Error(c, &verr)
	return false
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "string"
	case "bool":
		return "boolean"
	case "slice", "array":
		return "list"
	case "struct", "map":
		return "object"
	}
	return "number"
}

// badTimeField names the field of v's JSON object whose value in body is
// not a time that encoding/json reads (RFC 3339), or "body".
func badTimeField(body []byte, v any) string {
	var raw map[string]json.RawMessage
	t := reflect.TypeOf(v)
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil || t.Kind() != reflect.Struct || json.Unmarshal(body, &raw) != nil {
		return "body"
	}
	timeType := reflect.TypeFor[time.Time]()
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Type != timeType && f.Type != reflect.PointerTo(timeType) {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" {
			name = f.Name
		}
		if value, ok := raw[name]; ok && string(value) != "null" {
			var at time.Time
			if at.UnmarshalJSON(value) != nil {
				return name
			}
		}
	}
	return "body"
}

// checked is a request body that names its own faults once read, before
// anything acts on it.
type checked interface{ check() error }
