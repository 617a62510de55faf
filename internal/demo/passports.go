package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/nhs-staff-passport/passport/internal/credentials"
	"github.com/nhs-staff-passport/passport/internal/store"
	"github.com/nhs-staff-passport/passport/models"
)

// Person is a member of staff whose passport development mode fills the
// way their trust would, so that a move in the README's tour has
// something to transfer.
type Person struct {
	models.StaffDetails
	StaffGroup models.StaffGroup
	// About says who they are and what their passport lacks, for the
	// start-up banner and the README.
	About string
	// Issuer records every credential.
	Issuer      string
	credentials func(now time.Time) []credentials.IssueInput
}

// People are the demo staff: a doctor in training whose passport holds all
// seven types, and a temporary mover whose passport lacks a DBS check and
// occupational health clearance (so a move asks the sending trust).
func People() []Person {
	return []Person{
		{StaffDetails: models.StaffDetails{Email: "aisha.khan@staff.demo.nhs.localhost", GivenName: "Aisha", FamilyName: "Khan"},
			StaffGroup: models.GroupDoctorInTraining, Issuer: "RJ1",
			About:       "doctor in training: all seven credentials, six training subjects (one refresher due within 30 days)",
			credentials: aishasCredentials},
		{StaffDetails: models.StaffDetails{Email: "leo.martins@staff.demo.nhs.localhost", GivenName: "Leo", FamilyName: "Martins"},
			StaffGroup: models.GroupTemporaryMover, Issuer: "RJ1",
			About:       "temporary mover: no DBS check or occupational health clearance yet",
			credentials: leosCredentials},
	}
}

func day(now time.Time, months, days int) string {
	return now.AddDate(0, months, days).Format(time.DateOnly)
}

func claims(t models.CredentialType, v map[string]any) credentials.IssueInput {
	raw, _ := json.Marshal(v)
	return credentials.IssueInput{Type: string(t), Claims: raw}
}

func training(now time.Time, subject string, level, monthsAgo, daysAgo int) credentials.IssueInput {
	return claims(models.CredCoreSkillsTraining, map[string]any{"subject": subject, "level": level,
		"completed_on": day(now, -monthsAgo, -daysAgo), "provider": "Guy's and St Thomas' learning hub"})
}

func aishasCredentials(now time.Time) []credentials.IssueInput {
	return []credentials.IssueInput{
		claims(models.CredIdentity, map[string]any{"method": "in_person_documents", "level_of_confidence": "medium",
			"documents_seen": []string{"passport", "utility_bill"}, "verified_by": "Amara Okafor, HR officer", "verified_on": day(now, -16, 0)}),
		claims(models.CredRightToWork, map[string]any{"basis": "citizen", "checked_on": day(now, -16, 0)}),
		claims(models.CredDBSCheck, map[string]any{"level": "enhanced_barred_lists", "workforce": "adult_and_child",
			"certificate_number": "001234567890", "issued_on": day(now, -15, 0), "update_service": true}),
		claims(models.CredProfessionalRegistration, map[string]any{"body": "GMC", "number": "7654321", "status": "registered",
			"checked_on": day(now, -1, 0), "renewal_due": day(now, 10, 0)}),
		claims(models.CredEmploymentHistory, map[string]any{"employer": "Guy's and St Thomas' NHS Foundation Trust",
			"role": "Foundation year 2 doctor", "from": day(now, -16, 0), "references_received": 2}),
		training(now, "fire_safety", 1, 6, 0),
		training(now, "information_governance", 1, 11, 10), // refresher due in about 20 days
		training(now, "resuscitation", 2, 2, 0),
		training(now, "safeguarding_adults", 2, 8, 0),
		training(now, "safeguarding_children", 2, 8, 0),
		training(now, "infection_prevention_control", 2, 4, 0),
		claims(models.CredOccupationalHealth, map[string]any{"clearance": "fit", "epp_cleared": true, "assessed_on": day(now, -15, 0)}),
	}
}

func leosCredentials(now time.Time) []credentials.IssueInput {
	return []credentials.IssueInput{
		claims(models.CredIdentity, map[string]any{"method": "in_person_documents", "level_of_confidence": "medium",
			"documents_seen": []string{"photocard_driving_licence", "bank_statement"}, "verified_by": "Amara Okafor, HR officer", "verified_on": day(now, -3, 0)}),
		claims(models.CredRightToWork, map[string]any{"basis": "visa", "checked_on": day(now, -3, 0), "expires": day(now, 20, 0)}),
		training(now, "fire_safety", 1, 2, 0),
		training(now, "health_safety_welfare", 1, 2, 0),
		training(now, "moving_handling", 2, 2, 0),
	}
}

// SeedPassports fills the demo people's passports the first time, as their
// trust would, and links each to its trust. A passport that holds
// anything is left as it is.
func SeedPassports(ctx context.Context, st *store.Store, creds *credentials.Service, now time.Time) error {
	for _, p := range People() {
		pp, _, err := st.FindOrCreatePassport(ctx, p.StaffDetails)
		if err != nil {
			return fmt.Errorf("demo: passport of %s: %w", p.GivenName, err)
		}
		if err := st.LinkPassport(ctx, pp.ID, p.Issuer); err != nil {
			return err
		}
		if full, err := st.Passport(ctx, pp.ID); err != nil || len(full.Credentials) > 0 {
			continue // filled before (or used since): left as it is
		}
		actor := models.Actor{Kind: models.ActorSystem, ID: "demo-seed", Trust: p.Issuer}
		for _, in := range p.credentials(now) {
			in.PassportID = pp.ID
			if _, err := creds.Issue(ctx, actor, in); err != nil {
				return fmt.Errorf("demo: %s's %s: %w", p.GivenName, in.Type, err)
			}
		}
	}
	return nil
}
