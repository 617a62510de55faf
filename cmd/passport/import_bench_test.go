package main

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/nhs-staff-passport/passport/internal/devtemporal"
	"github.com/nhs-staff-passport/passport/internal/testenv"
)

// importFile is an HR and learning system's export of rows rows: seven
// credentials a person (identity, right to work, DBS, registration, a job,
// a training course named as learning systems name it, occupational
// health), every person new.
func importFile(batch, rows int) string {
	header := []string{"email", "given_name", "family_name", "registration_body", "registration_number", "type", "method", "level_of_confidence",
		"documents_seen", "verified_by", "verified_on", "basis", "checked_on", "level", "workforce", "certificate_number", "issued_on",
		"update_service", "status", "employer", "role", "from", "references_received", "subject", "completed_on", "provider",
		"clearance", "epp_cleared", "assessed_on"}
	var sb strings.Builder
	sb.WriteString(strings.Join(header, ",") + "\n")
	d := time.Now().AddDate(0, -3, 0).Format("02/01/2006")
	for r := range rows {
		p := r / 7
		cells := map[string]string{"email": fmt.Sprintf("p%d.%d@nhs.net", batch, p), "given_name": "Pat", "family_name": fmt.Sprintf("Person%d", p)}
		switch r % 7 {
		case 0:
			cells["type"], cells["method"], cells["level_of_confidence"] = "identity", "in_person_documents", "medium"
			cells["documents_seen"], cells["verified_by"], cells["verified_on"] = "passport;utility_bill", "HR officer", d
		case 1:
			cells["type"], cells["basis"], cells["checked_on"] = "right_to_work", "citizen", d
		case 2:
			cells["type"], cells["level"], cells["workforce"] = "dbs_check", "enhanced_barred_lists", "adult_and_child"
			cells["certificate_number"], cells["issued_on"], cells["update_service"] = fmt.Sprintf("%012d", p), d, "yes"
		case 3:
			cells["type"], cells["registration_body"], cells["registration_number"] = "professional_registration", "GMC", fmt.Sprintf("%07d", batch*100000+p)
			cells["status"], cells["checked_on"] = "registered", d
		case 4:
			cells["type"], cells["employer"], cells["role"], cells["from"], cells["references_received"] = "employment_history", "Guy's and St Thomas'", "Staff nurse", d, "2"
		case 5:
			cells["type"], cells["subject"], cells["completed_on"], cells["provider"] = "core_skills_training",
				"NHS|CSTF|Information Governance and Data Security - 1 Year|", d, "e-LfH"
		case 6:
			cells["type"], cells["clearance"], cells["epp_cleared"], cells["assessed_on"] = "occupational_health", "fit", "no", d
		}
		row := make([]string, len(header))
		for i, h := range header {
			row[i] = cells[h]
		}
		sb.WriteString(strings.Join(row, ",") + "\n")
	}
	return sb.String()
}

// benchmarkImport uploads a file of rows rows through the API and waits
// for its answer, by when every row is issued (the import is
// synchronous). With postgres, the service runs on PostgreSQL; otherwise
// on dev mode's SQLite.
func benchmarkImport(b *testing.B, rows int, postgres bool) {
	dir := b.TempDir()
	cfg := devConfig(b, dir, testenv.FreePortRange(b, devtemporal.PortsUsed))
	if postgres {
		cfg.DatabaseURL = testenv.PostgresDB(b)
	}
	d, err := startDev(b.Context(), cfg, quietLogger())
	if err != nil {
		b.Fatal(err)
	}
	defer d.stop()
	key := demoKey(b, dir, "RJ1", "hr")
	files := make([]string, b.N)
	for i := range b.N {
		files[i] = importFile(i, rows)
	}
	b.ResetTimer()
	start := time.Now()
	for i := range b.N {
		code, body := upload(b, d.baseURL()+"/api/v1/credentials/imports", key, files[i])
		if code != http.StatusCreated || !strings.Contains(body, fmt.Sprintf(`"issued":%d,`, rows)) {
			b.Fatalf("%d %.400s", code, body)
		}
	}
	b.ReportMetric(float64(rows*b.N)/time.Since(start).Seconds(), "rows/s")
}

// BenchmarkImport10000 is the target on dev mode (SQLite).
func BenchmarkImport10000(b *testing.B) { benchmarkImport(b, 10000, false) }

// BenchmarkImport10000Postgres is the same on PostgreSQL.
func BenchmarkImport10000Postgres(b *testing.B) { benchmarkImport(b, 10000, true) }

// BenchmarkImport50000 is the largest import a file may hold, on dev mode.
func BenchmarkImport50000(b *testing.B) { benchmarkImport(b, 50000, false) }
