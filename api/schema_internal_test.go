package api

import (
	"reflect"
	"strings"
	"testing"

	"github.com/nhs-staff-passport/passport/internal/moves"
)

// Each JSON answer's fields are in the schema the OpenAPI document gives
// it, which forbids any other property: a field added to an answer but not
// to the document breaks every strict client (issue 16: moves carried
// "paused", which the Move schema forbade).
func TestAnswersKeepToTheirSchemas(t *testing.T) {
	for name, v := range map[string]any{"Move": moves.View{}, "Share": moves.ShareView{}} {
		props := schemas[name].(obj)["properties"].(obj)
		typ := reflect.TypeOf(v)
		for i := range typ.NumField() {
			tag, _, _ := strings.Cut(typ.Field(i).Tag.Get("json"), ",")
			if tag == "" || tag == "-" {
				continue
			}
			if _, ok := props[tag]; !ok {
				t.Errorf("%s answers carry %q, which its schema does not allow", name, tag)
			}
		}
	}
}
