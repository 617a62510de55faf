package models

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Date is a calendar date, written YYYY-MM-DD.
type Date struct{ time.Time }

// MarshalJSON writes YYYY-MM-DD.
func (d Date) MarshalJSON() ([]byte, error) {
	if d.IsZero() {
		return []byte(`null`), nil
	}
	return json.Marshal(d.Format(time.DateOnly))
}

// UnmarshalJSON reads YYYY-MM-DD.
func (d *Date) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*d = Date{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("a date must be a string YYYY-MM-DD")
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return fmt.Errorf("%q is not a date YYYY-MM-DD", s)
	}
	*d = Date{t}
	return nil
}

// ClaimSet is the body of one credential type.
type ClaimSet interface {
	// validate adds an error for every field at fault, as "claims.<field>",
	// judging dates against today.
	validate(v *ValidationError, today time.Time)
	// subject tells this credential apart from others of its type.
	subject() string
	// expiry is when the fact stops being true, if it says.
	expiry() *time.Time
	// checked is the date the check was made (or the training done, or the
	// job begun): with the type, subject and issuer it names the fact.
	checked() Date
}

// IdentityClaims record an identity check to the NHS Employers standard.
type IdentityClaims struct {
	Method            string   `json:"method"`                     // in_person_documents | certified_identity_service
	LevelOfConfidence string   `json:"level_of_confidence"`        // low | medium | high (GPG 45)
	DocumentsSeen     []string `json:"documents_seen"`             // for in-person checks
	IdentityService   string   `json:"identity_service,omitempty"` // for a certified service
	VerifiedBy        string   `json:"verified_by"`
	VerifiedOn        Date     `json:"verified_on"`
}

// IdentityDocuments are the documents an in-person check may record.
var IdentityDocuments = []string{
	"passport", "photocard_driving_licence", "biometric_residence_permit", "national_identity_card",
	"birth_certificate", "marriage_certificate", "utility_bill", "bank_statement", "council_tax_statement", "p45_p60",
}

func (c IdentityClaims) checked() Date { return c.VerifiedOn }

func (c IdentityClaims) validate(v *ValidationError, today time.Time) {
	switch c.Method {
	case "in_person_documents":
		if len(c.DocumentsSeen) < 2 {
			v.Add("claims.documents_seen", "an in-person check records at least two documents")
		}
		for _, d := range c.DocumentsSeen {
			if !slices.Contains(IdentityDocuments, d) {
				v.Add("claims.documents_seen", fmt.Sprintf("%q is not one of %s", d, strings.Join(IdentityDocuments, ", ")))
			}
		}
	case "certified_identity_service":
		if strings.TrimSpace(c.IdentityService) == "" {
			v.Add("claims.identity_service", "name the certified identity service")
		}
	default:
		v.Add("claims.method", "must be in_person_documents or certified_identity_service")
	}
	oneOf(v, "claims.level_of_confidence", c.LevelOfConfidence, "low", "medium", "high")
	required(v, "claims.verified_by", c.VerifiedBy)
	pastDate(v, "claims.verified_on", c.VerifiedOn, today)
}
func (IdentityClaims) subject() string    { return "" }
func (IdentityClaims) expiry() *time.Time { return nil }

// RightToWorkClaims record a right to work check.
type RightToWorkClaims struct {
	Basis     string `json:"basis"` // citizen | settled | visa | share_code
	ShareCode string `json:"share_code,omitempty"`
	CheckedOn Date   `json:"checked_on"`
	Expires   Date   `json:"expires,omitempty"` // for a visa or time-limited status
}

var shareCodeRE = regexp.MustCompile(`^W[A-Z0-9]{8}$`)

func (c RightToWorkClaims) checked() Date { return c.CheckedOn }

func (c RightToWorkClaims) validate(v *ValidationError, today time.Time) {
	oneOf(v, "claims.basis", c.Basis, "citizen", "settled", "visa", "share_code")
	if c.Basis == "share_code" && !shareCodeRE.MatchString(strings.ToUpper(strings.ReplaceAll(c.ShareCode, " ", ""))) {
		v.Add("claims.share_code", "a right to work share code is 9 characters starting with W")
	}
	if (c.Basis == "visa" || c.Basis == "share_code") && c.Expires.IsZero() {
		v.Add("claims.expires", "a visa or share code check needs the date the permission ends")
	}
	if !c.Expires.IsZero() && !c.Expires.After(c.CheckedOn.Time) {
		v.Add("claims.expires", "must be after the check")
	}
	pastDate(v, "claims.checked_on", c.CheckedOn, today)
}
func (RightToWorkClaims) subject() string { return "" }
func (c RightToWorkClaims) expiry() *time.Time {
	if c.Expires.IsZero() {
		return nil
	}
	return &c.Expires.Time
}

// DBSCheckClaims record a Disclosure and Barring Service check.
type DBSCheckClaims struct {
	Level             string `json:"level"`     // basic | standard | enhanced | enhanced_barred_lists
	Workforce         string `json:"workforce"` // adult | child | adult_and_child | other (enhanced levels)
	CertificateNumber string `json:"certificate_number"`
	IssuedOn          Date   `json:"issued_on"`
	UpdateService     bool   `json:"update_service"`
}

var dbsCertificateRE = regexp.MustCompile(`^[0-9]{12}$`)

func (c DBSCheckClaims) checked() Date { return c.IssuedOn }

func (c DBSCheckClaims) validate(v *ValidationError, today time.Time) {
	oneOf(v, "claims.level", c.Level, "basic", "standard", "enhanced", "enhanced_barred_lists")
	if strings.HasPrefix(c.Level, "enhanced") {
		oneOf(v, "claims.workforce", c.Workforce, "adult", "child", "adult_and_child", "other")
	} else if c.Workforce != "" {
		v.Add("claims.workforce", "only enhanced checks name a workforce")
	}
	if !dbsCertificateRE.MatchString(c.CertificateNumber) {
		v.Add("claims.certificate_number", "a DBS certificate number is 12 digits")
	}
	pastDate(v, "claims.issued_on", c.IssuedOn, today)
}
func (DBSCheckClaims) subject() string    { return "" }
func (DBSCheckClaims) expiry() *time.Time { return nil }

// ProfessionalRegistrationClaims record registration with a regulator.
type ProfessionalRegistrationClaims struct {
	Body       string   `json:"body"`
	Number     string   `json:"number"`
	Status     string   `json:"status"` // registered | registered_with_conditions | suspended | lapsed
	Conditions []string `json:"conditions,omitempty"`
	CheckedOn  Date     `json:"checked_on"`
	RenewalDue Date     `json:"renewal_due,omitempty"`
}

// registrationNumbers gives each regulator's number format.
var registrationNumbers = map[string]struct {
	re   *regexp.Regexp
	hint string
}{
	"GMC":  {regexp.MustCompile(`^[0-9]{7}$`), "7 digits"},
	"NMC":  {regexp.MustCompile(`^[0-9]{2}[A-Z][0-9]{4}[A-Z]$`), "2 digits, a letter, 4 digits and a letter, e.g. 12A3456E"},
	"HCPC": {regexp.MustCompile(`^[A-Z]{2}[0-9]{4,6}$`), "2 letters and 4 to 6 digits, e.g. PA12345"},
	"GPhC": {regexp.MustCompile(`^[0-9]{7}$`), "7 digits"},
	"GDC":  {regexp.MustCompile(`^[0-9]{1,6}$`), "up to 6 digits"},
	"GOC":  {regexp.MustCompile(`^[0-9]{2}-[0-9]{5}$`), "e.g. 01-12345"},
	"GOsC": {regexp.MustCompile(`^[0-9]{4,5}$`), "4 or 5 digits"},
	"GCC":  {regexp.MustCompile(`^[0-9]{5}$`), "5 digits"},
	"SWE":  {regexp.MustCompile(`^SW[0-9]{1,6}$`), "SW and up to 6 digits"},
	"PSNI": {regexp.MustCompile(`^[0-9]{5,6}$`), "5 or 6 digits"},
}

// RegulatoryBodies lists the regulators a registration may name.
func RegulatoryBodies() []string {
	return []string{"GMC", "NMC", "HCPC", "GPhC", "GDC", "GOC", "GOsC", "GCC", "SWE", "PSNI"}
}

func (c ProfessionalRegistrationClaims) checked() Date { return c.CheckedOn }

func (c ProfessionalRegistrationClaims) validate(v *ValidationError, today time.Time) {
	format, ok := registrationNumbers[c.Body]
	if !ok {
		v.Add("claims.body", "must be one of "+strings.Join(RegulatoryBodies(), ", "))
	} else if !format.re.MatchString(c.Number) {
		v.Add("claims.number", "a "+c.Body+" number is "+format.hint)
	}
	oneOf(v, "claims.status", c.Status, "registered", "registered_with_conditions", "suspended", "lapsed")
	if c.Status == "registered_with_conditions" && len(c.Conditions) == 0 {
		v.Add("claims.conditions", "list the conditions on the registration")
	}
	if c.Status != "registered_with_conditions" && len(c.Conditions) > 0 {
		v.Add("claims.conditions", "only a registration with conditions lists them")
	}
	pastDate(v, "claims.checked_on", c.CheckedOn, today)
}
func (c ProfessionalRegistrationClaims) subject() string { return c.Body }
func (c ProfessionalRegistrationClaims) expiry() *time.Time {
	if c.RenewalDue.IsZero() {
		return nil
	}
	return &c.RenewalDue.Time
}

// EmploymentHistoryClaims record one job.
type EmploymentHistoryClaims struct {
	Employer           string `json:"employer"`
	Role               string `json:"role"`
	From               Date   `json:"from"`
	To                 Date   `json:"to,omitempty"` // empty while current
	ReferencesReceived int    `json:"references_received"`
}

func (c EmploymentHistoryClaims) checked() Date { return c.From }

func (c EmploymentHistoryClaims) validate(v *ValidationError, today time.Time) {
	required(v, "claims.employer", c.Employer)
	required(v, "claims.role", c.Role)
	// The employer names the credential among others (its subject).
	if len(c.Employer) > 150 {
		v.Add("claims.employer", "must be at most 150 characters")
	}
	if len(c.Role) > 150 {
		v.Add("claims.role", "must be at most 150 characters")
	}
	pastDate(v, "claims.from", c.From, today)
	if !c.To.IsZero() && c.To.Before(c.From.Time) {
		v.Add("claims.to", "must not be before from")
	}
	if !c.To.IsZero() && c.To.After(today) {
		v.Add("claims.to", "must not be in the future; leave it out while the job goes on")
	}
	if c.ReferencesReceived < 0 || c.ReferencesReceived > 10 {
		v.Add("claims.references_received", "must be between 0 and 10")
	}
}
func (c EmploymentHistoryClaims) subject() string {
	return c.Employer + " from " + c.From.Format(time.DateOnly)
}
func (EmploymentHistoryClaims) expiry() *time.Time { return nil }

// CoreSkillsTrainingClaims record one CSTF subject completed.
type CoreSkillsTrainingClaims struct {
	Subject     string `json:"subject"`
	Level       int    `json:"level"`
	CompletedOn Date   `json:"completed_on"`
	Provider    string `json:"provider"`
}

func (c CoreSkillsTrainingClaims) checked() Date { return c.CompletedOn }

func (c CoreSkillsTrainingClaims) validate(v *ValidationError, today time.Time) {
	s, ok := CSTFSubjectByID(c.Subject)
	if !ok {
		v.Add("claims.subject", "must be one of the 11 CSTF subjects: "+strings.Join(CSTFSubjectIDs(), ", "))
	} else if c.Level < 1 || c.Level > s.MaxLevel {
		v.Add("claims.level", fmt.Sprintf("%s is taught at levels 1 to %d", s.Name, s.MaxLevel))
	}
	pastDate(v, "claims.completed_on", c.CompletedOn, today)
	required(v, "claims.provider", c.Provider)
}
func (c CoreSkillsTrainingClaims) subject() string { return c.Subject }
func (c CoreSkillsTrainingClaims) expiry() *time.Time {
	s, ok := CSTFSubjectByID(c.Subject)
	if !ok {
		return nil
	}
	t := c.CompletedOn.AddDate(0, s.RefresherMonths(c.Level), 0)
	return &t
}

// OccupationalHealthClaims record a clearance only: never clinical detail.
// Decoding refuses any field not listed here, so none can slip in.
type OccupationalHealthClaims struct {
	Clearance  string `json:"clearance"`   // fit | fit_with_adjustments | not_fit
	EPPCleared bool   `json:"epp_cleared"` // immunisation clearance for exposure-prone procedures
	AssessedOn Date   `json:"assessed_on"`
	ReviewDue  Date   `json:"review_due,omitempty"`
}

func (c OccupationalHealthClaims) checked() Date { return c.AssessedOn }

func (c OccupationalHealthClaims) validate(v *ValidationError, today time.Time) {
	oneOf(v, "claims.clearance", c.Clearance, "fit", "fit_with_adjustments", "not_fit")
	pastDate(v, "claims.assessed_on", c.AssessedOn, today)
	if !c.ReviewDue.IsZero() && !c.ReviewDue.After(c.AssessedOn.Time) {
		v.Add("claims.review_due", "must be after the assessment")
	}
}
func (OccupationalHealthClaims) subject() string { return "" }
func (c OccupationalHealthClaims) expiry() *time.Time {
	if c.ReviewDue.IsZero() {
		return nil
	}
	return &c.ReviewDue.Time
}

// expiryField names the claim a type's end of validity comes from.
var expiryField = map[CredentialType]string{
	CredRightToWork: "expires", CredProfessionalRegistration: "renewal_due",
	CredCoreSkillsTraining: "completed_on", CredOccupationalHealth: "review_due",
}

// ParsedClaims is a validated claim set with what it implies.
type ParsedClaims struct {
	Claims  ClaimSet
	Subject string
	Expiry  *time.Time
	// Canonical is the claims re-encoded from the typed struct, so that what
	// is signed holds exactly the catalogue's fields.
	Canonical json.RawMessage
	// Checked is the date of the check (or training, or the job's start).
	Checked Date
}

// ParseClaims decodes and validates the claims of a credential type as of
// today, rejecting unknown fields and a fact that has already run out. Every fault comes back at once in a
// *ValidationError with field paths such as "claims.level".
func ParseClaims(t CredentialType, raw json.RawMessage, today time.Time) (ParsedClaims, error) {
	var cs ClaimSet
	switch t {
	case CredIdentity:
		cs = &IdentityClaims{}
	case CredRightToWork:
		cs = &RightToWorkClaims{}
	case CredDBSCheck:
		cs = &DBSCheckClaims{}
	case CredProfessionalRegistration:
		cs = &ProfessionalRegistrationClaims{}
	case CredEmploymentHistory:
		cs = &EmploymentHistoryClaims{}
	case CredCoreSkillsTraining:
		cs = &CoreSkillsTrainingClaims{}
	case CredOccupationalHealth:
		cs = &OccupationalHealthClaims{}
	default:
		var v ValidationError
		v.Add("type", "must be one of the credential types")
		return ParsedClaims{}, &v
	}
	if err := decodeFields(raw, cs); err != nil {
		return ParsedClaims{}, err
	}
	var v ValidationError
	cs.validate(&v, today)
	if exp := cs.expiry(); exp != nil && !exp.After(today) && len(v.Fields) == 0 {
		// A fact that has run out is not one to record: name the date
		// that says so.
		on := exp.Format("2 January 2006")
		if t == CredCoreSkillsTraining {
			v.Add("claims.completed_on", "is too long ago: the refresher fell due on "+on+"; record the refresher")
		} else {
			v.Add("claims."+expiryField[t], "has passed ("+on+"): record a current one")
		}
	}
	if err := v.Err(); err != nil {
		return ParsedClaims{}, err
	}
	canonical, err := json.Marshal(cs)
	if err != nil {
		return ParsedClaims{}, err
	}
	return ParsedClaims{Claims: cs, Subject: cs.subject(), Expiry: cs.expiry(), Canonical: canonical, Checked: cs.checked()}, nil
}

// decodeFields decodes a JSON object into the struct dst points to, one
// field at a time, so that each fault names its field; a field the struct
// does not declare is a fault too.
func decodeFields(raw json.RawMessage, dst any) error {
	var v ValidationError
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil || obj == nil {
		v.Add("claims", "must be a JSON object")
		return &v
	}
	rv := reflect.ValueOf(dst).Elem()
	byName := map[string]int{}
	for i := range rv.NumField() {
		name, _, _ := strings.Cut(rv.Type().Field(i).Tag.Get("json"), ",")
		byName[name] = i
	}
	names := make([]string, 0, len(obj))
	for name := range obj {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		i, ok := byName[name]
		if !ok {
			v.Add("claims."+name, "is not a field of this credential type")
			continue
		}
		if err := json.Unmarshal(obj[name], rv.Field(i).Addr().Interface()); err != nil {
			v.Add("claims."+name, decodeReason(err))
			continue
		}
		if reason := boundText(rv.Field(i)); reason != "" {
			v.Add("claims."+name, reason)
		}
	}
	return v.Err()
}

// Limits on the text a claim may hold: a credential is a few short facts.
const (
	maxClaimText  = 200
	maxClaimItems = 20
)

// boundText refuses text that is too long, lists that are too long, and
// control characters (PostgreSQL refuses NUL; none belongs in a fact).
func boundText(f reflect.Value) string {
	check := func(s string) string {
		if len(s) > maxClaimText {
			return fmt.Sprintf("must be %d characters or fewer", maxClaimText)
		}
		if strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
			return "must not hold control characters or line breaks"
		}
		return ""
	}
	switch f.Kind() {
	case reflect.String:
		return check(f.String())
	case reflect.Slice:
		if f.Type().Elem().Kind() != reflect.String {
			return ""
		}
		if f.Len() > maxClaimItems {
			return fmt.Sprintf("must list %d items or fewer", maxClaimItems)
		}
		for i := range f.Len() {
			if r := check(f.Index(i).String()); r != "" {
				return r
			}
		}
	}
	return ""
}

func decodeReason(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		switch te.Type.Kind() {
		case reflect.String:
			return "must be a string"
		case reflect.Bool:
			return "must be true or false"
		case reflect.Int, reflect.Int64:
			return "must be a whole number"
		case reflect.Slice:
			return "must be a list"
		}
		return "has the wrong type"
	}
	return err.Error() // our own types' messages, such as Date's
}

func required(v *ValidationError, field, value string) {
	if strings.TrimSpace(value) == "" {
		v.Add(field, "is required")
	}
}

func oneOf(v *ValidationError, field, value string, allowed ...string) {
	if !slices.Contains(allowed, value) {
		v.Add(field, "must be one of "+strings.Join(allowed, ", "))
	}
}

func pastDate(v *ValidationError, field string, d Date, today time.Time) {
	switch {
	case d.IsZero():
		v.Add(field, "is required (YYYY-MM-DD)")
	case d.After(today):
		v.Add(field, "must not be in the future")
	}
}
