package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/nhs-staff-passport/passport/activities"
	"github.com/nhs-staff-passport/passport/internal/config"
	"github.com/nhs-staff-passport/passport/internal/demo"
	"github.com/nhs-staff-passport/passport/internal/devtemporal"
	"github.com/nhs-staff-passport/passport/internal/mailcatcher"
	"github.com/nhs-staff-passport/passport/internal/testenv"
	"github.com/nhs-staff-passport/passport/models"
)

const testQueue = "dev-mode-test"

// waitThenEmail stands in for a long-running move: it waits for a signal,
// possibly across a restart of the server, then emails through the
// service's own activity, queue and SMTP path.
func waitThenEmail(ctx workflow.Context, to string) error {
	workflow.GetSignalChannel(ctx, "proceed").Receive(ctx, nil)
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		TaskQueue:           "passport",
		StartToCloseTimeout: 10 * time.Second,
	})
	info := workflow.GetInfo(ctx)
	return workflow.ExecuteActivity(ctx, (*activities.Activities).SendEmail, activities.SendEmailInput{
		Key:     info.WorkflowExecution.ID + "/done",
		To:      to,
		Subject: "Your move carried on after a restart",
		Text:    "See http://localhost:8080/moves/" + info.WorkflowExecution.ID + "\n",
	}).Get(ctx, nil)
}

func devConfig(t testing.TB, dir string, temporalPort int) config.Config {
	t.Helper()
	cfg, err := config.Load(func(k string) string {
		return map[string]string{
			"PASSPORT_DATA_DIR":          dir,
			"PASSPORT_HTTP_ADDR":         "127.0.0.1:0",
			"PASSPORT_DEV_TEMPORAL_PORT": fmt.Sprint(temporalPort),
		}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.Validate(config.ModeDev); err != nil {
		t.Fatal(err)
	}
	return cfg
}

// devConfigServing is devConfig with the HTTP server on a free port of its
// own, and the public address to match.
func devConfigServing(t testing.TB, dir string) config.Config {
	t.Helper()
	port := testenv.FreePortRange(t, 1)
	cfg := devConfig(t, dir, testenv.FreePortRange(t, devtemporal.PortsUsed))
	cfg.HTTPAddr = fmt.Sprintf("127.0.0.1:%d", port)
	cfg.PublicURL = fmt.Sprintf("http://127.0.0.1:%d", port)
	return cfg
}

func startTestDev(t *testing.T, cfg config.Config) *devSystem {
	t.Helper()
	log := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	d, err := startDev(t.Context(), cfg, log)
	if err != nil {
		t.Fatalf("dev mode did not start: %v", err)
	}
	return d
}

func testWorker(t *testing.T, d *devSystem) client.Client {
	t.Helper()
	c, err := client.Dial(client.Options{HostPort: d.temporal.Address(), Namespace: d.cfg.TemporalNamespace})
	if err != nil {
		t.Fatal(err)
	}
	w := newTestWorker(t, c)
	t.Cleanup(func() { w.Stop(); c.Close() })
	return c
}

// newTestWorker runs the test workflow on the test queue.
func newTestWorker(t *testing.T, c client.Client) worker.Worker {
	t.Helper()
	w := worker.New(c, testQueue, worker.Options{})
	w.RegisterWorkflow(waitThenEmail)
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	return w
}

func getJSON(t *testing.T, url string, v any) int {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if err := json.NewDecoder(res.Body).Decode(v); err != nil {
		t.Fatalf("%s: %v", url, err)
	}
	return res.StatusCode
}

func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 30s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestDevModeRunsAndKeepsWorkflowsAcrossRestart(t *testing.T) {
	dir := t.TempDir()
	cfg := devConfig(t, dir, testenv.FreePortRange(t, devtemporal.PortsUsed))
	ctx := t.Context()

	d := startTestDev(t, cfg)
	var ready struct {
		Status string            `json:"status"`
		Checks map[string]string `json:"checks"`
	}
	if code := getJSON(t, d.baseURL()+"/readyz", &ready); code != http.StatusOK || ready.Status != "ready" {
		t.Fatalf("readyz %d %+v", code, ready)
	}
	for _, dep := range []string{"database", "redis", "temporal", "smtp"} {
		if ready.Checks[dep] != "ok" {
			t.Errorf("readyz does not report %s ok: %+v", dep, ready.Checks)
		}
	}

	var keys []demo.Key
	data, err := os.ReadFile(filepath.Join(dir, "demo-keys.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &keys); err != nil {
		t.Fatal(err)
	}
	if len(keys) != len(demo.Trusts)*2+1 {
		t.Errorf("want an HR and an admin key per demo trust and one operator's, got %d", len(keys))
	}
	for _, k := range keys {
		if (k.Role == models.RoleOperator) != (k.Trust == "") {
			t.Errorf("demo key %s %s: operators' keys, and only theirs, belong to no trust", k.Trust, k.Role)
		}
	}
	var welcome bytes.Buffer
	d.printWelcome(&welcome, time.Second)
	if !strings.Contains(welcome.String(), keys[0].Key) || !strings.Contains(welcome.String(), "/dev/mail") {
		t.Errorf("welcome text lacks the demo keys or the mailbox:\n%s", welcome.String())
	}
	// The start page and the portal come first (issue 18).
	w := welcome.String()
	if start, portal, api := strings.Index(w, "start page"), strings.Index(w, "/portal\n"), strings.Index(w, "/api/v1"); start < 0 || portal < start || api < portal ||
		!strings.Contains(w, d.baseURL()+"/\n") {
		t.Errorf("the welcome text does not open with the start page and the portal:\n%s", welcome.String())
	}

	c := testWorker(t, d)
	const wfID = "dev-restart-test"
	if _, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: wfID, TaskQueue: testQueue}, waitThenEmail, "alex@example.org"); err != nil {
		t.Fatal(err)
	}
	eventually(t, "workflow waiting on its signal", func() bool {
		it := c.GetWorkflowHistory(ctx, wfID, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
		for it.HasNext() {
			ev, err := it.Next()
			if err != nil {
				return false
			}
			if ev.GetEventType() == enumspb.EVENT_TYPE_WORKFLOW_TASK_COMPLETED {
				return true
			}
		}
		return false
	})

	// Stop everything, as Ctrl-C does, and start again on the same data dir.
	if err := d.stop(); err != nil {
		t.Fatalf("stop: %v", err)
	}
	d = startTestDev(t, cfg)
	defer d.stop()
	c = testWorker(t, d)

	if err := c.SignalWorkflow(ctx, wfID, "", "proceed", nil); err != nil {
		t.Fatalf("the workflow did not survive the restart: %v", err)
	}
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := c.GetWorkflow(wctx, wfID, "").Get(wctx, nil); err != nil {
		t.Fatalf("workflow after restart: %v", err)
	}
	var mail []mailcatcher.Message
	eventually(t, "email in the development mailbox", func() bool {
		getJSON(t, d.baseURL()+"/dev/mail.json?to=alex@example.org", &mail)
		return len(mail) == 1
	})
	m := mail[0]
	if m.To != "alex@example.org" || m.Subject != "Your move carried on after a restart" ||
		len(m.Links) != 1 || m.Links[0] != "http://localhost:8080/moves/"+wfID {
		t.Errorf("email %+v", m)
	}
}

func TestHelpListsEveryVariable(t *testing.T) {
	var out bytes.Buffer
	if err := run(t.Context(), []string{"help"}, func(string) string { return "" }, &out, &out); err != nil {
		t.Fatal(err)
	}
	for _, v := range config.Vars() {
		if !strings.Contains(out.String(), v.Name) {
			t.Errorf("help does not list %s", v.Name)
		}
	}
	for _, cmd := range []string{"dev", "api", "worker", "migrate", "version"} {
		if !strings.Contains(out.String(), "  "+cmd+" ") {
			t.Errorf("help does not list the %s command", cmd)
		}
	}
}

func TestProductionCommandsNameMissingSettings(t *testing.T) {
	for _, cmd := range []string{"api", "worker", "migrate"} {
		var out bytes.Buffer
		err := run(t.Context(), []string{cmd}, func(string) string { return "" }, &out, &out)
		if err == nil || !strings.Contains(err.Error(), "PASSPORT_DATABASE_URL") {
			t.Errorf("%s without configuration: %v, want an error naming PASSPORT_DATABASE_URL", cmd, err)
		}
	}
}

func TestMigrateIsIdempotent(t *testing.T) {
	env := map[string]string{"PASSPORT_DATABASE_URL": testenv.PostgresDB(t), "PASSPORT_LOG_LEVEL": "warn"}
	for range 2 {
		var out bytes.Buffer
		if err := run(t.Context(), []string{"migrate"}, func(k string) string { return env[k] }, &out, &out); err != nil {
			t.Fatalf("migrate: %v\n%s", err, out.String())
		}
	}
}

// TestDevModeFillsDemoPassports: dev mode seeds the demo people's
// passports once, and the daily credential job runs as the worker starts,
// so the reminders of what runs out soon are in the dev mailbox.
func TestDevModeFillsDemoPassports(t *testing.T) {
	dir := t.TempDir()
	cfg := devConfigServing(t, dir)
	d := startTestDev(t, cfg)
	people := demo.People()
	held := map[string]int{}
	for _, p := range people {
		found, err := d.svc.store.PassportsByEmail(t.Context(), []string{p.Email})
		if err != nil || len(found) != 1 {
			t.Fatalf("%s has no passport: %v", p.GivenName, err)
		}
		pp, err := d.svc.store.Passport(t.Context(), found[p.Email].ID)
		if err != nil {
			t.Fatal(err)
		}
		types := map[models.CredentialType]bool{}
		for _, c := range pp.Credentials {
			types[c.Type] = true
		}
		held[p.GivenName] = len(types)
	}
	if held["Aisha"] != 7 || held["Leo"] != 3 {
		t.Errorf("credential types held: %v, want Aisha 7 and Leo 3", held)
	}
	mailTo(t, cfg.PublicURL, people[0].Email, "run out soon")
	mailTo(t, cfg.PublicURL, "hr@rj1.demo.nhs.localhost", "out soon")

	// The README's tour: Aisha's move to RRK asks for RRK's checklist,
	// skips the identity check she holds and the records she has, and
	// transfers every credential she shares.
	keys := demoKeys(t, dir)
	api := cfg.PublicURL + "/api/v1"
	var mv struct{ ID string }
	if code := call(t, keys["RJ1/hr"], "POST", api+"/moves", `{"staff":{"email":"`+people[0].Email+`","given_name":"Aisha","family_name":"Khan",
		"staff_group":"doctor_in_training"},"receiving_trust":"RRK","kind":"rotation","start_date":"`+time.Now().AddDate(0, 1, 0).Format(time.DateOnly)+`"}`, &mv); code != http.StatusCreated {
		t.Fatalf("start Aisha's move: %d", code)
	}
	jar, _ := cookiejar.New(nil)
	aisha := &person{t: t, base: cfg.PublicURL, email: people[0].Email, http: &http.Client{Jar: jar}}
	invite := mailTo(t, cfg.PublicURL, aisha.email, "has started your move")
	_, token := aisha.open(invite)
	if code, _ := aisha.submit(invite, url.Values{"csrf": {token}, "action": {"accept"}}); code != http.StatusOK {
		t.Fatalf("accept: %d", code)
	}
	consent := mailTo(t, cfg.PublicURL, aisha.email, "Choose what to share")
	page, token := aisha.open(consent)
	if strings.Contains(page, "Not on your passport") {
		t.Errorf("Aisha's consent page says her passport lacks something:\n%s", page)
	}
	all := url.Values{"csrf": {token}, "action": {"consent"}}
	for _, ty := range models.CredentialTypes() {
		all.Add("type", string(ty))
	}
	if code, body := aisha.submit(consent, all); code != http.StatusOK {
		t.Fatalf("consent: %d %s", code, body)
	}
	var v struct {
		Stage  string
		Steps  []struct{ Name, State string }
		Shares []struct{ ID string }
	}
	eventually(t, "Aisha's credentials at RRK", func() bool {
		call(t, keys["RRK/hr"], "GET", api+"/moves/"+mv.ID, "", &v)
		return v.Stage == "acceptance"
	})
	if len(v.Shares) != 12 {
		t.Errorf("the tour transfers %d credentials, want 12", len(v.Shares))
	}
	for _, st := range v.Steps {
		if (st.Name == "identity" || st.Name == "records") && st.State != "skipped" {
			t.Errorf("step %s: %s, want skipped", st.Name, st.State)
		}
	}

	// RJ1 turns record requests off: Leo's move, though his passport lacks
	// two things RRK asks for, goes straight to his consent.
	if code := call(t, keys["RJ1/trust_admin"], "PUT", api+"/trusts/RJ1/policy",
		`{"reminder_interval_hours":72,"max_reminders":3,"deadline_days":28,"ask_for_records":false}`, nil); code != http.StatusOK {
		t.Fatalf("policy: %d", code)
	}
	leo := people[1]
	if code := call(t, keys["RJ1/hr"], "POST", api+"/moves", `{"staff":{"email":"`+leo.Email+`","given_name":"Leo","family_name":"Martins",
		"staff_group":"temporary_mover"},"receiving_trust":"RRK","kind":"temporary_move","start_date":"`+time.Now().AddDate(0, 1, 0).Format(time.DateOnly)+
		`","end_date":"`+time.Now().AddDate(0, 4, 0).Format(time.DateOnly)+`"}`, &mv); code != http.StatusCreated {
		t.Fatalf("start Leo's move: %d", code)
	}
	jar, _ = cookiejar.New(nil)
	leoBrowser := &person{t: t, base: cfg.PublicURL, email: leo.Email, http: &http.Client{Jar: jar}}
	invite = mailTo(t, cfg.PublicURL, leo.Email, "has started your move")
	_, token = leoBrowser.open(invite)
	if code, _ := leoBrowser.submit(invite, url.Values{"csrf": {token}, "action": {"accept"}}); code != http.StatusOK {
		t.Fatalf("Leo accepts: %d", code)
	}
	page, _ = leoBrowser.open(mailTo(t, cfg.PublicURL, leo.Email, "Choose what to share"))
	if !strings.Contains(page, "DBS check") || !strings.Contains(page, "Not on your passport") {
		t.Errorf("Leo's consent page should say what his passport lacks:\n%s", page)
	}
	call(t, keys["RJ1/hr"], "GET", api+"/moves/"+mv.ID, "", &v)
	for _, st := range v.Steps {
		if st.Name == "records" && st.State != "skipped" {
			t.Errorf("with record requests off, the records step is %s", st.State)
		}
	}

	// A restart seeds nothing twice.
	_ = d.stop()
	d = startTestDev(t, cfg)
	defer d.stop()
	found, _ := d.svc.store.PassportsByEmail(t.Context(), []string{people[0].Email})
	if pp, _ := d.svc.store.Passport(t.Context(), found[people[0].Email].ID); len(pp.Credentials) != 12 {
		t.Errorf("after a restart Aisha holds %d credentials, want 12", len(pp.Credentials))
	}
}
