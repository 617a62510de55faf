package credentials

import (
	"strings"
	"testing"
)

// FuzzParseImportCSV: any upload is refused or read, never a panic, and
// every row read carries valid JSON claims.
func FuzzParseImportCSV(f *testing.F) {
	f.Add("email,type,level,certificate_number,issued_on,update_service\na@nhs.net,dbs_check,basic,001234567890,01/02/2026,yes\n")
	f.Add("email,type,subject,level,completed_on,provider\na@nhs.net,core_skills_training,NHS|CSTF|Fire Safety - 2 Years|,,2026-01-01,x\n")
	f.Add("email,type\n\"a\x00\",identity\n")
	f.Add("")
	f.Fuzz(func(t *testing.T, file string) {
		rows, err := ParseImportCSV(strings.NewReader(file), NewTrainingNames(nil))
		if err != nil {
			return
		}
		for i, r := range rows {
			if len(r.Claims) == 0 || r.Claims[0] != '{' {
				t.Errorf("row %d: claims %q", i+1, r.Claims)
			}
		}
	})
}
