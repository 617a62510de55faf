package api

import (
	"errors"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/nhs-staff-passport/passport/models"
)

// guardInput refuses, before any handler, a request whose path or query
// is not clean text (valid UTF-8, no NUL or control characters): 400,
// naming the part at fault. Bodies are judged where they are read.
func guardInput() gin.HandlerFunc {
	return func(c *gin.Context) {
		bad := ""
		if !models.CleanText(c.Request.URL.Path, false) {
			bad = "path"
		}
		for name, values := range c.Request.URL.Query() {
			for _, v := range values {
				if !models.CleanText(name, false) || !models.CleanText(v, false) {
					bad = "query"
				}
			}
		}
		if bad == "" {
			c.Next()
			return
		}
		if strings.HasPrefix(c.Request.URL.Path, "/api/") || strings.Contains(c.GetHeader("Accept"), "json") {
			var v models.ValidationError
			v.Add(bad, "holds characters that are not allowed (control characters or invalid UTF-8)")
			writeProblem(c, Problem{Type: problemType + "bad-request", Status: http.StatusBadRequest,
				Detail: "The address holds characters that are not allowed.", Errors: v.Fields})
			return
		}
		render(c, http.StatusBadRequest, "problem", pageData{Title: "This address is not valid",
			Message: "It holds characters we cannot read. Check that you copied the whole link."})
		c.Abort()
	}
}

// maxText is how many characters a string of a request body may hold,
// unless its field's `max` tag says otherwise (a credential to verify, a
// webhook's URL).
const maxText = 1000

// badField names the first string in v (a decoded request body) that is
// not clean text or is too long, as its JSON path, with why; "" when all
// are good. Fields tagged `text:"multiline"` may hold line breaks.
func badField(v reflect.Value) (string, string) {
	if f := uncleanField(v, "", false); f != "" {
		return f, "holds characters that are not allowed (control characters or invalid UTF-8)"
	}
	if f, n := longField(v, "", maxText); f != "" {
		return f, "must be at most " + strconv.Itoa(n) + " characters"
	}
	return "", ""
}

// longField names the first string longer than its limit, and the limit.
func longField(v reflect.Value, path string, limit int) (string, int) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			return longField(v.Elem(), path, limit)
		}
	case reflect.String:
		if utf8.RuneCountInString(v.String()) > limit {
			return strings.TrimPrefix(path, "."), limit
		}
	case reflect.Slice, reflect.Array:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return "", 0
		}
		for i := range v.Len() {
			if f, n := longField(v.Index(i), path+"["+strconv.Itoa(i)+"]", limit); f != "" {
				return f, n
			}
		}
	case reflect.Map:
		iter := v.MapRange()
		for iter.Next() {
			if f, n := longField(iter.Value(), path+"."+iter.Key().String(), limit); f != "" {
				return f, n
			}
		}
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			sf := t.Field(i)
			name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
			if !sf.IsExported() || name == "-" {
				continue
			}
			p := path
			if !sf.Anonymous {
				if name == "" {
					name = sf.Name
				}
				p += "." + name
			}
			l := maxText
			if m, err := strconv.Atoi(sf.Tag.Get("max")); err == nil {
				l = m
			}
			if f, n := longField(v.Field(i), p, l); f != "" {
				return f, n
			}
		}
	}
	return "", 0
}

// uncleanField names the first string in v that is not clean text, as its
// JSON path, or "" when all are.
func uncleanField(v reflect.Value, path string, multiline bool) string {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return ""
		}
		return uncleanField(v.Elem(), path, multiline)
	case reflect.String:
		if !models.CleanText(v.String(), multiline) {
			return strings.TrimPrefix(path, ".")
		}
	case reflect.Slice, reflect.Array:
		if v.Type().Elem().Kind() == reflect.Uint8 { // json.RawMessage, []byte: judged where parsed
			return ""
		}
		for i := range v.Len() {
			if f := uncleanField(v.Index(i), path+"["+strconv.Itoa(i)+"]", multiline); f != "" {
				return f
			}
		}
	case reflect.Map:
		iter := v.MapRange()
		for iter.Next() {
			if f := uncleanField(iter.Value(), path+"."+iter.Key().String(), multiline); f != "" {
				return f
			}
			if k := iter.Key(); k.Kind() == reflect.String && !models.CleanText(k.String(), false) {
				return strings.TrimPrefix(path, ".")
			}
		}
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			sf := t.Field(i)
			if !sf.IsExported() {
				continue
			}
			name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
			if name == "-" {
				continue
			}
			p := path
			if !sf.Anonymous {
				if name == "" {
					name = sf.Name
				}
				p += "." + name
			}
			if f := uncleanField(v.Field(i), p, sf.Tag.Get("text") == "multiline"); f != "" {
				return f
			}
		}
	}
	return ""
}

// guardForm refuses a posted form with a field that is not clean text
// (line breaks allowed: forms have text areas), with a page that says so
// and changes nothing. It goes after a route's body limit.
func guardForm() gin.HandlerFunc {
	return func(c *gin.Context) {
		if c.Request.Method != http.MethodPost {
			c.Next()
			return
		}
		var err error
		if strings.HasPrefix(c.ContentType(), "multipart/") {
			err = c.Request.ParseMultipartForm(8 << 20)
		} else {
			err = c.Request.ParseForm()
		}
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			render(c, http.StatusRequestEntityTooLarge, "problem", pageData{Title: "The file is too large",
				Message: "Split it into smaller files and upload each. Nothing was changed."})
			c.Abort()
			return
		}
		for name, values := range c.Request.PostForm {
			for _, v := range values {
				if !models.CleanText(name, false) || !models.CleanText(v, true) {
					render(c, http.StatusBadRequest, "problem", pageData{Title: "The form holds characters we cannot take",
						Message: "Control characters or invalid text were typed or pasted into it. Go back, retype the answer and try again. Nothing was changed."})
					c.Abort()
					return
				}
			}
		}
		c.Next()
	}
}
