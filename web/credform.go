package web

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/nhs-staff-passport/passport/models"
)

// The forms that record a credential in the portal: one per type, with
// the catalogue's fields (package models decides what is valid; the form
// turns what people type into claims and names what is wrong in words).

type inputKind int

const (
	kindText inputKind = iota
	kindLines
	kindDate
	kindRadios
	kindSelect
	kindCheckboxes
	kindNumber
	kindYesNo
)

// credField is one field of a credential form: a claim and how it is asked.
type credField struct {
	Name     string // the claim, and the input's name
	Label    string
	Hint     string
	Kind     inputKind
	Options  []option
	Optional bool
	Class    string
	// Missing is the error when the field is left unanswered, where the
	// label does not make one ("Select how identity was checked").
	Missing string
}

var yesNo = []option{{"yes", "Yes"}, {"no", "No"}}

// credForms are the fields of each type's form, in the order asked.
// Core skills training has a form of its own (several subjects at once).
var credForms = map[models.CredentialType][]credField{
	models.CredIdentity: {
		{Name: "method", Label: "How was identity checked?", Missing: "Select how identity was checked", Kind: kindRadios, Options: []option{
			{"in_person_documents", "In person, with original documents"}, {"certified_identity_service", "By a certified digital identity service"}}},
		{Name: "documents_seen", Label: "Documents seen", Hint: "For an in-person check: at least two.", Kind: kindCheckboxes, Optional: true, Options: documentOptions()},
		{Name: "identity_service", Label: "Identity service", Hint: "For a digital check: the certified service's name.", Optional: true, Class: "nhsuk-u-width-two-thirds"},
		{Name: "level_of_confidence", Label: "Level of confidence", Hint: "As the Good Practice Guide 45 defines it.", Kind: kindRadios, Options: []option{
			{"low", "Low"}, {"medium", "Medium"}, {"high", "High"}}},
		{Name: "verified_by", Label: "Checked by", Hint: "Name and job title.", Class: "nhsuk-u-width-two-thirds"},
		{Name: "verified_on", Label: "Date of the check", Kind: kindDate},
	},
	models.CredRightToWork: {
		{Name: "basis", Label: "What was checked?", Missing: "Select what was checked", Kind: kindRadios, Options: []option{
			{"citizen", "British or Irish citizen"}, {"settled", "Settled or pre-settled status"},
			{"visa", "A visa or other time-limited permission"}, {"share_code", "An online check with a share code"}}},
		{Name: "share_code", Label: "Share code", Hint: "For an online check: 9 characters starting with W.", Optional: true, Class: "nhsuk-input--width-10"},
		{Name: "checked_on", Label: "Date of the check", Kind: kindDate},
		{Name: "expires", Label: "Date the permission ends", Hint: "For a visa, a share code or any time-limited permission.", Kind: kindDate, Optional: true},
	},
	models.CredDBSCheck: {
		{Name: "level", Label: "Level of check", Kind: kindRadios, Options: []option{
			{"basic", "Basic"}, {"standard", "Standard"}, {"enhanced", "Enhanced"}, {"enhanced_barred_lists", "Enhanced with barred lists"}}},
		{Name: "workforce", Label: "Workforce", Hint: "Enhanced checks only.", Kind: kindRadios, Optional: true, Options: []option{
			{"adult", "Adult"}, {"child", "Child"}, {"adult_and_child", "Adult and child"}, {"other", "Other"}}},
		{Name: "certificate_number", Label: "Certificate number", Hint: "12 digits.", Class: "nhsuk-input--width-20"},
		{Name: "issued_on", Label: "Date of issue", Kind: kindDate},
		{Name: "update_service", Label: "Is the certificate on the DBS Update Service?", Missing: "Select yes if the certificate is on the DBS Update Service", Kind: kindYesNo, Options: yesNo},
	},
	models.CredProfessionalRegistration: {
		{Name: "body", Label: "Regulator", Kind: kindSelect, Options: regulatorOptions()},
		{Name: "number", Label: "Registration number", Class: "nhsuk-input--width-10"},
		{Name: "status", Label: "Status on the register", Kind: kindRadios, Options: []option{
			{"registered", "Registered"}, {"registered_with_conditions", "Registered with conditions"}, {"suspended", "Suspended"}, {"lapsed", "Lapsed"}}},
		{Name: "conditions", Label: "Conditions", Hint: "For a registration with conditions: one on each line.", Kind: kindLines, Optional: true},
		{Name: "checked_on", Label: "Date you checked the register", Kind: kindDate},
		{Name: "renewal_due", Label: "Renewal due", Hint: "Reminders go before this date.", Kind: kindDate, Optional: true},
	},
	models.CredEmploymentHistory: {
		{Name: "employer", Label: "Employer", Class: "nhsuk-u-width-two-thirds"},
		{Name: "role", Label: "Job title", Class: "nhsuk-u-width-two-thirds"},
		{Name: "from", Label: "Start date", Kind: kindDate},
		{Name: "to", Label: "End date", Hint: "Leave empty while the job goes on.", Kind: kindDate, Optional: true},
		{Name: "references_received", Label: "References received", Hint: "0 to 10.", Kind: kindNumber, Class: "nhsuk-input--width-2"},
	},
	models.CredOccupationalHealth: {
		{Name: "clearance", Label: "Clearance", Hint: "The outcome only: never clinical detail.", Kind: kindRadios, Options: []option{
			{"fit", "Fit for the role"}, {"fit_with_adjustments", "Fit with adjustments"}, {"not_fit", "Not fit for the role"}}},
		{Name: "epp_cleared", Label: "Cleared for exposure-prone procedures?", Missing: "Select yes if they are cleared for exposure-prone procedures", Kind: kindYesNo, Options: yesNo},
		{Name: "assessed_on", Label: "Date of the assessment", Kind: kindDate},
		{Name: "review_due", Label: "Review due", Kind: kindDate, Optional: true},
	},
}

func documentOptions() []option {
	var out []option
	for _, d := range models.IdentityDocuments {
		out = append(out, option{d, capitalise(strings.ReplaceAll(d, "_", " "))})
	}
	return out
}

// regulatorNames are the regulators as people know them.
var regulatorNames = map[string]string{
	"GMC": "General Medical Council (GMC)", "NMC": "Nursing and Midwifery Council (NMC)", "HCPC": "Health and Care Professions Council (HCPC)",
	"GPhC": "General Pharmaceutical Council (GPhC)", "GDC": "General Dental Council (GDC)", "GOC": "General Optical Council (GOC)",
	"GOsC": "General Osteopathic Council (GOsC)", "GCC": "General Chiropractic Council (GCC)", "SWE": "Social Work England (SWE)",
	"PSNI": "Pharmaceutical Society of Northern Ireland (PSNI)",
}

func regulatorOptions() []option {
	out := []option{{"", "Choose the regulator"}}
	for _, b := range models.RegulatoryBodies() {
		out = append(out, option{b, regulatorNames[b]})
	}
	return out
}

// Anchor is the id of the field's first input, where the error summary
// links to.
func (f credField) Anchor() string {
	switch f.Kind {
	case kindDate:
		return f.Name + "-day"
	case kindRadios, kindCheckboxes, kindYesNo:
		return f.Name + "-" + f.Options[0].Value
	}
	return f.Name
}

// lowerFirst makes a label fit inside a sentence ("Enter the date of ...").
func lowerFirst(s string) string {
	if s == "" || (len(s) > 1 && strings.ToUpper(s[:2]) == s[:2]) { // keep "DBS ..."
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

// formDate reads an NHS.UK date input (name-day, name-month, name-year).
// ok is false with a reason when something was typed that is not a date;
// an empty input gives the zero date.
func formDate(f url.Values, name, label string) (models.Date, string) {
	d, m, y := strings.TrimSpace(f.Get(name+"-day")), strings.TrimSpace(f.Get(name+"-month")), strings.TrimSpace(f.Get(name+"-year"))
	if d == "" && m == "" && y == "" {
		return models.Date{}, ""
	}
	var missing []string
	for _, p := range []struct{ v, name string }{{d, "day"}, {m, "month"}, {y, "year"}} {
		if p.v == "" {
			missing = append(missing, p.name)
		}
	}
	if len(missing) > 0 {
		return models.Date{}, label + " must include a " + strings.Join(missing, " and ")
	}
	dn, err1 := strconv.Atoi(d)
	mn, err2 := strconv.Atoi(m)
	yn, err3 := strconv.Atoi(y)
	if err1 != nil || err2 != nil || err3 != nil || len(y) != 4 || mn < 1 || mn > 12 || dn < 1 {
		return models.Date{}, label + " must be a real date"
	}
	t := time.Date(yn, time.Month(mn), dn, 0, 0, 0, 0, time.UTC)
	if t.Day() != dn {
		return models.Date{}, label + " must be a real date"
	}
	return models.Date{Time: t}, ""
}

// claimsFromForm turns one form's fields into claims as JSON, with an
// error per field that was left out or could not be read (keyed by the
// field's anchor). Fields not answered are left out of the claims.
func claimsFromForm(fields []credField, f url.Values, suffix string) (map[string]any, []models.FieldError) {
	claims := map[string]any{}
	var errs []models.FieldError
	fail := func(fd credField, reason string) {
		errs = append(errs, models.FieldError{Field: fd.Anchor() + suffix, Reason: reason})
	}
	for _, fd := range fields {
		name := fd.Name + suffix
		v := strings.TrimSpace(f.Get(name))
		switch fd.Kind {
		case kindDate:
			d, problem := formDate(f, name, fd.Label)
			switch {
			case problem != "":
				fail(fd, problem)
			case d.IsZero() && !fd.Optional:
				fail(fd, "Enter the "+strings.TrimPrefix(lowerFirst(fd.Label), "the "))
			case !d.IsZero():
				claims[fd.Name] = d
			}
			continue
		case kindCheckboxes:
			if vs := f[name]; len(vs) > 0 {
				claims[fd.Name] = vs
			}
			continue
		case kindLines:
			var lines []string
			for _, l := range strings.Split(f.Get(name), "\n") {
				if l = strings.TrimSpace(l); l != "" {
					lines = append(lines, l)
				}
			}
			if len(lines) > 0 {
				claims[fd.Name] = lines
			}
			continue
		}
		if v == "" {
			if !fd.Optional {
				switch {
				case fd.Missing != "":
					fail(fd, fd.Missing)
				case fd.Kind == kindRadios || fd.Kind == kindSelect || fd.Kind == kindYesNo:
					fail(fd, "Select "+lowerFirst(fd.Label))
				default:
					fail(fd, "Enter "+lowerFirst(fd.Label))
				}
			}
			continue
		}
		switch fd.Kind {
		case kindNumber:
			n, err := strconv.Atoi(v)
			if err != nil {
				fail(fd, fd.Label+" must be a whole number")
				continue
			}
			claims[fd.Name] = n
		case kindYesNo:
			claims[fd.Name] = v == "yes"
		default:
			claims[fd.Name] = v
		}
	}
	return claims, errs
}

// claimErrors names the catalogue's objections to the claims as the
// form's fields: "claims.level" becomes the level field, its reason a
// sentence beginning with the field's label.
func claimErrors(err error, fields []credField, suffix string) ([]models.FieldError, error) {
	v, ok := err.(*models.ValidationError)
	if !ok {
		return nil, err
	}
	var out []models.FieldError
	for _, fe := range v.Fields {
		name := strings.TrimPrefix(fe.Field, "claims.")
		anchor, label := "", ""
		for _, fd := range fields {
			if fd.Name == name {
				fd.Name += suffix // the input's own name, as inputOf gives it
				anchor, label = fd.Anchor(), fd.Label
			}
		}
		if anchor == "" { // a rule about the whole: shown at the first field
			anchor, label = "claims", ""
			if len(fields) > 0 {
				first := fields[0]
				first.Name += suffix
				anchor = first.Anchor()
			}
		}
		reason := fe.Reason
		switch {
		case label != "" && (strings.HasPrefix(reason, "must ") || strings.HasPrefix(reason, "is ") || strings.HasPrefix(reason, "has ")):
			reason = strings.TrimSuffix(label, "?") + " " + reason
		default:
			reason = capitalise(reason)
		}
		out = append(out, models.FieldError{Field: anchor, Reason: reason})
	}
	return out, nil
}

// cstfSuffix names one subject's inputs on the training form.
func cstfSuffix(id string) string { return "-" + id }

var cstfFields = []credField{
	{Name: "level", Label: "Level", Kind: kindSelect},
	{Name: "completed_on", Label: "Date completed", Kind: kindDate},
}

// trainingFromForm reads the core skills training form: the subjects
// completed (each with its level and date) and the provider. One claims
// object per subject.
func trainingFromForm(f url.Values) ([]map[string]any, []models.FieldError) {
	var out []map[string]any
	var errs []models.FieldError
	provider := strings.TrimSpace(f.Get("provider"))
	for _, s := range models.CSTFSubjects() {
		suffix := cstfSuffix(s.ID)
		level := f.Get("level" + suffix)
		date, problem := formDate(f, "completed_on"+suffix, "The date "+lowerFirst(s.Name)+" was completed")
		typed := level != "" || problem != "" || !date.IsZero()
		if !typed {
			continue
		}
		switch {
		case problem != "":
			errs = append(errs, models.FieldError{Field: "completed_on" + suffix + "-day", Reason: problem})
		case date.IsZero():
			errs = append(errs, models.FieldError{Field: "completed_on" + suffix + "-day", Reason: "Enter the date " + lowerFirst(s.Name) + " was completed"})
		}
		n, err := strconv.Atoi(level)
		if err != nil {
			errs = append(errs, models.FieldError{Field: "level" + suffix, Reason: "Select the level of " + lowerFirst(s.Name)})
		}
		out = append(out, map[string]any{"subject": s.ID, "level": n, "completed_on": date, "provider": provider})
	}
	if len(out) == 0 && len(errs) == 0 {
		errs = append(errs, models.FieldError{Field: "level" + cstfSuffix(models.CSTFSubjectIDs()[0]),
			Reason: "Enter the level and date of at least one subject"})
	}
	if provider == "" {
		errs = append(errs, models.FieldError{Field: "provider", Reason: "Enter who provided the training"})
	} else if utf8.RuneCountInString(provider) > 200 {
		errs = append(errs, models.FieldError{Field: "provider", Reason: "The provider must be 200 characters or fewer"})
	}
	return out, errs
}

// credentialClaimsFromForm reads a record form for type t into the claims
// of one or more credentials (several for training), judged by the
// catalogue as of today. Field errors name the form's inputs.
func credentialClaimsFromForm(t models.CredentialType, f url.Values, today time.Time) ([]json.RawMessage, []models.FieldError, error) {
	var sets []map[string]any
	var errs []models.FieldError
	fieldsOf := func(int) ([]credField, string) { return credForms[t], "" }
	if t == models.CredCoreSkillsTraining {
		sets, errs = trainingFromForm(f)
		fieldsOf = func(i int) ([]credField, string) {
			return cstfFields, cstfSuffix(sets[i]["subject"].(string))
		}
	} else {
		fields, ok := credForms[t]
		if !ok {
			return nil, nil, fmt.Errorf("no form for %q: %w", t, models.ErrNotFound)
		}
		claims, e := claimsFromForm(fields, f, "")
		sets, errs = []map[string]any{claims}, e
	}
	var out []json.RawMessage
	for i, claims := range sets {
		raw, err := json.Marshal(claims)
		if err != nil {
			return nil, nil, err
		}
		fields, suffix := fieldsOf(i)
		if _, err := models.ParseClaims(t, raw, today); err != nil {
			more, err := claimErrors(err, fields, suffix)
			if err != nil {
				return nil, nil, err
			}
			for _, m := range more {
				if errFor(errs, m.Field) == "" { // what the form said first stands
					errs = append(errs, m)
				}
			}
		}
		out = append(out, raw)
	}
	return out, orderErrors(errs, t), nil
}

// orderErrors puts the error summary in the order of the form's fields.
func orderErrors(errs []models.FieldError, t models.CredentialType) []models.FieldError {
	var order []string
	if t == models.CredCoreSkillsTraining {
		for _, id := range models.CSTFSubjectIDs() {
			order = append(order, "level"+cstfSuffix(id), "completed_on"+cstfSuffix(id)+"-day")
		}
		order = append(order, "provider")
	} else {
		for _, fd := range credForms[t] {
			order = append(order, fd.Anchor())
		}
	}
	return orderFields(errs, order...)
}
