package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/converter"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/nhs-staff-passport/passport/internal/demo"
	"github.com/nhs-staff-passport/passport/internal/mailcatcher"
	"github.com/nhs-staff-passport/passport/internal/moves"
	"github.com/nhs-staff-passport/passport/internal/testenv"
	"github.com/nhs-staff-passport/passport/workflows"
)

const callbackSecret = "a secret shared with the identity provider"

// person is a member of staff with a browser and an inbox.
type person struct {
	t     *testing.T
	base  string
	email string
	http  *http.Client
}

// mailTo waits for an email to the address whose subject contains want and
// returns its first link.
func mailTo(t *testing.T, base, to, want string) string {
	t.Helper()
	var link string
	eventually(t, "email to "+to+" about "+want, func() bool {
		var msgs []mailcatcher.Message
		getJSON(t, base+"/dev/mail.json", &msgs)
		for _, m := range msgs {
			if m.To == to && strings.Contains(m.Subject, want) && len(m.Links) > 0 {
				link = m.Links[0]
				return true
			}
		}
		return false
	})
	return link
}

// demoKeys reads the demo keys of a development data dir by "trust/role".
func demoKeys(t *testing.T, dir string) map[string]string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "demo-keys.json"))
	if err != nil {
		t.Fatal(err)
	}
	var list []demo.Key
	if err := json.Unmarshal(data, &list); err != nil {
		t.Fatal(err)
	}
	keys := map[string]string{}
	for _, k := range list {
		keys[k.Trust+"/"+string(k.Role)] = k.Key
	}
	return keys
}

// issueSamsChecks makes Sam's passport as the sending trust's systems
// would, with a DBS check and resuscitation training, and returns its ID.
func issueSamsChecks(t *testing.T, api, key, email string) string {
	t.Helper()
	var pp struct{ ID string }
	call(t, key, "POST", api+"/passports", `{"email":"`+email+`","given_name":"Sam","family_name":"Okafor"}`, &pp)
	for _, cred := range []string{
		`{"type":"dbs_check","claims":{"level":"enhanced_barred_lists","workforce":"adult_and_child","certificate_number":"001234567890","issued_on":"2025-06-01","update_service":true}}`,
		`{"type":"core_skills_training","claims":{"subject":"resuscitation","level":2,"completed_on":"2026-06-10","provider":"Resuscitation Council UK"}}`,
	} {
		if code := call(t, key, "POST", api+"/passports/"+pp.ID+"/credentials", cred, nil); code != http.StatusCreated {
			t.Fatalf("issue: %d", code)
		}
	}
	return pp.ID
}

// open loads a link's page and returns its body and the form's CSRF token.
func (p *person) open(link string) (string, string) {
	p.t.Helper()
	body, token := getPage(p.t, p.http, link)
	if token == "" {
		p.t.Fatalf("no form on %s", link)
	}
	return body, token
}

func (p *person) submit(link string, form url.Values) (int, string) {
	p.t.Helper()
	res, err := p.http.PostForm(link, form)
	if err != nil {
		p.t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	return res.StatusCode, string(body)
}

// submitAt posts a form and follows where it leads: the address it ends
// at, the status and the page.
func (p *person) submitAt(link string, form url.Values) (string, int, string) {
	p.t.Helper()
	res, err := p.http.PostForm(link, form)
	if err != nil {
		p.t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	return res.Request.URL.String(), res.StatusCode, string(body)
}

// TestMoveEndToEnd drives one move from start to completion as the people
// involved would: trusts through the API with their keys, the member of
// staff through the links in the emails the service sends. Real
// PostgreSQL and Redis, the embedded Temporal server and mail catcher.
func TestMoveEndToEnd(t *testing.T) {
	dir := t.TempDir()
	cfg := devConfigServing(t, dir)
	cfg.DatabaseURL = testenv.PostgresDB(t)
	rdb := testenv.Redis(t)
	cfg.RedisAddr, cfg.RedisDB = testenv.RedisAddr(), rdb.Options().DB
	cfg.IdentityCallbackSecret = callbackSecret
	d := startTestDev(t, cfg)
	defer d.stop()
	base := cfg.PublicURL
	api := base + "/api/v1"

	keys := demoKeys(t, dir)
	// The sending trust has already checked Sam: a DBS check and training.
	const sam = "sam.okafor@nhs.net"
	passportID := issueSamsChecks(t, api, keys["RJ1/hr"], sam)

	// RRK's system hears of the move by webhook, and checks each signature.
	var (
		hookMu  sync.Mutex
		hooks   []string
		hookBad int
		secret  []byte
	)
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		hookMu.Lock()
		defer hookMu.Unlock()
		sig := r.Header.Get("X-Passport-Signature")
		var ts, v1 string
		for _, part := range strings.Split(sig, ",") {
			k, v, _ := strings.Cut(part, "=")
			if k == "t" {
				ts = v
			} else if k == "v1" {
				v1 = v
			}
		}
		m := hmac.New(sha256.New, secret)
		m.Write([]byte(ts + "."))
		m.Write(body)
		if !hmac.Equal([]byte(hex.EncodeToString(m.Sum(nil))), []byte(v1)) {
			hookBad++
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		var ev struct{ Type string }
		_ = json.Unmarshal(body, &ev)
		hooks = append(hooks, ev.Type)
	}))
	defer receiver.Close()
	var hook struct{ Secret string }
	if code := call(t, keys["RRK/trust_admin"], "POST", api+"/trusts/RRK/webhooks",
		`{"url":"`+receiver.URL+`/hooks","events":["move.started","move.stage_changed","move.waiting_on_you","share.received","move.completed"]}`, &hook); code != http.StatusCreated || hook.Secret == "" {
		t.Fatalf("register webhook: %d", code)
	}
	hookMu.Lock()
	secret = []byte(hook.Secret)
	hookMu.Unlock()

	started := time.Now()
	startBody := `{"staff":{"email":"Sam.Okafor@nhs.net","given_name":"Sam","family_name":"Okafor","staff_group":"doctor_in_training"},
		"receiving_trust":"RRK","kind":"rotation","start_date":"` + time.Now().AddDate(0, 1, 0).Format("2006-01-02") + `",
		"requested_credentials":["identity","right_to_work","dbs_check","core_skills_training","occupational_health"]}`
	var mv struct {
		ID, Status, Stage string
	}
	reqAs := func(who, key, body string) *http.Request {
		r, _ := http.NewRequest("POST", api+"/moves", strings.NewReader(body))
		r.Header.Set("Authorization", "Bearer "+keys[who])
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("Idempotency-Key", key)
		return r
	}
	req := func(key string) *http.Request { return reqAs("RJ1/hr", key, startBody) }
	res, err := http.DefaultClient.Do(req("august-rotation-sam"))
	if err != nil {
		t.Fatal(err)
	}
	_ = json.NewDecoder(res.Body).Decode(&mv)
	res.Body.Close()
	if res.StatusCode != http.StatusCreated || mv.Status != "active" || mv.Stage != "invite" {
		t.Fatalf("start: %d %+v", res.StatusCode, mv)
	}
	var again struct{ ID string }
	res, _ = http.DefaultClient.Do(req("august-rotation-sam"))
	_ = json.NewDecoder(res.Body).Decode(&again)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || again.ID != mv.ID {
		t.Fatalf("same idempotency key: %d, id %s vs %s", res.StatusCode, again.ID, mv.ID)
	}
	if code := call(t, keys["R0A/hr"], "GET", api+"/moves/"+mv.ID, "", nil); code != http.StatusNotFound {
		t.Errorf("an uninvolved trust sees the move: %d", code)
	}
	// The key is RJ1's own: another request under it is refused, and
	// another trust naming RJ1 as sender gets nothing of RJ1's move.
	res, err = http.DefaultClient.Do(reqAs("RJ1/hr", "august-rotation-sam", strings.Replace(startBody, `"given_name":"Sam"`, `"given_name":"Samuel"`, 1)))
	if err != nil {
		t.Fatal(err)
	}
	var keyProblem struct{ Errors []struct{ Field string } }
	_ = json.NewDecoder(res.Body).Decode(&keyProblem)
	res.Body.Close()
	if res.StatusCode != http.StatusUnprocessableEntity || len(keyProblem.Errors) == 0 || keyProblem.Errors[0].Field != "Idempotency-Key" {
		t.Errorf("the same key with another body: %d %+v", res.StatusCode, keyProblem)
	}
	res, err = http.DefaultClient.Do(reqAs("R0A/hr", "august-rotation-sam", strings.Replace(startBody, `"receiving_trust":"RRK"`, `"sending_trust":"RJ1","receiving_trust":"R0A"`, 1)))
	if err != nil {
		t.Fatal(err)
	}
	refusal, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusUnprocessableEntity || strings.Contains(string(refusal), mv.ID) || !strings.Contains(string(refusal), "sending_trust") {
		t.Errorf("R0A starting a move in RJ1's name with RJ1's key: %d %s", res.StatusCode, refusal)
	}

	jar, _ := cookiejar.New(nil)
	p := &person{t: t, base: base, email: sam, http: &http.Client{Jar: jar}}

	invite := mailTo(t, base, sam, "has started your move")
	time.Sleep(300 * time.Millisecond) // room for a wrongly duplicated invitation
	var inbox []mailcatcher.Message
	getJSON(t, base+"/dev/mail.json", &inbox)
	invitations := 0
	for _, m := range inbox {
		if m.To == sam && strings.Contains(m.Subject, "has started your move") {
			invitations++
		}
	}
	if invitations != 1 {
		t.Errorf("the same Idempotency-Key twice sent %d invitations, want 1", invitations)
	}
	page, csrf := p.open(invite)
	if !strings.Contains(page, "University Hospitals Birmingham") {
		t.Errorf("invitation page does not name the receiving trust")
	}
	if code, _ := p.submit(invite, url.Values{"csrf": {"forged"}, "action": {"accept"}}); code != http.StatusForbidden {
		t.Errorf("a form without the right CSRF token: %d, want 403", code)
	}
	// Accepting opens the next step straight away: Sam need not go back
	// to the inbox (issue 13). Its email still goes, for later.
	identity, code, idPage := p.submitAt(invite, url.Values{"csrf": {csrf}, "action": {"accept"}})
	if code != http.StatusOK || !strings.Contains(idPage, "<h1>Confirm your identity</h1>") || !strings.Contains(identity, "/s/") || identity == invite {
		t.Fatalf("accept: %d at %s\n%s", code, identity, idPage)
	}
	emailed := mailTo(t, base, sam, "Confirm your identity")
	if m := anyFormToken.FindStringSubmatch(idPage); m != nil {
		csrf = m[1] // the page's form token, as its cookie now holds
	}
	if code, body := p.submit(invite, url.Values{"csrf": {csrf}, "action": {"accept"}}); code != http.StatusConflict || !strings.Contains(body, "used already") {
		t.Errorf("a used link: %d", code)
	}
	// The records step comes next and waits on RJ1: Sam is done for now.
	if code, body := p.submit(identity, url.Values{"csrf": {csrf}, "action": {"simulate"}}); code != http.StatusOK || !strings.Contains(body, "Done for now") {
		t.Fatalf("identity: %d\n%s", code, body)
	}
	if code, body := p.submit(emailed, url.Values{"csrf": {csrf}, "action": {"simulate"}}); code < 400 || strings.Contains(body, "Done for now") {
		t.Errorf("the emailed identity link still works after the page's was used: %d", code)
	}

	// Sam's passport lacks two things RRK asked for: the move asks RJ1,
	// whose system records one and holds no record of the other.
	mailTo(t, base, "hr@rj1.demo.nhs.localhost", "Records needed")
	var atRecords struct {
		Stage     string
		WaitingOn *string `json:"waiting_on"`
		Records   []struct {
			Type  string `json:"credential_type"`
			State string
		}
	}
	eventually(t, "move waiting on RJ1 for records", func() bool {
		call(t, keys["RJ1/hr"], "GET", api+"/moves/"+mv.ID, "", &atRecords)
		return atRecords.Stage == "records" && atRecords.WaitingOn != nil && *atRecords.WaitingOn == "sending_trust"
	})
	if len(atRecords.Records) != 2 || atRecords.Records[0].Type != "right_to_work" || atRecords.Records[1].Type != "occupational_health" ||
		atRecords.Records[0].State != "missing" {
		t.Errorf("records asked of RJ1: %+v", atRecords.Records)
	}
	if code := call(t, keys["RRK/hr"], "POST", api+"/moves/"+mv.ID+"/records/no-record", `{"credential_type":"right_to_work"}`, nil); code != http.StatusConflict {
		t.Errorf("the receiving trust answering for the sender: %d, want 409", code)
	}
	if code := call(t, keys["RJ1/hr"], "POST", api+"/moves/"+mv.ID+"/records/no-record", `{"credential_type":"right_to_work"}`, &atRecords); code != http.StatusOK {
		t.Fatalf("no record: %d", code)
	}
	if code := call(t, keys["RJ1/hr"], "POST", api+"/passports/"+passportID+"/credentials",
		`{"type":"occupational_health","claims":{"clearance":"fit","epp_cleared":true,"assessed_on":"2026-10-01"}}`, nil); code != http.StatusCreated {
		t.Fatalf("record occupational health: %d", code)
	}

	consent := mailTo(t, base, sam, "Choose what to share")
	page, csrf = p.open(consent)
	if lacks := page[strings.Index(page, "Not on your passport"):]; !strings.Contains(page, "Not on your passport") ||
		!strings.Contains(lacks[:strings.Index(lacks, "</ul>")], "<li>Right to work: Guy&#39;s and St Thomas&#39; NHS Foundation Trust holds no record of it</li>") ||
		strings.Contains(lacks[:strings.Index(lacks, "</ul>")], "Occupational health") {
		t.Errorf("the consent page must say what the passport lacks, and not what RJ1 recorded:\n%s", page)
	}
	// Consent is an act, never a default (UK GDPR): nothing is ticked
	// before the person chooses.
	if strings.Contains(page, "checked") {
		t.Error("the consent page ticks something before the person chooses")
	}
	// Nothing ticked: back to the consent page (post, redirect, get),
	// which says what to do; nothing is shared.
	if at, code, body := p.submitAt(consent, url.Values{"csrf": {csrf}, "action": {"consent"}}); code != http.StatusOK || at != consent ||
		!strings.Contains(body, "Tick at least one thing to share") {
		t.Errorf("consent to nothing: %d at %s", code, at)
	}
	_, csrf = p.open(consent)
	if code, body := p.submit(consent, url.Values{"csrf": {csrf}, "action": {"consent"}, "type": {"dbs_check", "core_skills_training"}}); code != http.StatusOK {
		t.Fatalf("consent: %d\n%s", code, body)
	}

	// The receiving trust is told, and decides on each credential.
	mailTo(t, base, "hr@rrk.demo.nhs.localhost", "Credentials received")
	type view struct {
		Status, Stage string
		WaitingOn     *string `json:"waiting_on"`
		Steps         []struct{ Name, State string }
		Shares        []struct {
			ID, Decision   string
			CredentialType string `json:"credential_type"`
			Verification   []struct {
				Check  string
				Passed bool
			}
		}
		Timeline []struct{ Event string }
	}
	var v view
	eventually(t, "move waiting on the receiving trust", func() bool {
		call(t, keys["RRK/hr"], "GET", api+"/moves/"+mv.ID, "", &v)
		return v.Stage == "acceptance" && v.WaitingOn != nil && *v.WaitingOn == "receiving_trust"
	})
	if len(v.Shares) != 2 {
		t.Fatalf("shares: %+v", v.Shares)
	}
	for _, s := range v.Shares {
		if len(s.Verification) != 4 {
			t.Errorf("share %s verification: %+v", s.CredentialType, s.Verification)
		}
		for _, c := range s.Verification {
			if !c.Passed {
				t.Errorf("share %s failed %s", s.CredentialType, c.Check)
			}
		}
	}
	var rrkView struct{ Credentials []struct{ Type string } }
	call(t, keys["RRK/hr"], "GET", api+"/passports/"+passportID, "", &rrkView)
	if len(rrkView.Credentials) != 2 {
		t.Errorf("the receiving trust sees %d shared credentials, want 2", len(rrkView.Credentials))
	}
	if code := call(t, keys["RJ1/hr"], "POST", api+"/moves/"+mv.ID+"/shares/"+v.Shares[0].ID+"/decision", `{"decision":"accepted"}`, nil); code != http.StatusConflict {
		t.Errorf("the sending trust deciding: %d, want 409", code)
	}
	if code := call(t, keys["RRK/hr"], "POST", api+"/moves/"+mv.ID+"/shares/"+v.Shares[0].ID+"/decision", `{"decision":"accepted"}`, nil); code != http.StatusOK {
		t.Fatalf("accept share: %d", code)
	}
	if code := call(t, keys["RRK/hr"], "POST", api+"/moves/"+mv.ID+"/shares/"+v.Shares[1].ID+"/decision", `{"decision":"rejected","reason":"we need level 3 resuscitation for ITU"}`, nil); code != http.StatusOK {
		t.Fatalf("reject share: %d", code)
	}
	eventually(t, "move completed", func() bool {
		call(t, keys["RJ1/hr"], "GET", api+"/moves/"+mv.ID, "", &v)
		return v.Status == "completed"
	})
	took := time.Since(started)
	eventually(t, "webhooks for the whole move", func() bool {
		hookMu.Lock()
		defer hookMu.Unlock()
		got := strings.Join(hooks, " ")
		return strings.Contains(got, "move.completed") && strings.Count(got, "share.received") == 2
	})
	hookMu.Lock()
	for _, want := range []string{"move.started", "move.stage_changed", "move.waiting_on_you"} {
		if !strings.Contains(strings.Join(hooks, " "), want) {
			t.Errorf("no %s webhook among %v", want, hooks)
		}
	}
	if hookBad > 0 {
		t.Errorf("%d webhook deliveries had a bad signature", hookBad)
	}
	hookMu.Unlock()

	// Sam sees the passport and what was shared, then withdraws consent.
	passportLink := mailTo(t, base, sam, "is complete")
	page, csrf = p.open(passportLink)
	for _, want := range []string{"DBS check", "Identity check", "accepted", "rejected", "Withdraw my consent"} {
		if !strings.Contains(page, want) {
			t.Errorf("passport page lacks %q", want)
		}
	}
	if code, body := p.submit(passportLink, url.Values{"csrf": {csrf}, "action": {"withdraw"}}); code != http.StatusOK || !strings.Contains(body, "Consent withdrawn") {
		t.Fatalf("withdraw: %d\n%s", code, body)
	}
	call(t, keys["RRK/hr"], "GET", api+"/passports/"+passportID, "", &rrkView)
	if len(rrkView.Credentials) != 0 {
		t.Errorf("after withdrawal the receiving trust still sees %d credentials", len(rrkView.Credentials))
	}
	var problem struct{ Detail string }
	if code := call(t, keys["RRK/hr"], "POST", api+"/moves/"+mv.ID+"/shares/"+v.Shares[1].ID+"/decision", `{"decision":"accepted"}`, &problem); code != http.StatusConflict || problem.Detail == "" {
		t.Errorf("a late decision: %d %+v", code, problem)
	}
	events := 0
	for _, e := range v.Timeline {
		if strings.HasPrefix(e.Event, "share.decided") {
			events++
		}
	}
	if events != 2 {
		t.Errorf("timeline: %+v", v.Timeline)
	}

	// Sam's GMC registration, once verified, finds the same passport even
	// under another email address; a bypassed item is not asked for.
	if code := call(t, keys["RJ1/hr"], "POST", api+"/passports/"+passportID+"/credentials",
		`{"type":"professional_registration","claims":{"body":"GMC","number":"7012345","status":"registered","checked_on":"2026-11-02"}}`, nil); code != http.StatusCreated {
		t.Fatalf("registration: %d", code)
	}
	var third struct {
		PassportID string   `json:"passport_id"`
		Requested  []string `json:"requested_credentials"`
	}
	thirdBody := `{"staff":{"email":"sam.okafor@gmail.com","given_name":"Sam","family_name":"Okafor","staff_group":"doctor_in_training",
		"professional_registration":{"body":"GMC","number":"7012345"}},"receiving_trust":"R0A","kind":"rotation","start_date":"` +
		time.Now().AddDate(0, 2, 0).Format("2006-01-02") + `","bypass":[{"credential_type":"occupational_health","reason":"cleared by R0A's own service in 2026"}]}`
	if code := call(t, keys["RJ1/hr"], "POST", api+"/moves", thirdBody, &third); code != http.StatusCreated {
		t.Fatalf("third move: %d", code)
	}
	if third.PassportID != passportID {
		t.Errorf("the GMC number did not lead to Sam's passport: %s vs %s", third.PassportID, passportID)
	}
	if strings.Contains(strings.Join(third.Requested, ","), "occupational_health") || len(third.Requested) != 6 {
		t.Errorf("requested after the bypass: %v", third.Requested)
	}

	// A second person declines through the JSON face of the links.
	const jo = "jo.hughes@nhs.net"
	body := strings.Replace(strings.Replace(startBody, "Sam.Okafor@nhs.net", jo, 1), `"given_name":"Sam","family_name":"Okafor"`, `"given_name":"Jo","family_name":"Hughes"`, 1)
	var mv2 struct{ ID string }
	if code := call(t, keys["RJ1/trust_admin"], "POST", api+"/moves", body, &mv2); code != http.StatusCreated {
		t.Fatalf("Jo's move: %d", code)
	}
	token := strings.TrimPrefix(mailTo(t, base, jo, "has started your move"), base+"/s/")
	var lv struct {
		Action         string
		ReceivingTrust struct{ Name string } `json:"receiving_trust"`
	}
	if code := call(t, "", "GET", api+"/links/"+token, "", &lv); code != http.StatusOK || lv.Action != "accept_invitation" || lv.ReceivingTrust.Name == "" {
		t.Fatalf("link JSON: %d %+v", code, lv)
	}
	if code := call(t, "", "POST", api+"/links/"+token+"/accept", "", nil); code != http.StatusOK {
		t.Fatalf("accept through JSON: %d", code)
	}
	// An external identity provider confirms Jo's identity.
	mailTo(t, base, jo, "Confirm your identity")
	callback := func(body, sig string) int {
		r, _ := http.NewRequest("POST", api+"/identity/callback", strings.NewReader(body))
		r.Header.Set(moves.SignatureHeader, sig)
		res, err := http.DefaultClient.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	verdict := `{"move_id":"` + mv2.ID + `","verified":true,"provider":"Example ID Service","level_of_confidence":"medium","reference":"ex-123"}`
	if code := callback(verdict, moves.SignCallback([]byte("wrong secret"), []byte(verdict), time.Now())); code != http.StatusUnauthorized {
		t.Errorf("a callback signed with another secret: %d", code)
	}
	if code := callback(verdict, moves.SignCallback([]byte(callbackSecret), []byte(verdict), time.Now().Add(-time.Hour))); code != http.StatusUnauthorized {
		t.Errorf("a stale callback: %d", code)
	}
	if code := callback(verdict, moves.SignCallback([]byte(callbackSecret), []byte(verdict), time.Now())); code != http.StatusNoContent {
		t.Fatalf("provider callback: %d", code)
	}
	// Jo's passport holds none of what RRK asked for; RJ1 holds no record.
	eventually(t, "Jo's move waiting on RJ1 for records", func() bool {
		call(t, keys["RJ1/hr"], "GET", api+"/moves/"+mv2.ID, "", &atRecords)
		return atRecords.Stage == "records" && atRecords.WaitingOn != nil
	})
	for _, r := range atRecords.Records {
		if code := call(t, keys["RJ1/hr"], "POST", api+"/moves/"+mv2.ID+"/records/no-record", `{"credential_type":"`+r.Type+`"}`, nil); code != http.StatusOK {
			t.Fatalf("no record of %s: %d", r.Type, code)
		}
	}
	token = strings.TrimPrefix(mailTo(t, base, jo, "Choose what to share"), base+"/s/")
	if code := call(t, "", "POST", api+"/links/"+token+"/decline", `{"reason":"staying put"}`, nil); code != http.StatusOK {
		t.Fatalf("decline: %d", code)
	}
	var moved struct {
		Status    string
		EndReason string `json:"end_reason"`
	}
	eventually(t, "second move declined", func() bool {
		call(t, keys["RJ1/hr"], "GET", api+"/moves/"+mv2.ID, "", &moved)
		return moved.Status == "declined"
	})
	if moved.EndReason != "staying put" {
		t.Errorf("end reason %q", moved.EndReason)
	}
	if code := call(t, "", "POST", api+"/links/"+token+"/accept", "", nil); code != http.StatusConflict {
		t.Errorf("a used link through JSON: %d, want 409", code)
	}
	if code := call(t, "", "GET", api+"/links/not.a.token", "", nil); code != http.StatusNotFound {
		t.Errorf("a made-up link: %d, want 404", code)
	}

	// The history: its length, and a copy for the replay test.
	c := d.svc.temporal
	it := c.GetWorkflowHistory(t.Context(), workflows.WorkflowID(mv.ID), "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	var hist historypb.History
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			t.Fatal(err)
		}
		hist.Events = append(hist.Events, ev)
	}
	t.Logf("move completed %v after it was started; history has %d events", took.Round(time.Millisecond), len(hist.Events))
	if len(hist.Events) >= 250 {
		t.Errorf("history has %d events, want under 250", len(hist.Events))
	}
	// The visibility record (what Temporal's own tools list moves by) is
	// rewritten where the move rests, and ends as the move did.
	upserts := 0
	for _, ev := range hist.Events {
		if ev.EventType == enumspb.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES {
			upserts++
		}
	}
	if upserts > 7 {
		t.Errorf("search attributes upserted %d times, want at most 7 (five waits, the end, one version marker)", upserts)
	}
	desc, err := c.DescribeWorkflowExecution(t.Context(), workflows.WorkflowID(mv.ID), "")
	if err != nil {
		t.Fatal(err)
	}
	indexed := map[string]string{}
	for name, p := range desc.WorkflowExecutionInfo.GetSearchAttributes().GetIndexedFields() {
		var v string
		_ = converter.GetDefaultDataConverter().FromPayload(p, &v)
		indexed[name] = v
	}
	if indexed[workflows.SAStatus.GetName()] != "completed" || indexed[workflows.SAStage.GetName()] != "completed" ||
		indexed[workflows.SAWaitingOn.GetName()] != "" || indexed[workflows.SASendingTrust.GetName()] != "RJ1" {
		t.Errorf("search attributes at the end: %v", indexed)
	}
	if path := os.Getenv("PASSPORT_RECORD_HISTORY"); path != "" {
		out, _ := protojson.MarshalOptions{Indent: "  "}.Marshal(&hist)
		if err := os.WriteFile(path, out, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
