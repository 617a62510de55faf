package credentials_test

import (
	"context"
	"strings"
	"testing"

	"github.com/nhs-staff-passport/passport/internal/credentials"
	"github.com/nhs-staff-passport/passport/models"
)

func TestTrainingNames(t *testing.T) {
	own := credentials.NewTrainingNames([]models.TrainingName{{Name: "Mandatory Fire Warden course", Subject: "fire_safety"},
		{Name: "PREVENT WRAP 3", Subject: "preventing_radicalisation", Level: 3}})
	for name, want := range map[string]struct {
		subject string
		level   int
	}{
		"NHS|CSTF|Information Governance and Data Security - 1 Year|":  {"information_governance", 0},
		"NHS|CSTF|Safeguarding Adults - Level 2 - 3 Years|":            {"safeguarding_adults", 2},
		"NHS|MAND|Resuscitation - Level 2 - Adult Basic Life Support|": {"resuscitation", 2},
		"Equality, Diversity & Human Rights":                           {"equality_diversity_human_rights", 0},
		"moving_handling":                                              {"moving_handling", 0},
		"Infection Prevention and Control – Level 1":                   {"infection_prevention_control", 1},
		"Data Security Awareness - Level 1":                            {"information_governance", 1},
		"mandatory fire warden course":                                 {"fire_safety", 0},
		"Prevent WRAP 3":                                               {"preventing_radicalisation", 3},
		"Conflict Resolution (3 yearly)":                               {"conflict_resolution", 0},
	} {
		subject, level, ok := own.Subject(name)
		if !ok || subject != want.subject || level != want.level {
			t.Errorf("%q: %q level %d (%v), want %q level %d", name, subject, level, ok, want.subject, want.level)
		}
	}
	if s, _, ok := own.Subject("Hand hygiene for visitors"); ok {
		t.Errorf("an unknown course was taken for %s", s)
	}
}

const importCSV = `email,given_name,family_name,registration_body,registration_number,type,method,level_of_confidence,documents_seen,verified_by,verified_on,basis,checked_on,expires,level,workforce,certificate_number,issued_on,update_service,status,employer,role,from,references_received,subject,completed_on,provider,clearance,epp_cleared,assessed_on
priya.nair@nhs.net,Priya,Nair,,,identity,in_person_documents,Medium,Passport; utility bill,Amara Okafor,2026-01-05,,,,,,,,,,,,,,,,,,,
priya.nair@nhs.net,Priya,Nair,,,right_to_work,,,,,,visa,05/01/2026,2028-01-05,,,,,,,,,,,,,,,,
priya.nair@nhs.net,Priya,Nair,,,dbs_check,,,,,,,,,Enhanced barred lists,adult,001234567890,2025-12-01,yes,,,,,,,,,,,
priya.nair@nhs.net,Priya,Nair,NMC,12A3456E,professional_registration,,,,,,,2026-11-01,,,,,,,registered,,,,,,,,,,
priya.nair@nhs.net,Priya,Nair,,,employment_history,,,,,,,,,,,,,,,Guy's and St Thomas',Staff nurse,2024-09-01,2,,,,,,
priya.nair@nhs.net,Priya,Nair,,,core_skills_training,,,,,,,,,,,,,,,,,,,NHS|CSTF|Information Governance and Data Security - 1 Year|,2026-06-01,e-LfH,,,
priya.nair@nhs.net,Priya,Nair,,,core_skills_training,,,,,,,,,,,,,,,,,,,NHS|CSTF|Safeguarding Adults - Level 2 - 3 Years|,2026-06-01,e-LfH,,,
priya.nair@nhs.net,Priya,Nair,,,occupational_health,,,,,,,,,,,,,,,,,,,,,,fit,no,2026-02-01
,,,GMC,7012345,dbs_check,,,,,,,,,basic,,009876543210,2026-03-01,no,,,,,,,,,,,
,,,GMC,7999999,dbs_check,,,,,,,,,basic,,009876543210,2026-03-01,no,,,,,,,,,,,
,,,GMC,7111111,dbs_check,,,,,,,,,basic,,009876543210,2026-03-01,no,,,,,,,,,,,
new.person@nhs.net,,,,,dbs_check,,,,,,,,,basic,,009876543210,2026-03-01,no,,,,,,,,,,,
priya.nair@nhs.net,Priya,Nair,,,core_skills_training,,,,,,,,,,,,,,,,,,,Hand hygiene for visitors,2026-06-01,e-LfH,,,
priya.nair@nhs.net,Priya,Nair,,,dbs_check,,,,,,,,,basic,,0012345,31/02/2026,maybe,,,,,,,,,,,
priya.nair@nhs.net,Priya,Nair,,,occupational_health,,,,,,,,,,,,,,,,,,,,,e-LfH,fit,no,2026-02-01
`

func TestImportCSV(t *testing.T) {
	ctx := context.Background()
	for name, f := range fixtures(t) {
		t.Run(name, func(t *testing.T) {
			// Sam (the fixture's passport) is known by a GMC registration,
			// and RJ1 deals with him.
			issue(t, f, "professional_registration", `{"body":"GMC","number":"7012345","status":"registered","checked_on":"2026-10-01"}`)
			if err := f.st.LinkPassport(ctx, f.passport.ID, "RJ1"); err != nil {
				t.Fatal(err)
			}
			// Lee is known to RRK only: his number must not lead RJ1 to him.
			lee, _, err := f.st.FindOrCreatePassport(ctx, models.StaffDetails{Email: "lee.wong@nhs.net", GivenName: "Lee", FamilyName: "Wong"})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.svc.Issue(ctx, f.rrk, credentials.IssueInput{PassportID: lee.ID, Type: "professional_registration",
				Claims: []byte(`{"body":"GMC","number":"7111111","status":"registered","checked_on":"2026-10-01"}`)}); err != nil {
				t.Fatal(err)
			}
			rows, err := credentials.ParseImportCSV(strings.NewReader(importCSV), credentials.NewTrainingNames(nil))
			if err != nil {
				t.Fatal(err)
			}

			// A dry run matches and judges every row, and changes nothing.
			dry, err := f.svc.Import(ctx, f.rj1, rows, true)
			if err != nil {
				t.Fatal(err)
			}
			if dry.WouldIssue != 9 || dry.Invalid != 6 || dry.Issued != 0 || dry.PeopleAdded != 1 {
				for _, r := range dry.Rows {
					t.Logf("%d %s %+v", r.Row, r.Result, r.Errors)
				}
				t.Fatalf("dry run: %+v", summary(dry))
			}
			if _, err := f.st.PassportsByEmail(ctx, []string{"priya.nair@nhs.net"}); err != nil {
				t.Fatal(err)
			} else if got, _ := f.st.PassportsByEmail(ctx, []string{"priya.nair@nhs.net"}); len(got) != 0 {
				t.Fatal("a dry run made a passport")
			}
			wantErrors := map[int][]string{
				10: {"email"},                                             // GMC 7999999 is nobody's, and no address to add them
				11: {"email"},                                             // GMC 7111111 is Lee's, whom RJ1 does not deal with
				12: {"given_name"},                                        // new, but no name
				13: {"subject"},                                           // not a course we know
				14: {"certificate_number", "issued_on", "update_service"}, // and the date is not a real one
				15: {"provider"},                                          // a training column on another type's row
			}
			for row, fields := range wantErrors {
				r := dry.Rows[row-1]
				if r.Result != credentials.ImportInvalid {
					t.Errorf("row %d: %s, want invalid", row, r.Result)
					continue
				}
				for _, field := range fields {
					if !strings.Contains(fieldsOf(r.Errors), field) {
						t.Errorf("row %d: errors %+v, want one about %s", row, r.Errors, field)
					}
				}
			}

			res, err := f.svc.Import(ctx, f.rj1, rows, false)
			if err != nil {
				t.Fatal(err)
			}
			if res.Issued != 9 || res.Invalid != 6 || res.PeopleAdded != 1 {
				t.Fatalf("import: %+v", summary(res))
			}
			if res.Rows[8].PassportID != f.passport.ID {
				t.Errorf("the GMC number found %s, want Sam's passport %s", res.Rows[8].PassportID, f.passport.ID)
			}
			priya := res.Rows[0].PassportID
			pp, err := f.st.Passport(ctx, priya)
			if err != nil || len(pp.Credentials) != 8 || pp.GivenName != "Priya" {
				t.Fatalf("Priya's passport: %d credentials, %v", len(pp.Credentials), err)
			}
			for _, c := range pp.Credentials {
				if !verify(t, f, c.JWS).Valid {
					t.Errorf("imported %s does not verify", c.Type)
				}
				if c.Subject == "safeguarding_adults" && !strings.Contains(string(c.Claims), `"level":2`) {
					t.Errorf("the level in the course name was not taken: %s", c.Claims)
				}
				if c.Type == models.CredDBSCheck && !strings.Contains(string(c.Claims), `"level":"enhanced_barred_lists"`) {
					t.Errorf("DBS level: %s", c.Claims)
				}
			}
			if err := f.st.PassportLinked(ctx, priya, "RJ1"); err != nil {
				t.Errorf("Priya's passport is not linked to RJ1: %v", err)
			}
			// Her NMC registration now finds her.
			if byRef, _ := f.st.PassportsByIdentityRef(ctx, []string{f.svc.IdentityRef("NMC", "12A3456E")}); len(byRef) != 1 {
				t.Error("the imported registration does not identify Priya")
			}

			// The same file again issues nothing.
			again, err := f.svc.Import(ctx, f.rj1, rows, false)
			if err != nil {
				t.Fatal(err)
			}
			if again.Issued != 0 || again.AlreadyIssued != 9 || again.PeopleAdded != 0 {
				t.Fatalf("the same file again: %+v", summary(again))
			}
			if pp, _ := f.st.Passport(ctx, priya); len(pp.Credentials) != 8 {
				t.Errorf("after the second import Priya holds %d credentials", len(pp.Credentials))
			}
		})
	}
}

func summary(r credentials.ImportResult) map[string]int {
	return map[string]int{"issued": r.Issued, "already": r.AlreadyIssued, "would": r.WouldIssue, "invalid": r.Invalid, "people": r.PeopleAdded}
}

func fieldsOf(errs []models.FieldError) string {
	var out []string
	for _, e := range errs {
		out = append(out, e.Field)
	}
	return strings.Join(out, " ")
}

func TestImportFileFaults(t *testing.T) {
	for name, file := range map[string]string{
		"unknown column": "email,type,colour\nx@nhs.net,dbs_check,red\n",
		"no type":        "email,level\nx@nhs.net,basic\n",
		"no rows":        "email,type\n",
		"not csv":        "email,type\n\"x,\n",
	} {
		if _, err := credentials.ParseImportCSV(strings.NewReader(file), credentials.NewTrainingNames(nil)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
