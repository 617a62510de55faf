package credentials

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/nhs-staff-passport/passport/internal/store"
	"github.com/nhs-staff-passport/passport/models"
)

// MaxImportUpload bounds an import: 50,000 rows of a wide CSV file fit.
const MaxImportUpload = 32 << 20

// RecordImport issues (or, dryRun, only judges) an import's rows and keeps its
// results, under fileLabel, for the trust to read again; it returns the
// passports that gained a credential, whose moves should be told.
func (s *Service) RecordImport(ctx context.Context, a models.Actor, rows []ImportRow, dryRun bool, fileLabel string) (ImportResult, []string, error) {
	res, err := s.Import(ctx, a, rows, dryRun)
	if err != nil {
		return res, nil, err
	}
	var failed []ImportRowResult
	for _, r := range res.Rows {
		if r.Result == ImportInvalid {
			failed = append(failed, r)
		}
	}
	raw, err := json.Marshal(failed)
	if err != nil {
		return res, nil, err
	}
	imp := models.CredentialImport{ID: uuid.NewString(), TrustODS: a.Trust, ActorID: a.ID, FileName: fileLabel, DryRun: dryRun,
		Rows: len(res.Rows), Issued: res.Issued + res.WouldIssue, AlreadyIssued: res.AlreadyIssued, Invalid: res.Invalid,
		PeopleAdded: res.PeopleAdded, Failures: string(raw), CreatedAt: time.Now().UTC()}
	if err := s.store.SaveCredentialImport(ctx, &imp); err != nil {
		return res, nil, err
	}
	res.ID = imp.ID
	var people []string
	if !dryRun && res.Issued > 0 {
		seen := map[string]bool{}
		for _, r := range res.Rows {
			if r.Result == ImportIssued && !seen[r.PassportID] {
				seen[r.PassportID] = true
				people = append(people, r.PassportID)
			}
		}
	}
	return res, people, nil
}

// TrainingNamesOf is the trust's own course names for the CSTF subjects with
// the national ones.
func (s *Service) TrainingNamesOf(ctx context.Context, trust string) (TrainingNames, error) {
	own, err := s.store.TrainingNames(ctx, trust)
	return NewTrainingNames(own), err
}

// ImportRecord is a kept import with the rows that were not issued.
type ImportRecord struct {
	models.CredentialImport
	Failed []ImportRowResult `json:"failed_rows"`
}

// FindImport reads one of the trust's imports; models.ErrNotFound when
// the trust has none by that ID.
func (s *Service) FindImport(ctx context.Context, trust, id string) (ImportRecord, error) {
	imp, err := s.store.CredentialImport(ctx, trust, id)
	if err != nil {
		return ImportRecord{}, err
	}
	v := ImportRecord{CredentialImport: imp, Failed: []ImportRowResult{}}
	if err := json.Unmarshal([]byte(imp.Failures), &v.Failed); err != nil {
		return v, err
	}
	return v, nil
}

// WriteImportFailures writes the rows of an import that were not issued,
// one line per fault.
func WriteImportFailures(out io.Writer, rows []ImportRowResult) {
	w := csv.NewWriter(out)
	_ = w.Write([]string{"row", "field", "reason"})
	for _, r := range rows {
		if r.Result != ImportInvalid {
			continue
		}
		for _, e := range r.Errors {
			_ = w.Write([]string{strconv.Itoa(r.Row), models.SpreadsheetCell(e.Field), models.SpreadsheetCell(e.Reason)})
		}
	}
	w.Flush()
}

// MaxTrainingNames bounds a trust's list of course names.
const MaxTrainingNames = 500

// SaveTrainingNames replaces the trust's course names, audited; a
// *models.ValidationError names each name at fault.
func (s *Service) SaveTrainingNames(ctx context.Context, a models.Actor, trust string, names []models.TrainingName) ([]models.TrainingName, error) {
	var v models.ValidationError
	if len(names) > MaxTrainingNames {
		v.Add("names", "at most "+strconv.Itoa(MaxTrainingNames)+" names")
	}
	seen := map[string]bool{}
	now := time.Now().UTC()
	for i := range names {
		n := &names[i]
		field := "names[" + strconv.Itoa(i) + "]"
		n.Name, n.TrustODS, n.Created = strings.TrimSpace(n.Name), trust, now
		key, _ := NormaliseTrainingName(n.Name)
		switch {
		case n.Name == "" || utf8.RuneCountInString(n.Name) > 200 || !models.CleanText(n.Name, false) || key == "":
			v.Add(field+".name", "give the course's name as your system exports it, up to 200 characters")
		case seen[key]:
			v.Add(field+".name", "is listed twice")
		}
		seen[key] = true
		s, ok := models.CSTFSubjectByID(n.Subject)
		if !ok {
			v.Add(field+".subject", "must be one of the 11 CSTF subjects: "+strings.Join(models.CSTFSubjectIDs(), ", "))
		} else if n.Level < 0 || n.Level > s.MaxLevel {
			v.Add(field+".level", "must be 0 (from the level column) or 1 to "+strconv.Itoa(s.MaxLevel))
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	err := s.store.Audited(ctx, a, "training_names.changed", "trust", trust, map[string]int{"names": len(names)},
		func(tx *store.Store) error { return tx.SaveTrainingNames(ctx, trust, names) })
	if names == nil {
		names = []models.TrainingName{}
	}
	return names, err
}

// FindOrAddPassport finds the person's passport by email address, making
// it when there is none, and links it to the actor's trust. The API and
// the portal add people through it.
func (s *Service) FindOrAddPassport(ctx context.Context, a models.Actor, in models.StaffDetails) (models.Passport, bool, error) {
	p, created, err := s.store.ClaimPassport(ctx, in, a.Trust, "")
	if err != nil {
		return p, false, err
	}
	link := func(tx *store.Store) error { return tx.LinkPassport(ctx, p.ID, a.Trust) }
	if created {
		err = s.store.Audited(ctx, a, "passport.created", "passport", p.ID, nil, link)
	} else {
		err = link(s.store)
	}
	return p, created, err
}
