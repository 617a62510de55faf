package web

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/nhs-staff-passport/passport/internal/access"
	"github.com/nhs-staff-passport/passport/internal/edge"
	"github.com/nhs-staff-passport/passport/internal/moves"
	"github.com/nhs-staff-passport/passport/internal/store"
	"github.com/nhs-staff-passport/passport/internal/vc"
	"github.com/nhs-staff-passport/passport/models"
	"github.com/nhs-staff-passport/passport/workflows"
)

// flashes are the messages a page shows after an action redirected to it
// (?done=...): fixed words, so the address cannot put text on the page.
var flashes = map[string]string{
	"cancelled": "The move is cancelled. Anything shared has been withdrawn.",
	"identity":  "The identity check is recorded.",
	"decided":   "Your decision is recorded.",
	"retried":   "The step is being tried again.",
	"deadline":  "The deadline is extended.",
	"started":   "The move has started. We have emailed the member of staff.",
	"saved":     "Your changes are saved.",
	"invited":   "We have emailed them an invitation to sign in.",
	"removed":   "Removed.",
	"retrying":  "Sent again.",
	"answered":  "Marked as answered.",
	"key":       "The new API key is shown once below: copy it now.",
	"found":     "They already have a passport: it is now linked to your trust.",
	"added":     "Their passport is made and linked to your trust.",
	"recorded":  "Recorded on their passport.",
	"revoked":   "Revoked. Every trust that checks it now sees it revoked.",
	"no_record": "Your answer is recorded: the receiving trust will check it itself.",
}

func flash(c *gin.Context) string { return flashes[c.Query("done")] }

// stageNames say each stage in words.
var stageNames = map[string]string{
	models.StepInvite: "Invitation", models.StepIdentity: "Identity check", models.StepRecords: "Records", models.StepConsent: "Consent",
	models.StepTransfer: "Transfer", models.StepAcceptance: "Acceptance", models.StepComplete: "Completion",
	"completed": "Completed", "closed": "Closed",
}

type countLink struct {
	Label, Href string
	N           int
	Alert       bool
}

type dashboardData struct {
	Overview []countLink
	ByStage  []countLink
	Recent   []listRow
}

// dashboard: GET /portal.
func (p *portal) dashboard(c *gin.Context) {
	u := currentUser(c)
	trust := u.TrustODS
	if u.Role == models.RoleOperator {
		trust = ""
	}
	n, err := p.store.CountMoves(c.Request.Context(), trust)
	if err != nil {
		p.portalError(c, err)
		return
	}
	d := dashboardData{Overview: []countLink{
		{Label: "Waiting on us", Href: "/portal/moves?waiting_on_us=true&status=active", N: n.WaitingOnUs, Alert: n.WaitingOnUs > 0},
		{Label: "Overdue", Href: "/portal/moves?overdue=true", N: n.Overdue, Alert: n.Overdue > 0},
		{Label: "Failed steps", Href: "/portal/moves?has_failed_step=true&status=active", N: n.Failed, Alert: n.Failed > 0},
	}}
	if trust != "" {
		d.Overview = append(d.Overview,
			countLink{Label: "Moves we send", Href: "/portal/moves?direction=out&status=active", N: n.Outgoing},
			countLink{Label: "Moves we receive", Href: "/portal/moves?direction=in&status=active", N: n.Incoming})
	} else {
		d.Overview = append(d.Overview, countLink{Label: "Active moves", Href: "/portal/moves?status=active", N: n.ActiveTotal})
	}
	for _, s := range models.StepNames() {
		d.ByStage = append(d.ByStage, countLink{Label: stageNames[s], Href: "/portal/moves?status=active&stage=" + s, N: n.Active[s]})
	}
	f := store.MoveFilter{Trust: trust, Limit: 5}
	rows, err := p.store.ListMoves(c.Request.Context(), f)
	if err != nil {
		p.portalError(c, err)
		return
	}
	d.Recent = p.listRows(c, u, rows)
	p.page(c, http.StatusOK, "dashboard", portalPage{Title: "Dashboard", Section: "dashboard", Data: d})
}

// listRow is one move in a list, in words.
type listRow struct {
	ID, Staff, Direction, Other, Stage, Status, Waiting string
	StartDate, Created                                  time.Time
	Failed, Overdue                                     bool
}

func (p *portal) trustName(c *gin.Context, ods string) string {
	if t, err := p.store.Trust(c.Request.Context(), ods); err == nil {
		return t.Name
	}
	return ods
}

func (p *portal) listRows(c *gin.Context, u *sessionUser, rows []store.MoveSummary) []listRow {
	names := map[string]string{} // each trust looked up once a page
	name := func(ods string) string {
		if _, ok := names[ods]; !ok {
			names[ods] = p.trustName(c, ods)
		}
		return names[ods]
	}
	out := make([]listRow, 0, len(rows))
	for _, m := range rows {
		r := listRow{ID: m.ID, Staff: m.GivenName + " " + m.FamilyName, Stage: stageNames[m.Stage], Status: string(m.Status),
			Waiting: waitingWords(u, m.Move), StartDate: m.StartDate, Created: m.CreatedAt, Failed: m.HasFailedStep, Overdue: m.Escalated}
		switch {
		case u.Role == models.RoleOperator:
			r.Direction, r.Other = "From "+name(m.SendingODS), "to "+name(m.ReceivingODS)
		case m.SendingODS == u.TrustODS:
			r.Direction, r.Other = "Out", "to "+name(m.ReceivingODS)
		default:
			r.Direction, r.Other = "In", "from "+name(m.SendingODS)
		}
		out = append(out, r)
	}
	return out
}

// waitingWords says whose turn it is, from the reader's side.
func waitingWords(u *sessionUser, m models.Move) string {
	if m.Status != models.MoveActive {
		return ""
	}
	switch m.WaitingOn {
	case models.WaitingStaff:
		return "member of staff"
	case models.WaitingOperator:
		return "retry of a failed step"
	case models.WaitingSendingTrust:
		if m.SendingODS == u.TrustODS {
			return "us"
		}
		return "sending trust"
	case models.WaitingReceivingTrust:
		if m.ReceivingODS == u.TrustODS {
			return "us"
		}
		return "receiving trust"
	}
	return ""
}

type movesData struct {
	Query       url.Values
	Rows        []listRow
	Next, First string
	Filters     []selectField
	Search      formField
	Active      bool
}

// movesList: GET /portal/moves, filtered, searched and paged with the
// API's own filters.
func (p *portal) movesList(c *gin.Context) {
	u := currentUser(c)
	q := url.Values{}
	for k, vs := range c.Request.URL.Query() {
		if len(vs) > 0 && vs[0] != "" { // an empty choice in the form means any
			q.Set(k, vs[0])
		}
	}
	d := movesData{Query: q}
	f, err := moves.Filter(access.Actor(c), q)
	var errs []models.FieldError
	var v *models.ValidationError
	if errors.As(err, &v) {
		errs = v.Fields
	} else if err != nil {
		p.portalError(c, err)
		return
	}
	if err == nil {
		rows, next, err := p.moves.ListPage(c.Request.Context(), f)
		if err != nil {
			p.portalError(c, err)
			return
		}
		d.Rows = p.listRows(c, u, rows)
		if next != nil {
			nq := url.Values{}
			for k, vs := range q {
				nq[k] = vs
			}
			nq.Set("cursor", *next)
			d.Next = "/portal/moves?" + nq.Encode()
		}
	}
	if q.Get("cursor") != "" {
		fq := url.Values{}
		for k, vs := range q {
			if k != "cursor" {
				fq[k] = vs
			}
		}
		d.First = "/portal/moves?" + fq.Encode()
	}
	d.Active = len(q) > 0
	d.Search = formField{ID: "q", Label: "Name or email address", Value: q.Get("q"), Type: "search", Error: errFor(errs, "q")}
	stages := []option{{"", "Any stage"}}
	for _, s := range models.StepNames() {
		stages = append(stages, option{s, stageNames[s]})
	}
	d.Filters = []selectField{
		{ID: "status", Label: "Status", Value: q.Get("status"), Error: errFor(errs, "status"), Options: []option{{"", "Any status"},
			{"active", "Active"}, {"completed", "Completed"}, {"cancelled", "Cancelled"}, {"declined", "Declined"}, {"expired", "Expired"}}},
		{ID: "stage", Label: "Stage", Value: q.Get("stage"), Error: errFor(errs, "stage"), Options: stages},
		{ID: "staff_group", Label: "Staff group", Value: q.Get("staff_group"), Error: errFor(errs, "staff_group"), Options: []option{{"", "Any group"},
			{"temporary_mover", "Temporary mover"}, {"doctor_in_training", "Doctor in training"}}},
		{ID: "waiting_on", Label: "Waiting on", Value: q.Get("waiting_on"), Error: errFor(errs, "waiting_on"), Options: []option{{"", "Anyone"},
			{"staff", "Member of staff"}, {"sending_trust", "Sending trust"}, {"receiving_trust", "Receiving trust"}, {"operator", "Retry of a failed step"}}},
		{ID: "has_failed_step", Label: "Failed step", Value: q.Get("has_failed_step"), Error: errFor(errs, "has_failed_step"),
			Options: []option{{"", "Either"}, {"true", "Has a failed step"}, {"false", "No failed step"}}},
	}
	if u.Role != models.RoleOperator {
		d.Filters = append([]selectField{{ID: "direction", Label: "Direction", Value: q.Get("direction"), Error: errFor(errs, "direction"),
			Options: []option{{"", "In and out"}, {"out", "Moves we send"}, {"in", "Moves we receive"}}}}, d.Filters...)
	}
	status := http.StatusOK
	if len(errs) > 0 {
		status = http.StatusUnprocessableEntity
	}
	p.page(c, status, "moves", portalPage{Title: "Moves", Section: "moves", Errors: errs, Data: d})
}

type moveData struct {
	Move            moves.View
	Staff           string
	StaffEmail      string
	Sending         string
	Receiving       string
	We              string // sending | receiving | "" (operator)
	Steps           []stepRow
	Shares          []shareRow
	Missing         []missingRow
	Story           []storyStep
	MeantFor        string // the trust the link was sent to, when the person signed in is not of it
	Active          bool
	CanIdentity     bool
	CanDecide       bool
	CanRetry        bool
	CanDeadline     bool
	CanCancel       bool
	Documents       []option
	Form            url.Values
	Problem         string
	DeadlineDefault string // the extend form's suggestion: two weeks past the current deadline
	PassportID      string
	Records         []recordRow
	CanRecord       bool // the sending trust may record what is missing now
	Rechecks        []recheckRow
	OwnChecks       []credentialRow
}

// recordRow is one credential the records step asked the sending trust
// for, and what became of it.
type recordRow struct {
	Type  models.CredentialType
	Title string
	State string
	Words string
}

// recheckRow is a credential the receiving trust may check itself and
// record on the passport: rejected, not shared, or not held.
type recheckRow struct {
	Type  models.CredentialType
	Title string
	Why   string
}

type stepRow struct {
	models.Step
	Title string
}

type shareRow struct {
	moves.ShareView
	Title    string
	Verified bool
	Problems []string
	// What the credential says, for a trust in the move while the share
	// stands (never to operators, nor after consent is withdrawn).
	Shown      bool
	Facts      []fact
	Issuer     string
	IssuedAt   time.Time
	ValidUntil *time.Time
	Checks     []checkRow
	// Register and Number, for a professional registration: where to look
	// it up.
	Register, Number string
}

// checkRow is one check the service made of a shared credential, in words.
type checkRow struct {
	Text   string
	Passed bool
	Reason string
}

// missingRow is a credential the receiving trust asked for and did not
// receive: why, and what it checks itself.
type missingRow struct {
	Type     models.CredentialType
	Title    string
	Why      string
	OwnCheck string
}

// checkWords says each verification check as a person reads it.
var checkWords = map[string]string{
	vc.CheckSignature:        "Signed by the issuing trust and unchanged since",
	vc.CheckIssuerRegistered: "The issuing trust takes part in Staff Passport",
	vc.CheckNotExpired:       "Not expired",
	vc.CheckNotRevoked:       "Not revoked by the issuing trust",
}

// shareDetail fills in what a shared credential says and how it was
// checked.
func (p *portal) shareDetail(c *gin.Context, r *shareRow) error {
	var checks []vc.CheckResult
	_ = json.Unmarshal(r.Verification, &checks)
	for _, ch := range checks {
		text, ok := checkWords[ch.Check]
		if !ok {
			text = capitalise(strings.ReplaceAll(ch.Check, "_", " "))
		}
		r.Checks = append(r.Checks, checkRow{Text: text, Passed: ch.Passed, Reason: ch.Reason})
	}
	cr, err := p.store.Credential(c.Request.Context(), r.CredentialID)
	if err != nil {
		return err
	}
	r.Shown, r.Facts = true, claimFacts(cr.Type, cr.Claims)
	r.Issuer, r.IssuedAt, r.ValidUntil = p.trustName(c, cr.IssuerODS), cr.IssuedAt, cr.ValidUntil
	if cr.Type == models.CredProfessionalRegistration {
		var reg models.ProfessionalRegistrationClaims
		if json.Unmarshal(cr.Claims, &reg) == nil {
			r.Register, r.Number = regulatorNames[reg.Body], reg.Number
			if r.Register == "" {
				r.Register = reg.Body
			}
		}
	}
	return nil
}

// movePage: GET /portal/moves/{id}.
func (p *portal) movePage(c *gin.Context) {
	o := p.takeOutcome(c, "/portal/moves/"+c.Param("id"))
	p.showMove(c, http.StatusOK, o.Errors, o.Problem, o.Form)
}

func (p *portal) showMove(c *gin.Context, status int, errs []models.FieldError, problem string, form url.Values) {
	u := currentUser(c)
	mv, err := p.moves.Visible(c.Request.Context(), access.Actor(c), c.Param("id"))
	if err != nil {
		p.portalError(c, err)
		return
	}
	// The page tells the move's story itself (p.story), from the same
	// records the API's timeline is made of: the view need not read them.
	view, err := p.moves.View(c.Request.Context(), mv, false)
	if err != nil {
		p.portalError(c, err)
		return
	}
	pp, err := p.store.Passport(c.Request.Context(), mv.PassportID)
	if err != nil {
		p.portalError(c, err)
		return
	}
	d := moveData{Move: view, Staff: pp.GivenName + " " + pp.FamilyName, StaffEmail: pp.Email,
		Sending: p.trustName(c, mv.SendingODS), Receiving: p.trustName(c, mv.ReceivingODS), Active: mv.Status == models.MoveActive,
		Form: form, Problem: problem, DeadlineDefault: deadlineSuggestion(view.Deadline, time.Now())}
	if form == nil {
		d.Form = url.Values{}
	}
	switch u.TrustODS {
	case mv.SendingODS:
		d.We = "sending"
	case mv.ReceivingODS:
		d.We = "receiving"
	}
	if u.Role == models.RoleOperator {
		d.We = ""
	}
	// A trust's email links to the move "for" that trust: opened while
	// signed in for the other one, the page says so and offers to switch.
	if meant := c.Query("for"); meant != "" && meant != u.TrustODS && (meant == mv.SendingODS || meant == mv.ReceivingODS) {
		d.MeantFor = p.trustName(c, meant)
	}
	for _, s := range view.Steps {
		d.Steps = append(d.Steps, stepRow{Step: s, Title: stageNames[s.Name]})
	}
	progress := moves.Progress(mv)
	for _, s := range view.Shares {
		r := shareRow{ShareView: s, Title: s.CredentialType.Title()}
		for _, st := range progress.Shares {
			if st.ID == s.ID {
				r.Verified, r.Problems = st.Verified, st.Problems
			}
		}
		if d.We != "" && !s.Revoked {
			if err := p.shareDetail(c, &r); err != nil {
				p.portalError(c, err)
				return
			}
		}
		d.Shares = append(d.Shares, r)
	}
	for _, m := range view.Missing {
		d.Missing = append(d.Missing, missingRow{Type: m.Type, Title: m.Type.Title(), Why: capitalise(m.Reason.Words(d.Staff, d.Sending)), OwnCheck: m.Type.OwnCheck()})
	}
	d.PassportID = mv.PassportID
	for _, r := range progress.Records {
		row := recordRow{Type: r.Type, Title: r.Type.Title(), State: r.State}
		switch r.State {
		case models.RecordMissing:
			row.Words = "Waiting for " + d.Sending
		case models.RecordRecorded:
			row.Words = "Recorded"
		case models.RecordNoRecord:
			row.Words = d.Sending + " holds no record: " + d.Receiving + " checks it"
		}
		d.Records = append(d.Records, row)
	}
	a := access.Actor(c)
	may := func(action string) bool { return d.Active && access.MayOnMove(action, a, mv) }
	d.CanRecord = may("records") && mv.Stage == models.StepRecords && mv.WaitingOn == models.WaitingSendingTrust
	if d.We == "receiving" && u.Can("records") && afterTransfer(mv) {
		if d.Rechecks, d.OwnChecks, err = p.rechecks(c, mv, view.Shares, d.Missing); err != nil {
			p.portalError(c, err)
			return
		}
	}
	d.CanIdentity = may("identity") && mv.Stage == models.StepIdentity && mv.WaitingOn == models.WaitingStaff
	d.CanDecide = may("decide") && mv.Stage == models.StepAcceptance
	d.CanRetry = may("retry") && view.LastFailure != nil && mv.WaitingOn == models.WaitingOperator
	d.CanDeadline, d.CanCancel = may("deadline"), may("cancel")
	for _, doc := range models.IdentityDocuments {
		d.Documents = append(d.Documents, option{doc, capitalise(strings.ReplaceAll(doc, "_", " "))})
	}
	if d.Story, err = p.story(c, mv, d); err != nil {
		p.portalError(c, err)
		return
	}
	title := d.Staff + ": move to " + d.Receiving
	p.page(c, status, "move", portalPage{Title: title, Section: "moves", Flash: flash(c), Errors: errs, Data: d})
}

// afterTransfer reports whether the move has shared what it will share.
func afterTransfer(mv models.Move) bool {
	switch mv.Stage {
	case models.StepAcceptance, models.StepComplete, "completed", "closed":
		return true
	}
	return false
}

// rechecks lists what the receiving trust may check itself (each rejected
// credential, each one asked for and not shared) and the checks it has
// recorded on the passport since the move began.
func (p *portal) rechecks(c *gin.Context, mv models.Move, shares []moves.ShareView, missing []missingRow) ([]recheckRow, []credentialRow, error) {
	var out []recheckRow
	for _, s := range shares {
		if s.Decision == models.DecisionRejected && !slices.ContainsFunc(out, func(r recheckRow) bool { return r.Type == s.CredentialType }) {
			why := "You rejected it"
			if s.DecisionReason != "" {
				why += ": " + s.DecisionReason
			}
			out = append(out, recheckRow{Type: s.CredentialType, Title: s.CredentialType.Title(), Why: why})
		}
	}
	for _, m := range missing {
		out = append(out, recheckRow{Type: m.Type, Title: m.Title, Why: m.Why})
	}
	pp, err := p.store.PassportForTrust(c.Request.Context(), mv.PassportID, mv.ReceivingODS)
	if err != nil {
		return nil, nil, err
	}
	var own []models.Credential
	for _, cr := range pp.Credentials {
		if cr.IssuerODS == mv.ReceivingODS && !cr.IssuedAt.Before(mv.CreatedAt) {
			own = append(own, cr)
		}
	}
	// What the trust has checked itself since is not offered again.
	out = slices.DeleteFunc(out, func(r recheckRow) bool {
		return slices.ContainsFunc(own, func(cr models.Credential) bool { return cr.Type == r.Type })
	})
	rows, err := p.credentialRows(c, own)
	return out, rows, err
}

// moveAction runs one of the move page's forms through the same
// update path as the API (moves.Act); a refusal or bad input shows the page again with the reason.
func (p *portal) moveAction(rule, done string, build func(c *gin.Context, who workflows.Caller) (update, action string, arg, details any, err error)) gin.HandlerFunc {
	return func(c *gin.Context) {
		a := access.Actor(c)
		page := "/portal/moves/" + c.Param("id")
		mv, err := p.moves.Visible(c.Request.Context(), a, c.Param("id"))
		if err != nil {
			p.portalError(c, err)
			return
		}
		if !access.MayOnMove(rule, a, mv) {
			p.backWith(c, page, outcome{Problem: access.WhoMayOnMove(rule, p.trustName(c, mv.SendingODS), p.trustName(c, mv.ReceivingODS))})
			return
		}
		update, action, arg, details, err := build(c, moves.Caller(a))
		if err == nil {
			_, err = p.moves.Act(c.Request.Context(), a, mv.ID, update, action, arg, details)
		}
		var v *models.ValidationError
		var refused *models.RefusedError
		switch {
		case err == nil:
			c.Redirect(http.StatusSeeOther, page+"?done="+done)
		case errors.As(err, &v):
			p.backWith(c, page, outcome{Errors: v.Fields, Form: c.Request.PostForm})
		case errors.As(err, &refused):
			p.backWith(c, page, outcome{Problem: capitalise(refused.Reason) + ".", Form: c.Request.PostForm})
		case errors.Is(err, models.ErrUnavailable):
			_ = c.Error(err)
			p.backWith(c, page, outcome{Problem: "Part of the service is not answering. Nothing was changed: try again in a minute.", Form: c.Request.PostForm})
		case errors.Is(err, models.ErrOutcomeUnknown):
			_ = c.Error(err)
			p.backWith(c, page, outcome{Problem: "Part of the service did not answer in time, so we cannot tell whether that was done. " +
				"Check the move below before you try again: it never takes the same answer twice."})
		default:
			p.portalError(c, err)
		}
	}
}

func (p *portal) cancelAction() gin.HandlerFunc {
	return p.moveAction("cancel", "cancelled", func(c *gin.Context, who workflows.Caller) (string, string, any, any, error) {
		reason := strings.TrimSpace(c.PostForm("reason"))
		if reason == "" || len(reason) > 500 {
			var v models.ValidationError
			v.Add("reason", "Enter why the move is cancelled, up to 500 characters")
			return "", "", nil, nil, &v
		}
		return workflows.UpdateCancel, "move.cancelled", workflows.Cancel{Caller: who, Reason: reason}, map[string]string{"reason": reason}, nil
	})
}

func (p *portal) identityAction() gin.HandlerFunc {
	return p.moveAction("identity", "identity", func(c *gin.Context, _ workflows.Caller) (string, string, any, any, error) {
		in := moves.IdentityCheck{LevelOfConfidence: c.PostForm("level_of_confidence"), DocumentsSeen: c.PostFormArray("documents_seen"),
			VerifiedBy: c.PostForm("verified_by")}
		on, bad := formDate(c.Request.PostForm, "verified_on", "Date of the check")
		if bad != "" {
			var v models.ValidationError
			v.Add("verified_on-day", bad)
			return "", "", nil, nil, &v
		}
		in.VerifiedOn = on
		arg, details, err := moves.InPersonIdentity(access.Actor(c), in)
		var v *models.ValidationError
		if errors.As(err, &v) {
			for i := range v.Fields {
				if v.Fields[i].Field == "verified_on" { // the date input's first box
					v.Fields[i].Field = "verified_on-day"
				}
			}
		}
		return workflows.UpdateIdentityResult, "identity.recorded", arg, details, err
	})
}

func (p *portal) decideAction() gin.HandlerFunc {
	return p.moveAction("decide", "decided", func(c *gin.Context, who workflows.Caller) (string, string, any, any, error) {
		share := c.Param("share")
		dec := models.Decision(c.PostForm("decision"))
		reason := strings.TrimSpace(c.PostForm("reason"))
		if dec == models.DecisionRejected && reason == "" {
			var v models.ValidationError
			v.Add("reason-"+share, "Enter why you are rejecting this credential")
			return "", "", nil, nil, &v
		}
		return workflows.UpdateDecideShare, "share.decided", workflows.DecideShare{Caller: who, ShareID: share, Decision: dec, Reason: reason},
			map[string]any{"share_id": share, "decision": dec, "reason": reason}, nil
	})
}

func (p *portal) retryAction() gin.HandlerFunc {
	return p.moveAction("retry", "retried", func(c *gin.Context, who workflows.Caller) (string, string, any, any, error) {
		step := c.PostForm("step")
		return workflows.UpdateRetryStep, "step.retried", workflows.RetryStep{Caller: who, Step: step}, map[string]string{"step": step}, nil
	})
}

func (p *portal) deadlineAction() gin.HandlerFunc {
	return p.moveAction("deadline", "deadline", func(c *gin.Context, who workflows.Caller) (string, string, any, any, error) {
		d, bad := formDate(c.Request.PostForm, "deadline", "The new deadline")
		if bad == "" && d.IsZero() {
			bad = "Enter the new deadline"
		}
		if bad != "" {
			var v models.ValidationError
			v.Add("deadline-day", bad)
			return "", "", nil, nil, &v
		}
		t := time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, ukTime)
		deadline := t.Add(24*time.Hour - time.Second).UTC() // the end of that day, UK time
		return workflows.UpdateExtendDeadline, "deadline.extended", workflows.ExtendDeadline{Caller: who, NewDeadline: deadline},
			map[string]time.Time{"deadline": deadline}, nil
	})
}

type startData struct {
	Form    url.Values
	Trusts  []option
	Types   []option
	Groups  []option
	Kinds   []option
	Bodies  []option
	Checked map[string]bool
	Sending string
}

// startPage: GET /portal/moves/new.
func (p *portal) startPage(c *gin.Context) {
	o := p.takeOutcome(c, "/portal/start")
	p.showStart(c, http.StatusOK, o.Form, o.Errors)
}

func (p *portal) showStart(c *gin.Context, status int, form url.Values, errs []models.FieldError) {
	u := currentUser(c)
	trusts, err := p.store.RegisteredTrusts(c.Request.Context())
	if err != nil {
		p.portalError(c, err)
		return
	}
	d := startData{Form: form, Checked: map[string]bool{}, Sending: u.TrustName}
	d.Trusts = []option{{"", "Choose a trust"}}
	for _, t := range trusts {
		if t.ODSCode != u.TrustODS && t.SuspendedAt == nil {
			d.Trusts = append(d.Trusts, option{t.ODSCode, t.Name + " (" + t.ODSCode + ")"})
		}
	}
	for _, t := range models.CredentialTypes() {
		d.Types = append(d.Types, option{string(t), t.Title()})
	}
	for _, t := range form["requested_credentials"] {
		d.Checked[t] = true
	}
	d.Groups = []option{{"", "Choose a staff group"}, {"doctor_in_training", "Doctor in postgraduate training"}, {"temporary_mover", "Any other staff"}}
	d.Kinds = []option{{"", "Choose the kind of move"}, {"temporary_move", "A temporary move with an end date (a secondment, loan or cover)"},
		{"rotation", "A rotation: a doctor in training's next placement, with no end date"}}
	d.Bodies = []option{{"", "None"}, {"GMC", "GMC"}, {"NMC", "NMC"}, {"HCPC", "HCPC"}}
	p.page(c, status, "start", portalPage{Title: "Start a move", Section: "start", Errors: startErrors(errs, form), Data: d})
}

// startOrder is the start form's fields in the order asked: its error
// summary follows it.
var startOrder = []string{"staff.given_name", "staff.family_name", "staff.email", "staff.staff_group", "staff.professional_registration",
	"staff.professional_registration.body", "staff.professional_registration.number", "receiving_trust", "kind", "start_date-day", "end_date-day",
	"requested_credentials"}

// startErrors says what is wrong with the start form in words for people
// (what the service's checks say for programs becomes what to do), each
// linked to its field, in the form's order.
func startErrors(errs []models.FieldError, form url.Values) []models.FieldError {
	out := make([]models.FieldError, 0, len(errs))
	for _, e := range errs {
		empty := strings.TrimSpace(form.Get(e.Field)) == ""
		words := ""
		switch e.Field {
		case "staff.given_name":
			words = "Enter their first name"
		case "staff.family_name":
			words = "Enter their last name"
		case "staff.email":
			words = "Enter their email address in the right format, like name@nhs.net"
		case "staff.staff_group":
			words = "Choose the staff group"
		case "kind":
			words = "Choose the kind of move"
		case "receiving_trust":
			if empty {
				words = "Choose the receiving trust"
			}
		case "start_date", "start_date-day":
			e.Field = "start_date-day"
			switch {
			case strings.Contains(e.Reason, "30 days ago"):
				words = "The move cannot start more than 30 days ago"
			case strings.HasPrefix(e.Reason, "must"):
				words = "Enter the date the move starts"
			}
		case "end_date", "end_date-day":
			e.Field = "end_date-day"
			switch {
			case strings.Contains(e.Reason, "needs an end date"):
				words = "Enter the date the move ends: a temporary move needs one"
			case strings.Contains(e.Reason, "has no end date"):
				words = "Leave the end date empty: a rotation has none"
			case strings.Contains(e.Reason, "after the start date"):
				words = "The move must end after it starts"
			}
		}
		if words == "" {
			words = labelled([]models.FieldError{e}, startLabels)[0].Reason
		}
		out = append(out, models.FieldError{Field: e.Field, Reason: words})
	}
	return orderFields(out, startOrder...)
}

// startLabels name the start form's fields as its labels do, so that the
// API's reasons read as sentences on the page.
var startLabels = map[string]string{
	"staff.given_name": "First name", "staff.family_name": "Last name", "staff.email": "Email address",
	"staff.staff_group": "Staff group", "staff.professional_registration.body": "Professional registration",
	"staff.professional_registration.number": "Registration number", "receiving_trust": "Receiving trust",
	"kind": "Kind of move", "start_date": "Start date", "end_date": "End date", "requested_credentials": "Credentials to ask for",
}

// labelled puts each field's label before its reason.
func labelled(errs []models.FieldError, labels map[string]string) []models.FieldError {
	out := make([]models.FieldError, len(errs))
	for i, e := range errs {
		out[i] = e
		if l, ok := labels[e.Field]; ok {
			out[i].Reason = l + " " + e.Reason
		} else if !strings.HasPrefix(e.Field, "staff.") {
			out[i].Reason = capitalise(e.Reason)
		}
	}
	return out
}

// startAction: POST /portal/moves/new, through the same Start the API uses.
func (p *portal) startAction(c *gin.Context) {
	f := c.Request.PostForm
	var req moves.StartRequest
	req.Staff.Email, req.Staff.GivenName, req.Staff.FamilyName = f.Get("staff.email"), f.Get("staff.given_name"), f.Get("staff.family_name")
	req.Staff.StaffGroup = models.StaffGroup(f.Get("staff.staff_group"))
	if body, number := f.Get("staff.professional_registration.body"), strings.TrimSpace(f.Get("staff.professional_registration.number")); body != "" || number != "" {
		req.Staff.ProfessionalRegistration = &moves.Registration{Body: body, Number: number}
	}
	req.ReceivingTrust, req.Kind = f.Get("receiving_trust"), models.MoveKind(f.Get("kind"))
	// Dates are asked day, month and year; a date that is not one is named
	// here, the rest by the same checks the API makes.
	var dateErrs []models.FieldError
	for _, d := range []struct {
		name, label string
		dst         *string
	}{{"start_date", "The start date", &req.StartDate}, {"end_date", "The end date", &req.EndDate}} {
		date, bad := formDate(f, d.name, d.label)
		switch {
		case bad != "":
			dateErrs = append(dateErrs, models.FieldError{Field: d.name + "-day", Reason: bad})
		case !date.IsZero():
			*d.dst = date.Format(time.DateOnly)
		}
	}
	for _, t := range f["requested_credentials"] {
		req.RequestedCredentials = append(req.RequestedCredentials, models.CredentialType(t))
	}
	// The form's own key makes a double submit start one move, not two.
	key := ""
	if id := f.Get("form_id"); id != "" && len(id) <= 64 {
		key = "portal/" + id
	}
	var v *models.ValidationError
	if len(dateErrs) > 0 {
		// Nothing starts with a date that is not one; the other faults are
		// named with it (the date's own words for the date).
		if err := p.moves.Check(c.Request.Context(), access.Actor(c), req); errors.As(err, &v) {
			dateErrs = append(dateErrs, slices.DeleteFunc(v.Fields, func(e models.FieldError) bool {
				return slices.ContainsFunc(dateErrs, func(d models.FieldError) bool { return d.Field == e.Field+"-day" })
			})...)
		}
		p.startAgain(c, f, dateErrs)
		return
	}
	mv, _, err := p.moves.Start(c.Request.Context(), access.Actor(c), req, key)
	var refused *models.RefusedError
	switch {
	case err == nil:
		c.Redirect(http.StatusSeeOther, "/portal/moves/"+mv.ID+"?done=started")
	case errors.As(err, &v) && v.Fields[0].Field == "Idempotency-Key":
		// This form started a move already and was changed since: the
		// changed one is another move, from a new form.
		f.Del("form_id")
		p.startAgain(c, f, []models.FieldError{{Field: "staff.given_name",
			Reason: "This form started a move already. Check the details and start the move again to start another"}})
	case errors.As(err, &v):
		p.startAgain(c, f, v.Fields)
	case errors.As(err, &refused):
		p.startAgain(c, f, []models.FieldError{{Field: "receiving_trust", Reason: capitalise(refused.Reason)}})
	default:
		p.portalError(c, err)
	}
}

type rotationsData struct {
	Uploads []models.RotationUpload
	Columns []string
}

// rotationsPage: GET /portal/rotations.
func (p *portal) rotationsPage(c *gin.Context) {
	p.showRotations(c, http.StatusOK, p.takeOutcome(c, "/portal/rotations").Errors)
}

func (p *portal) showRotations(c *gin.Context, status int, errs []models.FieldError) {
	u := currentUser(c)
	ups, err := p.store.RotationUploads(c.Request.Context(), u.TrustODS, 10)
	if err != nil {
		p.portalError(c, err)
		return
	}
	p.page(c, status, "rotations", portalPage{Title: "Upload a rotation", Section: "rotations", Errors: errs,
		Data: rotationsData{Uploads: ups, Columns: moves.RotationColumns}})
}

// uploadRotation: POST /portal/rotations (multipart, field "file").
func (p *portal) uploadRotation(c *gin.Context) {
	fh, err := c.FormFile("file")
	if err != nil {
		p.rotationsAgain(c, []models.FieldError{{Field: "file", Reason: "Select a CSV file to upload"}})
		return
	}
	if fh.Size > moves.MaxUpload {
		p.rotationsAgain(c, []models.FieldError{{Field: "file", Reason: "The file must be smaller than 8 MB"}})
		return
	}
	file, err := fh.Open()
	if err != nil {
		p.portalError(c, err)
		return
	}
	defer file.Close()
	rows, err := moves.ParseRotationCSV(file)
	var v *models.ValidationError
	if errors.As(err, &v) {
		reason := "The file is not a rotation CSV"
		if len(v.Fields) > 0 {
			reason = capitalise(v.Fields[0].Reason)
		}
		p.rotationsAgain(c, []models.FieldError{{Field: "file", Reason: reason}})
		return
	} else if err != nil {
		p.portalError(c, err)
		return
	}
	up, err := p.moves.SubmitRotation(c.Request.Context(), access.Actor(c), edge.FileLabel(fh.Filename), rows)
	if err != nil {
		p.portalError(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/portal/rotations/"+up.ID)
}

type rotationData struct {
	Upload  models.RotationUpload
	Rows    []moves.RowResult
	Failed  int
	Pending int // rows the upload's job has still to start
}

func (p *portal) rotationUpload(c *gin.Context) (rotationData, error) {
	u := currentUser(c)
	up, err := p.store.RotationUpload(c.Request.Context(), u.TrustODS, c.Param("id"))
	if err != nil {
		return rotationData{}, err
	}
	d := rotationData{Upload: up}
	if d.Rows, err = p.moves.RotationResults(c.Request.Context(), up); err != nil {
		return d, err
	}
	for _, r := range d.Rows {
		switch r.Result {
		case "invalid", "error":
			d.Failed++
		case "pending":
			d.Pending++
		}
	}
	return d, nil
}

// rotationPage: GET /portal/rotations/{id}, the results row by row.
func (p *portal) rotationPage(c *gin.Context) {
	d, err := p.rotationUpload(c)
	if err != nil {
		p.portalError(c, err)
		return
	}
	p.page(c, http.StatusOK, "rotation", portalPage{Title: "Rotation upload results", Section: "rotations", Data: d})
}

// rotationFailures: GET /portal/rotations/{id}/failures.csv, the rows to
// fix and upload again.
func (p *portal) rotationFailures(c *gin.Context) {
	d, err := p.rotationUpload(c)
	if err != nil {
		p.portalError(c, err)
		return
	}
	edge.SendCSV(c, "rotation-failures.csv", func(w io.Writer) { moves.WriteFailures(w, d.Rows) })
}

// deadlineSuggestion is the date an extension's form starts from: two
// weeks past the current deadline (or past today, when the move has none
// or it has gone).
func deadlineSuggestion(deadline *time.Time, now time.Time) string {
	from := now
	if deadline != nil && deadline.After(now) {
		from = *deadline
	}
	return from.In(ukTime).AddDate(0, 0, 14).Format(time.DateOnly)
}

// startAgain sends the browser back to the start form with its faults and
// what was typed.
func (p *portal) startAgain(c *gin.Context, f url.Values, errs []models.FieldError) {
	p.backWith(c, "/portal/start", outcome{Errors: errs, Form: f})
}

// rotationsAgain sends the browser back to the rotations page with what
// was wrong with the upload.
func (p *portal) rotationsAgain(c *gin.Context, errs []models.FieldError) {
	p.backWith(c, "/portal/rotations", outcome{Errors: errs})
}
