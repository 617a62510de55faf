package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/nhs-staff-passport/passport/internal/access"
	"github.com/nhs-staff-passport/passport/internal/credentials"
	"github.com/nhs-staff-passport/passport/internal/store"
	"github.com/nhs-staff-passport/passport/models"
	"github.com/nhs-staff-passport/passport/workflows"
)

// The staff passports a trust deals with, in the portal: find or add a
// member of staff, see what their passport holds for the trust, record
// and revoke credentials. Behind the same permission as the API's
// passport routes.

// maxSearch bounds what the search box takes.
const maxSearch = 100

// passportsPageSize is how many people a page of search results lists.
const passportsPageSize = 25

type passportsData struct {
	Query    string
	Results  []passportRow
	Next     string
	Form     url.Values
	Searched bool
}

type passportRow struct {
	ID, Name, Email string
}

// passportsPage: GET /portal/passports, the people the trust deals with,
// searched by name, email address or registration number.
func (p *portal) passportsPage(c *gin.Context) {
	o := p.takeOutcome(c, "/portal/passports")
	p.showPassports(c, http.StatusOK, o.Form, o.Errors)
}

func (p *portal) showPassports(c *gin.Context, status int, form url.Values, errs []models.FieldError) {
	u := currentUser(c)
	q := strings.TrimSpace(c.Query("q"))
	d := passportsData{Query: q, Form: form, Searched: q != ""}
	if utf8.RuneCountInString(q) > maxSearch { // control characters never get this far (guardInput)
		errs = append(errs, models.FieldError{Field: "q", Reason: "Enter a name, email address or registration number of up to 100 characters"})
		status = http.StatusUnprocessableEntity
		q = ""
	}
	f := store.PassportSearch{Trust: u.TrustODS, Query: q, Limit: passportsPageSize + 1}
	if q != "" && strings.ContainsAny(q, "0123456789") {
		for _, body := range models.RegulatoryBodies() {
			f.IdentityRefs = append(f.IdentityRefs, p.creds.IdentityRef(body, strings.TrimPrefix(strings.ToUpper(q), strings.ToUpper(body))))
		}
	}
	if after := c.Query("after"); after != "" {
		var pos store.PassportPosition
		if json.Unmarshal([]byte(after), &pos) == nil {
			f.After = &pos
		}
	}
	found, err := p.store.SearchPassports(c.Request.Context(), f)
	if err != nil {
		p.portalError(c, err)
		return
	}
	if len(found) > passportsPageSize {
		found = found[:passportsPageSize]
		last := found[len(found)-1]
		pos, _ := json.Marshal(store.PassportPosition{FamilyName: last.FamilyName, GivenName: last.GivenName, ID: last.ID})
		d.Next = "/portal/passports?" + url.Values{"q": {q}, "after": {string(pos)}}.Encode()
	}
	for _, pp := range found {
		d.Results = append(d.Results, passportRow{ID: pp.ID, Name: pp.GivenName + " " + pp.FamilyName, Email: pp.Email})
	}
	p.page(c, status, "passports", portalPage{Title: "Staff passports", Section: "passports", Errors: errs, Data: d})
}

// addPassport: POST /portal/passports, find or make a person's passport,
// as POST /api/v1/passports does.
func (p *portal) addPassport(c *gin.Context) {
	f := c.Request.PostForm
	in := models.StaffDetails{Email: f.Get("email"), GivenName: f.Get("given_name"), FamilyName: f.Get("family_name")}
	if err := in.Validate(""); err != nil {
		errs := labelled(err.(*models.ValidationError).Fields, map[string]string{"given_name": "First name", "family_name": "Last name",
			"email": "Email address"})
		p.backWith(c, "/portal/passports", outcome{Errors: orderFields(errs, "given_name", "family_name", "email"), Form: f})
		return
	}
	pp, created, err := p.creds.FindOrAddPassport(c.Request.Context(), access.Actor(c), in)
	if err != nil {
		p.portalError(c, err)
		return
	}
	done := "found"
	if created {
		done = "added"
	}
	c.Redirect(http.StatusSeeOther, "/portal/passports/"+pp.ID+"?done="+done)
}

// orderFields puts errors in the order of the form's fields (any field
// not named, last).
func orderFields(errs []models.FieldError, order ...string) []models.FieldError {
	pos := func(field string) int {
		if i := slices.Index(order, field); i >= 0 {
			return i
		}
		return len(order)
	}
	out := slices.Clone(errs)
	slices.SortStableFunc(out, func(a, b models.FieldError) int { return pos(a.Field) - pos(b.Field) })
	return out
}

// passportFor loads a passport the signed-in person's trust deals with,
// with the credentials it may see; any other is not found.
func (p *portal) passportFor(c *gin.Context, id string) (models.Passport, error) {
	u := currentUser(c)
	if err := p.store.PassportLinked(c.Request.Context(), id, u.TrustODS); err != nil {
		return models.Passport{}, err
	}
	return p.store.PassportForTrust(c.Request.Context(), id, u.TrustODS)
}

type credentialRow struct {
	ID, Name   string
	Type       models.CredentialType
	Issuer     string
	Ours       bool
	IssuedAt   time.Time
	ValidUntil *time.Time
	Standing   standing
	Shares     []shareLine
}

type shareLine struct {
	Trust    string
	SharedAt time.Time
	Decision string
	Ended    *time.Time
	MoveID   string
}

type passportData struct {
	Passport    models.Passport
	Name        string
	Credentials []credentialRow
	Moves       []listRow
	Types       []option
	Counts      map[string]int
}

// passportPage: GET /portal/passports/{id}.
func (p *portal) passportPage(c *gin.Context) {
	u := currentUser(c)
	pp, err := p.passportFor(c, c.Param("id"))
	if err != nil {
		p.portalError(c, err)
		return
	}
	rows, err := p.credentialRows(c, pp.Credentials)
	if err != nil {
		p.portalError(c, err)
		return
	}
	d := passportData{Passport: pp, Name: pp.GivenName + " " + pp.FamilyName, Credentials: rows, Counts: map[string]int{}}
	for _, r := range rows {
		d.Counts[r.Standing.Key]++
	}
	for _, t := range models.CredentialTypes() {
		d.Types = append(d.Types, option{string(t), t.Title()})
	}
	mvs, err := p.store.PassportMoves(c.Request.Context(), pp.ID, u.TrustODS)
	if err != nil {
		p.portalError(c, err)
		return
	}
	summaries := make([]store.MoveSummary, len(mvs))
	for i, mv := range mvs {
		summaries[i] = store.MoveSummary{Move: mv, GivenName: pp.GivenName, FamilyName: pp.FamilyName}
	}
	d.Moves = p.listRows(c, u, summaries)
	p.page(c, http.StatusOK, "passport", portalPage{Title: d.Name, Section: "passports", Flash: flash(c), Data: d})
}

// credentialRows describes credentials as the trust sees them: issuer by
// name, standing, and where each was shared (the issuer sees every share
// of its own; a receiver, its own).
func (p *portal) credentialRows(c *gin.Context, creds []models.Credential) ([]credentialRow, error) {
	u := currentUser(c)
	now := time.Now()
	ids := make([]string, len(creds))
	for i, cr := range creds {
		ids[i] = cr.ID
	}
	shares, err := p.store.CredentialShares(c.Request.Context(), ids)
	if err != nil {
		return nil, err
	}
	names := map[string]string{}
	name := func(ods string) string {
		if _, ok := names[ods]; !ok {
			names[ods] = p.trustName(c, ods)
		}
		return names[ods]
	}
	out := make([]credentialRow, 0, len(creds))
	for _, cr := range creds {
		r := credentialRow{ID: cr.ID, Name: cr.Name(), Type: cr.Type, Issuer: name(cr.IssuerODS), Ours: cr.IssuerODS == u.TrustODS,
			IssuedAt: cr.IssuedAt, ValidUntil: cr.ValidUntil, Standing: credentialStanding(cr, now)}
		for _, sh := range shares {
			if sh.CredentialID == cr.ID && (r.Ours || sh.ReceiverODS == u.TrustODS) {
				r.Shares = append(r.Shares, shareLine{Trust: name(sh.ReceiverODS), SharedAt: sh.SharedAt, Decision: string(sh.Decision),
					Ended: sh.RevokedAt, MoveID: sh.MoveID})
			}
		}
		out = append(out, r)
	}
	// Newest first within each type, types in catalogue order.
	order := models.CredentialTypes()
	slices.SortStableFunc(out, func(a, b credentialRow) int {
		if d := slices.Index(order, a.Type) - slices.Index(order, b.Type); d != 0 {
			return d
		}
		return b.IssuedAt.Compare(a.IssuedAt)
	})
	return out, nil
}

type historyLine struct {
	At   time.Time
	Text string
}

type credentialData struct {
	Passport  models.Passport
	Name      string
	Row       credentialRow
	Facts     []fact
	History   []historyLine
	Reason    string
	Revocable bool
}

// credentialPage: GET /portal/passports/{id}/credentials/{cid}: what a
// credential says, its history, and (for its issuer) the revoke form.
func (p *portal) credentialPage(c *gin.Context) {
	o := p.takeOutcome(c, c.Request.URL.Path)
	p.showCredential(c, http.StatusOK, o.Form.Get("reason"), o.Errors)
}

func (p *portal) showCredential(c *gin.Context, status int, reason string, errs []models.FieldError) {
	pp, err := p.passportFor(c, c.Param("id"))
	if err != nil {
		p.portalError(c, err)
		return
	}
	i := slices.IndexFunc(pp.Credentials, func(cr models.Credential) bool { return cr.ID == c.Param("cid") })
	if i < 0 {
		p.portalError(c, models.ErrNotFound)
		return
	}
	cr := pp.Credentials[i]
	rows, err := p.credentialRows(c, []models.Credential{cr})
	if err != nil {
		p.portalError(c, err)
		return
	}
	d := credentialData{Passport: pp, Name: pp.GivenName + " " + pp.FamilyName, Row: rows[0], Facts: claimFacts(cr.Type, cr.Claims),
		Reason: reason, Revocable: rows[0].Ours && cr.RevokedAt == nil}
	if cr.Type == models.CredCoreSkillsTraining && cr.ValidUntil != nil {
		d.Facts = append(d.Facts, fact{"Refresher due", cr.ValidUntil.In(ukTime).Format(longDate)})
	}
	if d.History, err = p.credentialHistory(c, pp.ID, cr, rows[0]); err != nil {
		p.portalError(c, err)
		return
	}
	p.page(c, status, "credential", portalPage{Title: cr.Name() + " – " + d.Name, Section: "passports", Flash: flash(c), Errors: errs, Data: d})
}

// credentialHistory tells what happened to a credential, oldest first.
func (p *portal) credentialHistory(c *gin.Context, passportID string, cr models.Credential, row credentialRow) ([]historyLine, error) {
	var out []historyLine
	events, err := p.store.AuditEvents(c.Request.Context(), "passport", passportID)
	if err != nil {
		return nil, err
	}
	issued := false
	for _, ev := range events {
		var det struct {
			CredentialID string `json:"credential_id"`
		}
		if json.Unmarshal([]byte(ev.Details), &det) != nil || det.CredentialID != cr.ID || ev.Action != "credential.issued" {
			continue
		}
		issued = true
		out = append(out, historyLine{At: ev.At, Text: "Recorded by " + row.Issuer + p.actorWords(c, ev)})
	}
	if !issued {
		out = append(out, historyLine{At: cr.IssuedAt, Text: "Recorded by " + row.Issuer})
	}
	for _, sh := range row.Shares {
		line := "Shared with " + sh.Trust + " in a move"
		if sh.Decision != string(models.DecisionPending) {
			line += "; " + sh.Decision
		}
		out = append(out, historyLine{At: sh.SharedAt, Text: line})
		if sh.Ended != nil {
			out = append(out, historyLine{At: *sh.Ended, Text: sh.Trust + " no longer sees it"})
		}
	}
	if cr.RevokedAt != nil {
		out = append(out, historyLine{At: *cr.RevokedAt, Text: "Revoked by " + row.Issuer + ": " + cr.RevocationReason})
	} else if cr.ValidUntil != nil && !time.Now().Before(*cr.ValidUntil) {
		out = append(out, historyLine{At: *cr.ValidUntil, Text: "Expired"})
	}
	slices.SortStableFunc(out, func(a, b historyLine) int { return a.At.Compare(b.At) })
	return out, nil
}

// actorWords says who acted, for the acting trust's own people.
func (p *portal) actorWords(c *gin.Context, ev models.AuditEvent) string {
	if ev.ActorTrust != currentUser(c).TrustODS {
		return ""
	}
	switch ev.ActorKind {
	case models.ActorUser:
		if u, err := p.store.User(c.Request.Context(), ev.ActorID); err == nil {
			return " (" + u.Name + ")"
		}
	case models.ActorAPIKey:
		return " (through the API)"
	case models.ActorSystem:
		return " (during a move)"
	}
	return ""
}

// revokeAction: POST /portal/passports/{id}/credentials/{cid}/revoke.
func (p *portal) revokeAction(c *gin.Context) {
	reason := strings.TrimSpace(c.PostForm("reason"))
	if _, err := p.passportFor(c, c.Param("id")); err != nil {
		p.portalError(c, err)
		return
	}
	err := p.creds.Revoke(c.Request.Context(), access.Actor(c), c.Param("cid"), reason)
	var v *models.ValidationError
	switch {
	case err == nil:
		p.tellRevoked(c, c.Param("cid"))
		c.Redirect(http.StatusSeeOther, "/portal/passports/"+c.Param("id")+"/credentials/"+c.Param("cid")+"?done=revoked")
	case errors.As(err, &v):
		p.backWith(c, "/portal/passports/"+c.Param("id")+"/credentials/"+c.Param("cid"), outcome{Form: url.Values{"reason": {c.PostForm("reason")}},
			Errors: []models.FieldError{{Field: "reason", Reason: "Enter why you are revoking it, in 5 to 500 characters"}}})
	case errors.Is(err, models.ErrConflict):
		c.Redirect(http.StatusSeeOther, "/portal/passports/"+c.Param("id")+"/credentials/"+c.Param("cid"))
	default:
		p.portalError(c, err)
	}
}

// recordData draws the form that records one credential type.
type recordData struct {
	Passport models.Passport
	Name     string
	Type     models.CredentialType
	Title    string
	Fields   []formInput
	Subjects []subjectRow
	Provider formInput
	MoveID   string
	Back     string
	Why      string     // why the form was opened from a move
	Form     url.Values // what was posted, for the form's own key
}

// formInput is one field as the form draws it, with what was typed.
type formInput struct {
	credField
	ID               string
	Value            string
	Values           []string
	Day, Month, Year string
	Error            string
}

// Is reports the field's kind, for the template.
func (f formInput) Is(kind string) bool {
	return map[string]inputKind{"text": kindText, "lines": kindLines, "date": kindDate, "radios": kindRadios, "select": kindSelect,
		"checkboxes": kindCheckboxes, "number": kindNumber, "yesno": kindYesNo}[kind] == f.Kind
}

// Checked reports whether a choice was made, for radios and checkboxes.
func (f formInput) Checked(v string) bool { return slices.Contains(f.Values, v) }

// DescribedBy names the hint and error the input is described by.
func (f formInput) DescribedBy() string {
	return formField{ID: f.ID, Hint: f.Hint, Error: f.Error}.DescribedBy()
}

type subjectRow struct {
	Name, Refresher string
	Level           formInput
	Completed       formInput
}

func inputOf(fd credField, suffix string, form url.Values, errs []models.FieldError) formInput {
	id := fd.Name + suffix
	in := formInput{credField: fd, ID: id, Value: form.Get(id), Values: form[id],
		Day: form.Get(id + "-day"), Month: form.Get(id + "-month"), Year: form.Get(id + "-year")}
	in.Error = errFor(errs, fd.Anchor()+suffix)
	return in
}

// recordPage: GET /portal/passports/{id}/record/{type}; ?move= when the
// form serves a move (the sending trust's records, or the receiving
// trust's own re-check).
func (p *portal) recordPage(c *gin.Context) {
	o := p.takeOutcome(c, c.Request.URL.Path)
	if len(o.Form) == 0 {
		o.Form = url.Values{"move": {c.Query("move")}}
	}
	p.showRecord(c, http.StatusOK, o.Form, o.Errors)
}

// recordAgain sends the browser back to the record form with its faults.
func (p *portal) recordAgain(c *gin.Context, f url.Values, errs []models.FieldError) {
	page := c.Request.URL.Path
	if mv := f.Get("move"); mv != "" {
		page += "?move=" + url.QueryEscape(mv)
	}
	p.backWith(c, page, outcome{Errors: errs, Form: f})
}

func (p *portal) showRecord(c *gin.Context, status int, form url.Values, errs []models.FieldError) {
	pp, err := p.passportFor(c, c.Param("id"))
	if err != nil {
		p.portalError(c, err)
		return
	}
	t := models.CredentialType(c.Param("type"))
	if !t.Valid() {
		p.portalError(c, models.ErrNotFound)
		return
	}
	d := recordData{Passport: pp, Name: pp.GivenName + " " + pp.FamilyName, Type: t, Title: t.Title(), Back: "/portal/passports/" + pp.ID, Form: form}
	if id := form.Get("move"); id != "" {
		mv, err := p.moves.Visible(c.Request.Context(), access.Actor(c), id)
		if err != nil || mv.PassportID != pp.ID {
			p.portalError(c, models.ErrNotFound)
			return
		}
		d.MoveID, d.Back = mv.ID, "/portal/moves/"+mv.ID
		if mv.SendingODS == currentUser(c).TrustODS {
			d.Why = "The move to " + p.trustName(c, mv.ReceivingODS) + " is waiting for this."
		} else {
			d.Why = "Your own check goes on their passport, so their next move carries it."
		}
	}
	if t == models.CredCoreSkillsTraining {
		for _, s := range models.CSTFSubjects() {
			suffix := cstfSuffix(s.ID)
			level := inputOf(credField{Name: "level", Label: "Level", Kind: kindSelect}, suffix, form, errs)
			level.Options = []option{{"", "Not recorded"}}
			for l := 1; l <= s.MaxLevel; l++ {
				level.Options = append(level.Options, option{strconv.Itoa(l), "Level " + strconv.Itoa(l)})
			}
			d.Subjects = append(d.Subjects, subjectRow{Name: s.Name, Refresher: refresherWords(s), Level: level,
				Completed: inputOf(credField{Name: "completed_on", Label: "Date completed", Kind: kindDate, Optional: true}, suffix, form, errs)})
		}
		d.Provider = inputOf(credField{Name: "provider", Label: "Training provider", Hint: "Who ran the training: your trust, an e-learning service, a national body.", Class: "nhsuk-u-width-two-thirds"}, "", form, errs)
	} else {
		for _, fd := range credForms[t] {
			d.Fields = append(d.Fields, inputOf(fd, "", form, errs))
		}
	}
	p.page(c, status, "record", portalPage{Title: "Record " + lowerFirst(t.Title()) + " for " + d.Name, Section: "passports", Errors: errs, Data: d})
}

// refresherWords says how often a subject is refreshed.
func refresherWords(s models.CSTFSubject) string {
	if len(s.Refresher) == 1 {
		return "Refresher every " + strconv.Itoa(s.Refresher[0]) + " months."
	}
	parts := make([]string, len(s.Refresher))
	for i, m := range s.Refresher {
		parts[i] = strconv.Itoa(m) + " months at level " + strconv.Itoa(i+1)
		if i == len(s.Refresher)-1 && i+1 < s.MaxLevel {
			parts[i] += " and above"
		}
	}
	return "Refresher every " + strings.Join(parts, ", ") + "."
}

// recordAction: POST /portal/passports/{id}/record/{type}. Every
// credential the form describes is issued, or none is.
func (p *portal) recordAction(c *gin.Context) {
	f := c.Request.PostForm
	pp, err := p.passportFor(c, c.Param("id"))
	if err != nil {
		p.portalError(c, err)
		return
	}
	t := models.CredentialType(c.Param("type"))
	claims, errs, err := credentialClaimsFromForm(t, f, time.Now().UTC())
	if err != nil {
		p.portalError(c, err)
		return
	}
	if len(errs) > 0 {
		p.recordAgain(c, f, errs)
		return
	}
	a := access.Actor(c)
	// A re-check: the receiving trust records its own check for a move.
	var recheck *models.Move
	if id := f.Get("move"); id != "" {
		if mv, err := p.moves.Visible(c.Request.Context(), a, id); err == nil && mv.PassportID == pp.ID && mv.ReceivingODS == a.Trust {
			recheck = &mv
		}
	}
	// The form's own key names what it issues: a second submit of the same
	// form finds them issued and records nothing twice.
	formID := f.Get("form_id")
	keyed := formID != "" && len(formID) <= 64
	ids := make([]string, len(claims))
	for i := range ids {
		ids[i] = uuid.NewString()
		if keyed {
			ids[i] = uuid.NewSHA1(recordFormNamespace, []byte(a.Trust+"|"+pp.ID+"|"+formID+"|"+strconv.Itoa(i))).String()
		}
	}
	if keyed {
		done, err := p.store.ExistingCredentials(c.Request.Context(), ids)
		if err != nil {
			p.portalError(c, err)
			return
		}
		if len(done) == len(ids) {
			p.afterRecord(c, a, pp.ID, f.Get("move"))
			return
		}
	}
	// Every credential the form describes, and the re-check's audit
	// record, land together or not at all.
	err = p.store.Tx(c.Request.Context(), func(tx *store.Store) error {
		for i, raw := range claims {
			if _, err := p.creds.IssueWith(c.Request.Context(), tx, a, credentials.IssueInput{PassportID: pp.ID, Type: string(t), Claims: raw, ID: ids[i]}); err != nil {
				return err
			}
		}
		if recheck == nil {
			return nil
		}
		return tx.Audit(c.Request.Context(), a, "credential.rechecked", "move", recheck.ID, map[string]any{"credential_type": t, "credential_ids": ids})
	})
	var v *models.ValidationError
	if errors.As(err, &v) { // the form's checks ran above; this is the day turning between them
		errs, _ := claimErrors(err, credForms[t], "")
		p.recordAgain(c, f, errs)
		return
	}
	if err != nil {
		p.portalError(c, err)
		return
	}
	p.afterRecord(c, a, pp.ID, f.Get("move"))
}

// recordFormNamespace makes the IDs of what a record form issues from the
// form's own key.
var recordFormNamespace = uuid.MustParse("5d3c1a8e-7b2f-4c61-9d0e-2f8a6b4c9e17")

// afterRecord lets moves waiting for the passport's records look again,
// then goes back to the move or the passport.
func (p *portal) afterRecord(c *gin.Context, a models.Actor, passportID, moveID string) {
	p.tellMovesAtRecords(c, a, passportID)
	if moveID != "" {
		c.Redirect(http.StatusSeeOther, "/portal/moves/"+url.PathEscape(moveID)+"?done=recorded")
		return
	}
	c.Redirect(http.StatusSeeOther, "/portal/passports/"+passportID+"?done=recorded")
}

// noRecordAction: POST /portal/moves/{id}/records/{type}/no-record, the
// sending trust's answer that it holds no record of what a move asks for.
func (p *portal) noRecordAction() gin.HandlerFunc {
	return p.moveAction("records", "no_record", func(c *gin.Context, who workflows.Caller) (string, string, any, any, error) {
		t := models.CredentialType(c.Param("type"))
		return workflows.UpdateNoRecord, "records.no_record", workflows.NoRecord{Caller: who, Type: t},
			map[string]any{"credential_type": t}, nil
	})
}
