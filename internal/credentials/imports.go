package credentials

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/nhs-staff-passport/passport/internal/store"
	"github.com/nhs-staff-passport/passport/internal/vc"
	"github.com/nhs-staff-passport/passport/models"
)

// MaxImportRows bounds one import.
const MaxImportRows = 50000

// ImportRow is one row of an import: a person, found by registration
// number or email address (made when new), and one credential of theirs.
type ImportRow struct {
	Email              string          `json:"email,omitempty"`
	GivenName          string          `json:"given_name,omitempty"`
	FamilyName         string          `json:"family_name,omitempty"`
	RegistrationBody   string          `json:"registration_body,omitempty"`
	RegistrationNumber string          `json:"registration_number,omitempty"`
	Type               string          `json:"type"`
	Claims             json.RawMessage `json:"claims"`
	// Problems found reading the row (a CSV cell that is not a date, say);
	// the row is reported invalid with them.
	Problems []models.FieldError `json:"-"`
	// fromFile: the row came from a CSV file, so faults name its columns
	// rather than the claims' fields.
	fromFile bool
}

// The results of an import row.
const (
	ImportIssued        = "issued"
	ImportAlreadyIssued = "already_issued" // the same credential, from an earlier import or row
	ImportWouldIssue    = "would_issue"    // a dry run's answer
	ImportInvalid       = "invalid"
)

// ImportRowResult is what became of one row.
type ImportRowResult struct {
	Row          int                 `json:"row"`
	Result       string              `json:"result"`
	PassportID   string              `json:"passport_id,omitempty"`
	CredentialID string              `json:"credential_id,omitempty"`
	NewPerson    bool                `json:"new_person,omitempty"`
	Errors       []models.FieldError `json:"errors,omitempty"`
}

// ImportResult answers an import, row by row.
type ImportResult struct {
	ID            string            `json:"id,omitempty"`
	DryRun        bool              `json:"dry_run"`
	Issued        int               `json:"issued"`
	AlreadyIssued int               `json:"already_issued"`
	WouldIssue    int               `json:"would_issue"`
	Invalid       int               `json:"invalid"`
	PeopleAdded   int               `json:"people_added"`
	Rows          []ImportRowResult `json:"rows"`
}

// importNamespace makes an imported credential's ID from what names the
// fact: the same person, type, subject, issuer and date of the check give
// the same credential, so importing a file again issues nothing twice.
var importNamespace = uuid.MustParse("3b0f6c55-2a8e-4d5e-9a57-4f1d1c8e6a01")

// importing is one import on its way through.
type importing struct {
	in       *ImportRow
	res      *ImportRowResult
	parsed   models.ParsedClaims
	email    string
	ref      string // keyed registration, when given
	refHeld  bool   // a passport holds ref already
	passport string
}

// Import issues every valid row's credential from the actor's trust, a
// few statements for many rows: people are found by verified registration
// first, then by email address, and made when new (linked to the trust
// either way). A dry run checks and matches every row and issues nothing.
// Row faults are reported per row; the error is for the import as a whole
// (the trust not registered, the database down).
func (s *Service) Import(ctx context.Context, actor models.Actor, rows []ImportRow, dryRun bool) (ImportResult, error) {
	now := s.now().UTC().Truncate(time.Second)
	res := ImportResult{DryRun: dryRun, Rows: make([]ImportRowResult, len(rows))}
	trust, err := s.store.Trust(ctx, actor.Trust)
	if err != nil {
		return res, err
	}
	if !trust.Registered {
		return res, fmt.Errorf("trust %s is not registered: %w", trust.ODSCode, models.ErrForbidden)
	}

	// Each row on its own.
	var todo []*importing
	for i := range rows {
		r := &res.Rows[i]
		r.Row = i + 1
		im := &importing{in: &rows[i], res: r}
		if errs := s.checkRow(im, now); len(errs) > 0 {
			r.Result, r.Errors = ImportInvalid, errs
			continue
		}
		todo = append(todo, im)
	}

	// The people, found in bulk.
	var emails, refs []string
	for _, im := range todo {
		if im.ref != "" {
			refs = append(refs, im.ref)
		}
		if im.email != "" {
			emails = append(emails, im.email)
		}
	}
	byRef, err := s.store.PassportsByIdentityRef(ctx, refs)
	if err != nil {
		return res, err
	}
	byEmail, err := s.store.PassportsByEmail(ctx, emails)
	if err != nil {
		return res, err
	}
	// A registration number alone finds only people the trust deals with
	// already: it must not tell a trust who holds a number (and their
	// address) or let it reach their passport.
	var found []string
	for _, p := range byRef {
		found = append(found, p.ID)
	}
	for _, p := range byEmail {
		found = append(found, p.ID)
	}
	linked, err := s.store.LinkedPassports(ctx, trust.ODSCode, found)
	if err != nil {
		return res, err
	}
	newPeople := map[string]models.Passport{}
	var kept []*importing
	for _, im := range todo {
		p, held := byRef[im.ref]
		im.refHeld = im.ref != "" && held
		switch {
		case im.refHeld && (linked[p.ID] || (im.email != "" && p.Email == im.email)):
			im.passport = p.ID
		case im.refHeld && im.email == "":
			im.res.Result = ImportInvalid
			im.res.Errors = []models.FieldError{{Field: "email", Reason: "no one your trust deals with has this registration number; give their email address"}}
			continue
		case byEmail[im.email].ID != "" && linked[byEmail[im.email].ID]:
			im.passport = byEmail[im.email].ID
		case byEmail[im.email].ID != "":
			// A passport new to the trust: the row must name its holder,
			// as a trust that knows the person would (the address alone
			// must not reach anyone's passport, nor tell their name).
			d := models.StaffDetails{GivenName: im.in.GivenName, FamilyName: im.in.FamilyName}
			if !d.Names(byEmail[im.email]) {
				im.res.Result = ImportInvalid
				im.res.Errors = []models.FieldError{{Field: "given_name", Reason: "your trust does not deal with this person yet, so give their given name and family name as recorded on the passport held for this email address (ask them if they have changed)"}}
				continue
			}
			im.passport = byEmail[im.email].ID
		case im.email == "":
			im.res.Result = ImportInvalid
			im.res.Errors = []models.FieldError{{Field: "email", Reason: "no passport has this registration number; give the email address, given name and family name to add them"}}
			continue
		case strings.TrimSpace(im.in.GivenName) == "" || strings.TrimSpace(im.in.FamilyName) == "":
			im.res.Result = ImportInvalid
			im.res.Errors = []models.FieldError{{Field: "given_name", Reason: "no passport has this email address; give the given name and family name to add them"}}
			continue
		default:
			im.res.NewPerson = true
			if _, seen := newPeople[im.email]; !seen {
				newPeople[im.email] = models.Passport{ID: uuid.NewString(), Email: im.email,
					GivenName: strings.TrimSpace(im.in.GivenName), FamilyName: strings.TrimSpace(im.in.FamilyName)}
			}
		}
		kept = append(kept, im)
	}
	todo = kept
	res.PeopleAdded = len(newPeople)
	if !dryRun && len(newPeople) > 0 {
		made := make([]models.Passport, 0, len(newPeople))
		for _, im := range todo { // in row order, for a stable result
			if p, ok := newPeople[im.email]; ok && im.res.NewPerson {
				made = append(made, p)
				delete(newPeople, im.email)
			}
		}
		found, err := s.store.CreatePassports(ctx, made)
		if err != nil {
			return res, err
		}
		for _, im := range todo {
			if im.passport == "" {
				im.passport = found[im.email].ID
			}
		}
	}

	// Which credentials exist already: from an earlier import, or a row
	// before in this one.
	ids := make([]string, 0, len(todo))
	for _, im := range todo {
		im.res.PassportID = im.passport
		key := strings.Join([]string{im.passport, im.in.Type, im.parsed.Subject, trust.ODSCode, im.parsed.Checked.Format(time.DateOnly)}, "|")
		if im.passport == "" { // a new person in a dry run
			key = "new:" + im.email + "|" + key
		}
		im.res.CredentialID = uuid.NewSHA1(importNamespace, []byte(key)).String()
		ids = append(ids, im.res.CredentialID)
	}
	existing, err := s.store.ExistingCredentials(ctx, ids)
	if err != nil {
		return res, err
	}
	var issue []*importing
	seen := map[string]bool{}
	for _, im := range todo {
		id := im.res.CredentialID
		switch {
		case existing[id] || seen[id]:
			im.res.Result = ImportAlreadyIssued
		case dryRun:
			im.res.Result = ImportWouldIssue
			seen[id] = true
		default:
			im.res.Result = ImportIssued
			seen[id] = true
			issue = append(issue, im)
		}
	}
	if !dryRun {
		if err := s.issueImported(ctx, actor, trust, todo, issue, now); err != nil {
			return res, err
		}
	}
	for _, r := range res.Rows {
		switch r.Result {
		case ImportIssued:
			res.Issued++
		case ImportAlreadyIssued:
			res.AlreadyIssued++
		case ImportWouldIssue:
			res.WouldIssue++
		case ImportInvalid:
			res.Invalid++
		}
	}
	return res, nil
}

// checkRow judges one row on its own: the person's details and the
// credential's claims.
func (s *Service) checkRow(im *importing, now time.Time) []models.FieldError {
	in := im.in
	var v models.ValidationError
	v.Fields = append(v.Fields, in.Problems...)
	if strings.TrimSpace(in.Email) != "" {
		if e, ok := models.NormalizeEmail(in.Email); ok {
			im.email = e
		} else {
			v.Add("email", "must be an email address such as name@nhs.net")
		}
	}
	for _, n := range []struct{ field, name string }{{"given_name", in.GivenName}, {"family_name", in.FamilyName}} {
		if name := strings.TrimSpace(n.name); name != "" { // empty: a person already known
			if reason := models.NameProblem(name); reason != "" {
				v.Add(n.field, reason)
			}
		}
	}
	body, number := strings.TrimSpace(in.RegistrationBody), strings.TrimSpace(in.RegistrationNumber)
	typ := models.CredentialType(in.Type)
	if !typ.Valid() {
		v.Add("type", "must be one of "+typeList())
	} else if len(in.Claims) > 0 {
		parsed, err := models.ParseClaims(typ, in.Claims, now)
		var verr *models.ValidationError
		switch {
		case errors.As(err, &verr):
			for _, fe := range verr.Fields {
				if in.fromFile && strings.HasPrefix(fe.Field, "claims.") {
					fe.Field = columnOf(strings.TrimPrefix(fe.Field, "claims."))
				}
				if !slices.ContainsFunc(in.Problems, func(p models.FieldError) bool { return p.Field == fe.Field }) {
					v.Fields = append(v.Fields, fe) // a cell that could not be read is named once
				}
			}
		case err != nil:
			v.Add("claims", err.Error())
		default:
			im.parsed = parsed
			if reg, ok := parsed.Claims.(*models.ProfessionalRegistrationClaims); ok && body == "" && number == "" {
				body, number = reg.Body, reg.Number
			}
		}
	} else {
		v.Add("claims", "are required")
	}
	switch {
	case (body == "") != (number == ""):
		v.Add("registration_number", "give both the registering body and the number, or neither")
	case body != "":
		im.ref = s.IdentityRef(body, number)
	}
	if im.email == "" && im.ref == "" && !slices.ContainsFunc(v.Fields, func(f models.FieldError) bool { return f.Field == "email" }) {
		v.Add("email", "give an email address or a registration number to find the person")
	}
	return v.Fields
}

func typeList() string {
	names := make([]string, 0, 7)
	for _, t := range models.CredentialTypes() {
		names = append(names, string(t))
	}
	return strings.Join(names, ", ")
}

// issueImported links the trust to every person of the import, then
// signs and stores the new credentials with their audit events, a chunk
// at a time (each chunk lands whole, or not at all).
func (s *Service) issueImported(ctx context.Context, actor models.Actor, trust models.Trust, all, issue []*importing, now time.Time) error {
	people := map[string]bool{}
	var link []string
	for _, im := range all {
		if !people[im.passport] {
			people[im.passport] = true
			link = append(link, im.passport)
		}
	}
	if err := s.store.LinkPassports(ctx, link, trust.ODSCode); err != nil {
		return err
	}
	if len(issue) == 0 {
		return nil
	}
	key, priv, err := s.signingKey(ctx, s.store, trust.ODSCode)
	if err != nil {
		return err
	}
	refs, err := s.store.AllocateStatusIndexes(ctx, trust.ODSCode, len(issue))
	if err != nil {
		return err
	}
	creds := make([]models.Credential, len(issue))
	events := make([]models.AuditEvent, len(issue))
	for i, im := range issue {
		c := models.Credential{
			ID: im.res.CredentialID, PassportID: im.passport, Type: models.CredentialType(im.in.Type), Subject: im.parsed.Subject,
			IssuerODS: trust.ODSCode, KeyID: key.KID, Claims: im.parsed.Canonical, IssuedAt: now, ValidFrom: now, ValidUntil: im.parsed.Expiry,
			StatusList: refs[i].List, StatusIndex: refs[i].Index,
		}
		doc := vc.NewCredential(vc.NewCredentialInput{
			PublicURL: s.publicURL, ID: c.ID, IssuerODS: trust.ODSCode, IssuerName: trust.Name, PassportID: c.PassportID,
			CredentialType: string(c.Type), Claims: c.Claims, ValidFrom: c.ValidFrom, ValidUntil: c.ValidUntil,
			StatusList: c.StatusList, StatusIndex: c.StatusIndex,
		})
		payload, err := json.Marshal(doc)
		if err != nil {
			return err
		}
		if c.JWS, err = vc.Sign(priv, key.KID, vc.TypVC, payload); err != nil {
			return err
		}
		creds[i] = c
		details, _ := json.Marshal(map[string]any{"credential_id": c.ID, "type": c.Type, "subject": c.Subject, "imported": true})
		events[i] = models.AuditEvent{At: now, ActorKind: actor.Kind, ActorID: actor.ID, ActorTrust: actor.Trust, ActorRole: actor.Role,
			Action: "credential.issued", SubjectType: "passport", SubjectID: c.PassportID, Details: string(details)}
	}
	const batch = 2000
	for start := 0; start < len(creds); start += batch {
		end := min(start+batch, len(creds))
		err := s.store.Tx(ctx, func(tx *store.Store) error {
			if err := tx.CreateCredentials(ctx, creds[start:end]); err != nil {
				return err
			}
			return tx.AuditMany(ctx, events[start:end])
		})
		if err != nil {
			return err
		}
	}
	// A registration checked by the trust identifies the person, unless
	// another passport holds it already (found when people were matched,
	// or taken by an earlier row).
	return s.setIdentityRefs(ctx, issue)
}

func (s *Service) setIdentityRefs(ctx context.Context, issue []*importing) error {
	taken := map[string]bool{}
	var set []*importing
	for _, im := range issue {
		if im.ref != "" && !im.refHeld && !taken[im.ref] && im.in.Type == string(models.CredProfessionalRegistration) {
			taken[im.ref] = true
			set = append(set, im)
		}
	}
	if len(set) == 0 {
		return nil
	}
	each := func(st *store.Store, ignoreConflicts bool) error {
		for _, im := range set {
			err := st.SetIdentityRef(ctx, im.passport, im.ref)
			if err != nil && !(ignoreConflicts && errors.Is(err, models.ErrConflict)) {
				return err
			}
		}
		return nil
	}
	err := s.store.Tx(ctx, func(tx *store.Store) error { return each(tx, false) })
	if errors.Is(err, models.ErrConflict) { // another process took one meanwhile
		err = each(s.store, true)
	}
	return err
}
