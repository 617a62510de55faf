package credentials

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/nhs-staff-passport/passport/models"
)

// An import file is CSV with a header row: one row a person and one
// credential. The person's columns come first; the credential's depend on
// its type, and cells of other types' columns stay empty.

// ImportColumn is one column of an import file, as the help pages and the
// API description list them.
type ImportColumn struct {
	Name    string
	Types   []models.CredentialType // empty: every row
	Meaning string
	kind    cellKind
	claim   string // the claim it fills; "" for the person's columns
}

type cellKind int

const (
	cellText cellKind = iota
	cellChoice
	cellDate
	cellBool
	cellNumber
	cellList  // free text, separated by semicolons
	cellCodes // catalogue codes, separated by semicolons
	cellSubject
)

var (
	tIdentity = []models.CredentialType{models.CredIdentity}
	tRTW      = []models.CredentialType{models.CredRightToWork}
	tDBS      = []models.CredentialType{models.CredDBSCheck}
	tReg      = []models.CredentialType{models.CredProfessionalRegistration}
	tJob      = []models.CredentialType{models.CredEmploymentHistory}
	tTraining = []models.CredentialType{models.CredCoreSkillsTraining}
	tOH       = []models.CredentialType{models.CredOccupationalHealth}
)

// importColumns are the columns an import file may have, in the order the
// help pages list them.
var importColumns = []ImportColumn{
	{Name: "email", Meaning: "the person's email address: finds their passport, or makes one"},
	{Name: "given_name", Meaning: "for a person new to the service"},
	{Name: "family_name", Meaning: "for a person new to the service"},
	{Name: "registration_body", Meaning: "GMC, NMC, HCPC, GPhC, GDC, GOC, GOsC, GCC, SWE or PSNI: with the number, finds the person's passport first (and, on a professional_registration row, is the registration recorded)"},
	{Name: "registration_number", Meaning: "the registration number, as the register writes it"},
	{Name: "type", Meaning: "identity, right_to_work, dbs_check, professional_registration, employment_history, core_skills_training or occupational_health"},

	{Name: "method", Types: tIdentity, claim: "method", kind: cellChoice, Meaning: "in_person_documents or certified_identity_service"},
	{Name: "level_of_confidence", Types: tIdentity, claim: "level_of_confidence", kind: cellChoice, Meaning: "low, medium or high (GPG 45)"},
	{Name: "documents_seen", Types: tIdentity, claim: "documents_seen", kind: cellCodes, Meaning: "for an in-person check, at least two of " + strings.Join(models.IdentityDocuments, ", ") + ", separated by semicolons"},
	{Name: "identity_service", Types: tIdentity, claim: "identity_service", Meaning: "for a certified service, its name"},
	{Name: "verified_by", Types: tIdentity, claim: "verified_by", Meaning: "who checked: name and job title"},
	{Name: "verified_on", Types: tIdentity, claim: "verified_on", kind: cellDate, Meaning: "date of the check"},

	{Name: "basis", Types: tRTW, claim: "basis", kind: cellChoice, Meaning: "citizen, settled, visa or share_code"},
	{Name: "share_code", Types: tRTW, claim: "share_code", Meaning: "for an online check: 9 characters starting with W"},
	{Name: "expires", Types: tRTW, claim: "expires", kind: cellDate, Meaning: "for a visa or share code: the date the permission ends"},

	{Name: "level", Types: append(slices.Clone(tDBS), tTraining...), claim: "level", Meaning: "DBS check: basic, standard, enhanced or enhanced_barred_lists; training: 1, 2 or 3 (may come from the course name)"},
	{Name: "workforce", Types: tDBS, claim: "workforce", kind: cellChoice, Meaning: "enhanced checks: adult, child, adult_and_child or other"},
	{Name: "certificate_number", Types: tDBS, claim: "certificate_number", Meaning: "12 digits"},
	{Name: "issued_on", Types: tDBS, claim: "issued_on", kind: cellDate, Meaning: "date on the certificate"},
	{Name: "update_service", Types: tDBS, claim: "update_service", kind: cellBool, Meaning: "yes or no: the certificate is on the DBS Update Service"},

	{Name: "status", Types: tReg, claim: "status", kind: cellChoice, Meaning: "registered, registered_with_conditions, suspended or lapsed"},
	{Name: "conditions", Types: tReg, claim: "conditions", kind: cellList, Meaning: "for a registration with conditions, separated by semicolons"},
	{Name: "renewal_due", Types: tReg, claim: "renewal_due", kind: cellDate, Meaning: "when the registration must be renewed"},
	{Name: "checked_on", Types: append(slices.Clone(tRTW), tReg...), claim: "checked_on", kind: cellDate, Meaning: "date of the check"},

	{Name: "employer", Types: tJob, claim: "employer", Meaning: "the employer's name"},
	{Name: "role", Types: tJob, claim: "role", Meaning: "the job title"},
	{Name: "from", Types: tJob, claim: "from", kind: cellDate, Meaning: "start date"},
	{Name: "to", Types: tJob, claim: "to", kind: cellDate, Meaning: "end date; empty while the job goes on"},
	{Name: "references_received", Types: tJob, claim: "references_received", kind: cellNumber, Meaning: "0 to 10"},

	{Name: "subject", Types: tTraining, claim: "subject", kind: cellSubject, Meaning: "the CSTF subject: its name, its identifier, or the course name your learning system exports (for example NHS|CSTF|Information Governance and Data Security - 1 Year|)"},
	{Name: "completed_on", Types: tTraining, claim: "completed_on", kind: cellDate, Meaning: "date completed: the refresher date is worked out from it"},
	{Name: "provider", Types: tTraining, claim: "provider", Meaning: "who ran the training"},

	{Name: "clearance", Types: tOH, claim: "clearance", kind: cellChoice, Meaning: "fit, fit_with_adjustments or not_fit (never clinical detail)"},
	{Name: "epp_cleared", Types: tOH, claim: "epp_cleared", kind: cellBool, Meaning: "yes or no: cleared for exposure-prone procedures"},
	{Name: "assessed_on", Types: tOH, claim: "assessed_on", kind: cellDate, Meaning: "date of the assessment"},
	{Name: "review_due", Types: tOH, claim: "review_due", kind: cellDate, Meaning: "when the clearance is next reviewed"},
}

// ImportColumns lists the columns an import file may have.
func ImportColumns() []ImportColumn { return slices.Clone(importColumns) }

// TypeNames lists the types a column applies to, for the help pages.
func (c ImportColumn) TypeNames() string {
	if len(c.Types) == 0 {
		return "every row"
	}
	names := make([]string, len(c.Types))
	for i, t := range c.Types {
		names[i] = string(t)
	}
	return strings.Join(names, ", ")
}

// ParseImportCSV reads an import file: columns are named by the header
// row, in any order (unknown ones refuse the file); dates are YYYY-MM-DD
// or DD/MM/YYYY; lists are separated by semicolons. A row whose cells
// cannot be read carries its problems, to be reported with its result.
func ParseImportCSV(r io.Reader, names TrainingNames) ([]ImportRow, error) {
	cr := csv.NewReader(r)
	cr.TrimLeadingSpace = true
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err != nil {
		return nil, invalidFile("the file is not CSV with a header row")
	}
	col := map[string]int{}
	for i, h := range header {
		name := strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if !slices.ContainsFunc(importColumns, func(c ImportColumn) bool { return c.Name == name }) {
			return nil, invalidFile("unknown column " + strconv.Quote(name) + "; see the help page for the columns")
		}
		col[name] = i
	}
	if _, ok := col["type"]; !ok {
		return nil, invalidFile("the header lacks the column type")
	}
	if _, ok := col["email"]; !ok {
		if _, reg := col["registration_number"]; !reg {
			return nil, invalidFile("the header needs an email or a registration_number column to find each person")
		}
	}
	var out []ImportRow
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		var parseErr *csv.ParseError
		if errors.As(err, &parseErr) {
			return nil, invalidFile(fmt.Sprintf("line %d is not valid CSV", parseErr.Line))
		}
		if err != nil {
			return nil, fmt.Errorf("credentials: read import: %w", err) // the body too large, say
		}
		if len(out) == MaxImportRows {
			return nil, invalidFile(fmt.Sprintf("more than %d rows; split the file", MaxImportRows))
		}
		get := func(name string) string {
			if i, ok := col[name]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		if slices.IndexFunc(rec, func(s string) bool { return strings.TrimSpace(s) != "" }) < 0 {
			continue // a blank line
		}
		out = append(out, rowFromCells(get, names))
	}
	if len(out) == 0 {
		return nil, invalidFile("the file has no rows")
	}
	return out, nil
}

func invalidFile(reason string) error {
	var v models.ValidationError
	v.Add("file", reason)
	return &v
}

// rowFromCells makes one row's claims from its cells.
func rowFromCells(get func(string) string, names TrainingNames) ImportRow {
	row := ImportRow{Email: get("email"), GivenName: get("given_name"), FamilyName: get("family_name"),
		RegistrationBody: get("registration_body"), RegistrationNumber: get("registration_number"), Type: strings.ToLower(get("type"))}
	typ := models.CredentialType(row.Type)
	var v models.ValidationError
	claims := map[string]any{}
	if typ == models.CredProfessionalRegistration {
		claims["body"], claims["number"] = canonicalBody(row.RegistrationBody), row.RegistrationNumber
	}
	for _, c := range importColumns {
		cell := get(c.Name)
		if c.claim == "" || cell == "" {
			continue
		}
		if !slices.Contains(c.Types, typ) {
			if typ.Valid() {
				v.Add(c.Name, "does not apply to "+string(typ)+" rows; leave it empty")
			}
			continue
		}
		kind := c.kind
		if c.Name == "level" {
			kind = cellChoice
			if typ == models.CredCoreSkillsTraining {
				kind = cellNumber
			}
		}
		switch kind {
		case cellDate:
			d, ok := parseCellDate(cell)
			if !ok {
				v.Add(c.Name, "must be a date, like 2026-03-27 or 27/03/2026")
				continue
			}
			claims[c.claim] = d
		case cellBool:
			switch strings.ToLower(cell) {
			case "yes", "y", "true", "1":
				claims[c.claim] = true
			case "no", "n", "false", "0":
				claims[c.claim] = false
			default:
				v.Add(c.Name, "must be yes or no")
			}
		case cellNumber:
			n, err := strconv.Atoi(cell)
			if err != nil {
				v.Add(c.Name, "must be a whole number")
				continue
			}
			claims[c.claim] = n
		case cellList, cellCodes:
			var items []string
			for _, it := range strings.Split(cell, ";") {
				if it = strings.TrimSpace(it); it != "" {
					if kind == cellCodes {
						it = code(it)
					}
					items = append(items, it)
				}
			}
			claims[c.claim] = items
		case cellChoice:
			claims[c.claim] = code(cell)
		case cellSubject:
			subject, level, ok := names.Subject(cell)
			if !ok {
				v.Add(c.Name, strconv.Quote(cell)+" is not a CSTF subject we know; name it in your trust's training names")
				continue
			}
			claims[c.claim] = subject
			if get("level") == "" {
				if s, _ := models.CSTFSubjectByID(subject); level == 0 && s.MaxLevel == 1 {
					level = 1 // taught at one level only
				}
				if level > 0 {
					claims["level"] = level
				}
			}
		default:
			claims[c.claim] = cell
		}
	}
	row.Claims, _ = json.Marshal(claims)
	row.Problems = v.Fields
	row.fromFile = true
	return row
}

// columnOf names the column a claim came from, for a file's rows.
func columnOf(claim string) string {
	switch claim {
	case "body":
		return "registration_body"
	case "number":
		return "registration_number"
	}
	for _, c := range importColumns {
		if c.claim == claim {
			return c.Name
		}
	}
	return claim
}

// code writes a choice as the catalogue does: "Enhanced barred lists"
// becomes enhanced_barred_lists.
func code(s string) string {
	return strings.ToLower(strings.ReplaceAll(strings.TrimSpace(s), " ", "_"))
}

// canonicalBody writes a regulator as the catalogue does ("GPhC"),
// whatever its case in the file.
func canonicalBody(b string) string {
	for _, known := range models.RegulatoryBodies() {
		if strings.EqualFold(known, strings.TrimSpace(b)) {
			return known
		}
	}
	return b
}

func parseCellDate(s string) (string, bool) {
	for _, layout := range []string{time.DateOnly, "02/01/2006", "2/1/2006"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.Format(time.DateOnly), true
		}
	}
	return "", false
}
