package credentials

import (
	"bytes"
	"strings"
	"testing"

	"github.com/nhs-staff-passport/passport/models"
)

// A failures CSV never hands a spreadsheet a formula, whatever a reason
// quotes.
func TestFailuresCSVNeutralisesFormulas(t *testing.T) {
	var b bytes.Buffer
	WriteImportFailures(&b, []ImportRowResult{{Row: 2, Result: ImportInvalid,
		Errors: []models.FieldError{{Field: "=cmd", Reason: `@SUM(1+1)`}, {Field: "x", Reason: "+44 7700 900000"}, {Field: "y", Reason: "-1"}}}})
	for _, line := range strings.Split(b.String(), "\n")[1:] {
		for _, cell := range strings.Split(line, ",") {
			if cell != "" && strings.ContainsRune("=+-@", rune(cell[0])) {
				t.Errorf("cell %q of %q starts a formula", cell, line)
			}
		}
	}
}
