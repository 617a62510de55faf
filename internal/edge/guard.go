package edge

import (
	"errors"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/nhs-staff-passport/passport/internal/problem"
	"github.com/nhs-staff-passport/passport/models"
)

// PageProblem answers a browser with a page that names a problem in
// words: a title and what to do.
type PageProblem func(c *gin.Context, status int, title, message string)

// GuardInput refuses, before any handler, a request whose path or query
// is not clean text (valid UTF-8, no NUL or control characters): 400,
// naming the part at fault (to a browser, the page says so). Bodies are
// judged where they are read.
func GuardInput(page PageProblem) gin.HandlerFunc {
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
		if page == nil || strings.HasPrefix(c.Request.URL.Path, "/api/") || strings.Contains(c.GetHeader("Accept"), "json") {
			var v models.ValidationError
			v.Add(bad, "holds characters that are not allowed (control characters or invalid UTF-8)")
			problem.Write(c, problem.Problem{Type: problem.Type + "bad-request", Status: http.StatusBadRequest,
				Detail: "The address holds characters that are not allowed.", Errors: v.Fields})
			return
		}
		page(c, http.StatusBadRequest, "This address is not valid", "It holds characters we cannot read. Check that you copied the whole link.")
		c.Abort()
	}
}

// maxText is how many characters a string of a request body may hold,
// unless its field's `max` tag says otherwise (a credential to verify, a
// webhook's URL).
const maxText = 1000

// BadField names the first string in v (a decoded request body) that is
// not clean text or is too long, as its JSON path, with why; "" when all
// are good. Fields tagged `text:"multiline"` may hold line breaks; a
// field's `max` tag sets its limit (maxText otherwise).
func BadField(v reflect.Value) (field, why string) {
	walkStrings(v, "", false, maxText, func(path, s string, multiline bool, limit int) bool {
		switch {
		case !models.CleanText(s, multiline):
			field, why = path, "holds characters that are not allowed (control characters or invalid UTF-8)"
		case utf8.RuneCountInString(s) > limit:
			field, why = path, "must be at most "+strconv.Itoa(limit)+" characters"
		default:
			return true
		}
		return false
	})
	return field, why
}

// walkStrings calls visit with every string in v, its JSON path and its
// field's rules, until visit returns false. Byte slices (json.RawMessage)
// are judged where they are parsed.
func walkStrings(v reflect.Value, path string, multiline bool, limit int, visit func(path, s string, multiline bool, limit int) bool) bool {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		return v.IsNil() || walkStrings(v.Elem(), path, multiline, limit, visit)
	case reflect.String:
		return visit(strings.TrimPrefix(path, "."), v.String(), multiline, limit)
	case reflect.Slice, reflect.Array:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return true
		}
		for i := range v.Len() {
			if !walkStrings(v.Index(i), path+"["+strconv.Itoa(i)+"]", multiline, limit, visit) {
				return false
			}
		}
	case reflect.Map:
		iter := v.MapRange()
		for iter.Next() {
			k := iter.Key()
			if k.Kind() == reflect.String && !visit(strings.TrimPrefix(path, "."), k.String(), false, limit) {
				return false
			}
			if !walkStrings(iter.Value(), path+"."+k.String(), multiline, limit, visit) {
				return false
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
			if !walkStrings(v.Field(i), p, sf.Tag.Get("text") == "multiline", l, visit) {
				return false
			}
		}
	}
	return true
}

// GuardForm refuses a posted form with a field that is not clean text
// (line breaks allowed: forms have text areas), with a page that says so
// and changes nothing. It goes after a route's body limit.
func GuardForm(page PageProblem) gin.HandlerFunc {
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
			page(c, http.StatusRequestEntityTooLarge, "The file is too large", "Split it into smaller files and upload each. Nothing was changed.")
			c.Abort()
			return
		}
		for name, values := range c.Request.PostForm {
			for _, v := range values {
				if !models.CleanText(name, false) || !models.CleanText(v, true) {
					page(c, http.StatusBadRequest, "The form holds characters we cannot take",
						"Control characters or invalid text were typed or pasted into it. Go back, retype the answer and try again. Nothing was changed.")
					c.Abort()
					return
				}
			}
		}
		c.Next()
	}
}

// FileLabel is an uploaded file's name as kept with its results: clean
// text, at most 200 characters (a name cut at 200 bytes could end inside
// a character, which PostgreSQL refuses).
func FileLabel(name string) string {
	name = strings.Map(func(r rune) rune {
		if !models.CleanText(string(r), false) {
			return -1
		}
		return r
	}, strings.ToValidUTF8(name, ""))
	if r := []rune(name); len(r) > 200 {
		name = string(r[:200])
	}
	return name
}
