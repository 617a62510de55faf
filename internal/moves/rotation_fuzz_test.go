package moves

import (
	"strings"
	"testing"
)

// FuzzParseRotationCSV: any upload is refused or read, never a panic.
func FuzzParseRotationCSV(f *testing.F) {
	f.Add("email,given_name,family_name,staff_group,receiving_trust,start_date\na@nhs.net,A,B,doctor_in_training,RRK,2027-08-04\n")
	f.Add("email,given_name,family_name,staff_group,receiving_trust\n\"\n")
	f.Fuzz(func(t *testing.T, file string) {
		rows, err := ParseRotationCSV(strings.NewReader(file))
		if err == nil && len(rows) > MaxRotationRows {
			t.Errorf("%d rows read", len(rows))
		}
	})
}
