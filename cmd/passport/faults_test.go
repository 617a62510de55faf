package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nhs-staff-passport/passport/internal/devtemporal"
	"github.com/nhs-staff-passport/passport/internal/mailcatcher"
	"github.com/nhs-staff-passport/passport/internal/store"
	"github.com/nhs-staff-passport/passport/internal/testenv"
	"github.com/nhs-staff-passport/passport/models"
)

// The fault suite: the production topology as processes on loopback (the
// embedded Temporal server alone, one api, two workers, each a real
// process), PostgreSQL, Redis and the mail relay each behind a proxy the
// suite can cut. Moves are driven as people drive them (trusts through the
// API, staff through the links in their emails) while workers and the api
// are SIGKILLed and the database, Redis and the relay go away. Every move
// must complete with no one's help, every email arrive exactly once, no
// notification row be left in a wrong state, and nothing answer 5xx
// outside a fault's window.
//
// The short form (20 moves, one of each fault) runs with the other tests;
// PASSPORT_FAULTS=full runs 200 moves with the outages (Redis 60 s,
// the relay 3 minutes, ten worker kills).
func TestFaultsHealWithoutPeople(t *testing.T) {
	t.Parallel() // mostly waiting: it runs beside the browser test
	full := os.Getenv("PASSPORT_FAULTS") == "full"
	moves, spacing := 20, 3*time.Second
	redisOut, pgOut, relayOut, workerKills := 10*time.Second, 10*time.Second, 20*time.Second, 1
	if full {
		moves, spacing = 200, 600*time.Millisecond
		redisOut, pgOut, relayOut, workerKills = 60*time.Second, 30*time.Second, 3*time.Minute, 10
	}
	s := newFaultSystem(t)
	if full {
		// The full run's outages follow one another for about six minutes:
		// a move started as they begin waits through all of them.
		s.patience = 15 * time.Minute
	}

	// Passports as the sending trust's systems fill them: everything the
	// receiving trust asks for, so each move runs invite, consent,
	// transfer, acceptance.
	people := make([]string, moves)
	for i := range people {
		people[i] = fmt.Sprintf("fault.person%d@nhs.net", i)
		var pp struct{ ID string }
		s.must("RJ1", "POST", "/api/v1/passports", fmt.Sprintf(`{"email":%q,"given_name":"Fault","family_name":"Person%d"}`, people[i], i), &pp)
		for _, cred := range []string{
			`{"type":"identity","claims":{"method":"certified_identity_service","level_of_confidence":"medium","identity_service":"Yoti","verified_by":"Yoti","verified_on":"2026-11-01"}}`,
			`{"type":"dbs_check","claims":{"level":"enhanced","workforce":"adult","certificate_number":"001234567890","issued_on":"2025-06-01","update_service":false}}`,
			`{"type":"core_skills_training","claims":{"subject":"resuscitation","level":2,"completed_on":"2026-06-10","provider":"RCUK"}}`,
		} {
			s.must("RJ1", "POST", "/api/v1/passports/"+pp.ID+"/credentials", cred, nil)
		}
	}

	// The faults, while the moves run.
	faultsDone := make(chan struct{})
	go func() {
		defer close(faultsDone)
		step := func(d time.Duration) { time.Sleep(d) }
		step(3 * time.Second)
		for k := range workerKills {
			w := s.procs[fmt.Sprintf("worker-%d", 1+k%2)]
			s.outage("worker killed", 5*time.Second, func() { s.kill(w) }, func() { s.start(w) })
			step(2 * time.Second)
		}
		s.outage("redis stopped", redisOut, s.redis.Cut, s.redis.Restore)
		step(2 * time.Second)
		s.outage("database stopped", pgOut, s.pg.Cut, s.pg.Restore)
		step(2 * time.Second)
		// A relay stopping for maintenance finishes its sessions (a crash
		// that drops a message's 250 makes the sender send it again: SMTP
		// is at least once, and the Message-ID stays the same).
		s.outage("relay stopped", relayOut, func() { s.relay.Stop(5 * time.Second) }, s.relay.Restore)
		step(2 * time.Second)
		api := s.procs["api"]
		s.outage("api killed", 3*time.Second, func() { s.kill(api) }, func() { s.start(api) })
	}()

	var wg sync.WaitGroup
	ids := make([]string, moves)
	errs := make([]error, moves)
	for i := range moves {
		wg.Go(func() { ids[i], errs[i] = s.driveMove(i, people[i]) })
		time.Sleep(spacing)
	}
	wg.Wait()
	<-faultsDone

	completed := 0
	for i, err := range errs {
		if err != nil {
			t.Errorf("move %d: %v", i, err)
		} else {
			completed++
		}
	}

	// Every notification row sent (none left queued, none gone back).
	st, err := store.Open(t.Context(), s.dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	// The last moves' emails to the trusts may still be on their way: a
	// minute for them (and for the sweep, should an outcome have been
	// missed).
	var wrongRows []models.Notification
	rowsSettled := func() bool {
		wrongRows = nil
		for _, id := range ids {
			if id == "" {
				continue
			}
			ns, err := st.Notifications(t.Context(), id)
			if err != nil {
				t.Fatal(err)
			}
			for _, n := range ns {
				if n.Status != models.NotificationSent || n.Sealed != nil {
					wrongRows = append(wrongRows, n)
				}
			}
		}
		return len(wrongRows) == 0
	}
	deadline := time.Now().Add(time.Minute)
	for !rowsSettled() && time.Now().Before(deadline) {
		time.Sleep(time.Second)
	}
	wrong := len(wrongRows)
	for _, n := range wrongRows {
		t.Errorf("notification %s: %s (sealed %d bytes, error %q)", n.ID, n.Status, len(n.Sealed), n.Error)
	}
	// Every answer recorded exactly once in its move's audit trail, though
	// the api was killed and the database cut while people answered.
	badTrails := 0
	for i, id := range ids {
		if id == "" || errs[i] != nil {
			continue
		}
		evs, err := st.AuditEvents(t.Context(), "move", id)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]int{}
		for _, ev := range evs {
			got[ev.Action]++
		}
		if got["invitation.accepted"] != 1 || got["consent.given"] != 1 || got["share.decided"] != 3 {
			badTrails++
			t.Errorf("move %s: answers recorded %v, want the acceptance and the consent once and three decisions", id, got)
		}
	}
	// Every email exactly once, counted at the relay.
	seen := map[string]int{}
	for _, m := range s.box.Messages() {
		seen[m.To+" | "+m.Subject]++
	}
	duplicates := 0
	for k, n := range seen {
		if n > 1 {
			duplicates += n - 1
			t.Errorf("sent %d times: %s", n, k)
		}
	}
	missing := 0
	if want := 6 * completedMoves(errs); len(s.box.Messages()) < want {
		t.Errorf("%d emails at the relay, want at least %d (six a move)", len(s.box.Messages()), want)
	}
	for i, p := range people {
		for _, want := range []string{"has started your move", "Choose what to share", "is complete"} {
			found := false
			for k := range seen {
				found = found || (strings.HasPrefix(k, p+" | ") && strings.Contains(k, want))
			}
			if !found && errs[i] == nil {
				missing++
				t.Errorf("%s never got %q", p, want)
			}
		}
	}

	t.Logf("faults: %d/%d moves completed with no operator action; %d emails, %d duplicate, %d missing; %d notification rows wrong; %d audit trails wrong; %d 5xx outside fault windows (%d inside)",
		completed, moves, len(s.box.Messages()), duplicates, missing, wrong, badTrails, s.fiveXXOutside.Load(), s.fiveXXInside.Load())
	if n := s.fiveXXOutside.Load(); n > 0 {
		t.Errorf("%d answers were 5xx outside the fault windows", n)
	}
	if t.Failed() {
		for name, p := range s.procs {
			t.Logf("%s log (tail):\n%s", name, tail(p.logs.String(), 3000))
		}
	}
}

func completedMoves(errs []error) int {
	n := 0
	for _, err := range errs {
		if err == nil {
			n++
		}
	}
	return n
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

type faultProc struct {
	name string
	args []string
	env  []string
	logs *syncBuffer
	cmd  *exec.Cmd
	done chan struct{}
}

type faultSystem struct {
	t                *testing.T
	dsn              string
	pg, redis, relay *testenv.Proxy
	box              *mailcatcher.Mailbox
	procs            map[string]*faultProc
	api              string
	keys             map[string]string
	faults           atomic.Int32 // outages under way
	calm             atomic.Int64 // unix nanos before which the last outage may still show
	fiveXXOutside    atomic.Int64
	fiveXXInside     atomic.Int64
	client           *http.Client
	patience         time.Duration // how long a person waits for an email or a step
}

func newFaultSystem(t *testing.T) *faultSystem {
	s := &faultSystem{t: t, procs: map[string]*faultProc{}, keys: map[string]string{}, client: &http.Client{Timeout: 30 * time.Second},
		patience: 5 * time.Minute}
	quiet := slog.New(slog.DiscardHandler)
	s.dsn = testenv.PostgresDB(t)
	u, err := url.Parse(s.dsn)
	if err != nil {
		t.Fatal(err)
	}
	s.pg = testenv.NewProxy(t, u.Host)
	u.Host = s.pg.Addr()
	rdb := testenv.Redis(t)
	s.redis = testenv.NewProxy(t, testenv.RedisAddr())
	s.box, _ = mailcatcher.OpenMailbox("")
	catcher, err := mailcatcher.Start("127.0.0.1:0", s.box, quiet)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = catcher.Close() })
	s.relay = testenv.NewProxy(t, catcher.Addr())

	temporalPort := testenv.FreePortRange(t, devtemporal.PortsUsed)
	apiAddr := fmt.Sprintf("127.0.0.1:%d", testenv.FreePortRange(t, 1))
	s.api = "http://" + apiAddr
	env := map[string]string{
		"PASSPORT_DATABASE_URL":      u.String(),
		"PASSPORT_REDIS_ADDR":        s.redis.Addr(),
		"PASSPORT_REDIS_DB":          fmt.Sprint(rdb.Options().DB),
		"PASSPORT_TEMPORAL_ADDRESS":  fmt.Sprintf("127.0.0.1:%d", temporalPort),
		"PASSPORT_DEV_TEMPORAL_PORT": fmt.Sprint(temporalPort),
		"PASSPORT_DATA_DIR":          t.TempDir(),
		"PASSPORT_SMTP_URL":          "smtp://" + s.relay.Addr() + "?tls=none",
		"PASSPORT_SECRET_KEY":        "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
		"PASSPORT_PUBLIC_URL":        s.api,
		"PASSPORT_SHUTDOWN_TIMEOUT":  "3s",
		"PASSPORT_LOG_LEVEL":         "warn",
	}
	getenv := func(k string) string { return env[k] }
	add := func(name string, addr string, args ...string) *faultProc {
		e := []string{asCommand + "=1", "PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}
		for k, v := range env {
			e = append(e, k+"="+v)
		}
		e = append(e, "PASSPORT_HTTP_ADDR="+addr)
		p := &faultProc{name: name, args: args, env: e, logs: &syncBuffer{}}
		s.procs[name] = p
		return p
	}
	s.start(add("temporal", "127.0.0.1:0", "temporal"))
	eventually(t, "temporal", func() bool { return strings.Contains(s.procs["temporal"].logs.String(), "Temporal listening") })
	var out bytes.Buffer
	if err := run(t.Context(), []string{"migrate"}, getenv, &out, &out); err != nil {
		t.Fatalf("migrate: %v\n%s", err, out.String())
	}
	for _, tr := range [][]string{{"RJ1", "Guy's and St Thomas'"}, {"RRK", "University Hospitals Birmingham"}} {
		out.Reset()
		if err := run(t.Context(), []string{"trusts", "add", "-ods", tr[0], "-name", tr[1], "-email", "hr@" + strings.ToLower(tr[0]) + ".nhs.uk"}, getenv, &out, &out); err != nil {
			t.Fatalf("trusts add: %v %s", err, out.String())
		}
		out.Reset()
		if err := run(t.Context(), []string{"keys", "create", "-trust", tr[0], "-role", "hr"}, getenv, &out, &out); err != nil {
			t.Fatalf("keys create: %v %s", err, out.String())
		}
		s.keys[tr[0]] = strings.TrimSpace(out.String())
	}
	s.start(add("api", apiAddr, "api"))
	for i := 1; i <= 2; i++ {
		s.start(add(fmt.Sprintf("worker-%d", i), fmt.Sprintf("127.0.0.1:%d", testenv.FreePortRange(t, 1)), "worker"))
	}
	eventually(t, "api ready", func() bool {
		res, err := http.Get(s.api + "/readyz")
		if err != nil {
			return false
		}
		res.Body.Close()
		return res.StatusCode == http.StatusOK
	})
	t.Cleanup(func() {
		for _, p := range s.procs {
			s.kill(p)
		}
	})
	return s
}

func (s *faultSystem) start(p *faultProc) {
	s.t.Helper()
	p.cmd = exec.Command(os.Args[0], p.args...)
	p.cmd.Env = p.env
	p.cmd.SysProcAttr = childAttrs()
	p.cmd.Stdout, p.cmd.Stderr = p.logs, p.logs
	if err := p.cmd.Start(); err != nil {
		s.t.Fatalf("start %s: %v", p.name, err)
	}
	done := make(chan struct{})
	p.done = done
	cmd := p.cmd
	go func() { _ = cmd.Wait(); close(done) }()
}

// kill ends a process at once, as a crash or the OOM killer would.
func (s *faultSystem) kill(p *faultProc) {
	if p.cmd == nil || p.cmd.Process == nil {
		return
	}
	_ = p.cmd.Process.Kill()
	<-p.done
}

// outage runs a fault for d: begin, wait, end. Answers during it, and for
// a while after (the service finding its feet again), may be 5xx.
func (s *faultSystem) outage(what string, d time.Duration, begin, end func()) {
	s.faults.Add(1)
	s.t.Logf("%s for %s", what, d)
	begin()
	time.Sleep(d)
	end()
	s.calm.Store(time.Now().Add(10 * time.Second).UnixNano())
	s.faults.Add(-1)
}

func (s *faultSystem) inFault() bool {
	return s.faults.Load() > 0 || time.Now().UnixNano() < s.calm.Load()
}

// do makes one request, retrying what an outage makes fail (no answer,
// 5xx, 429) for up to five minutes, as a patient client would; 5xx
// outside a fault's window are counted.
func (s *faultSystem) do(trust, method, p, body string, out any) (int, error) {
	deadline := time.Now().Add(s.patience)
	for {
		req, _ := http.NewRequest(method, s.api+p, strings.NewReader(body))
		if trust != "" {
			req.Header.Set("Authorization", "Bearer "+s.keys[trust])
		}
		req.Header.Set("Content-Type", "application/json")
		if method == http.MethodPost && strings.HasPrefix(p, "/api/v1/moves") && !strings.Contains(p, "/shares/") {
			req.Header.Set("Idempotency-Key", fmt.Sprintf("%x", sha256.Sum256([]byte(body))))
		}
		res, err := s.client.Do(req)
		code := 0
		var data []byte
		if err == nil {
			code = res.StatusCode
			data, _ = io.ReadAll(res.Body)
			res.Body.Close()
			if code >= 500 {
				if s.inFault() {
					s.fiveXXInside.Add(1)
				} else {
					s.fiveXXOutside.Add(1)
					s.t.Logf("%d outside a fault: %s %s: %.200s", code, method, p, data)
				}
			}
		}
		if err == nil && code < 500 && code != http.StatusTooManyRequests {
			if raw, ok := out.(*[]byte); ok {
				*raw = data
				return code, nil
			}
			if out != nil && code < 300 {
				if err := json.Unmarshal(data, out); err != nil {
					return code, err
				}
			}
			return code, nil
		}
		if time.Now().After(deadline) {
			return code, fmt.Errorf("%s %s: no answer within %s (%d, %v)", method, p, s.patience, code, err)
		}
		time.Sleep(time.Second)
	}
}

func (s *faultSystem) must(trust, method, p, body string, out any) {
	s.t.Helper()
	if code, err := s.do(trust, method, p, body, out); err != nil || code >= 300 {
		s.t.Fatalf("%s %s: %d %v", method, p, code, err)
	}
}

// waitFor polls until ok or the system's patience runs out.
func (s *faultSystem) waitFor(what string, ok func() bool) error {
	deadline := time.Now().Add(s.patience)
	for !ok() {
		if time.Now().After(deadline) {
			return fmt.Errorf("%s: not within %s", what, s.patience)
		}
		time.Sleep(500 * time.Millisecond)
	}
	return nil
}

// token finds the link in the newest email to the person about want.
func (s *faultSystem) token(to, want string) (string, error) {
	var link string
	err := s.waitFor("email to "+to+" about "+want, func() bool {
		for _, m := range s.box.Messages() {
			if m.To == to && strings.Contains(m.Subject, want) && len(m.Links) > 0 {
				link = m.Links[0]
				return true
			}
		}
		return false
	})
	return path.Base(link), err
}

// answer gives a person's answer through their link. A retry of an
// answer the move took already (its first attempt's reply lost in an
// outage) may be refused as a used link or a step passed; a refusal
// because the move was "not waiting" at the very step the email asked
// for is a failure (a prompt answer must be taken).
func (s *faultSystem) answer(what, stage, p, body string) error {
	var raw []byte
	code, err := s.do("", "POST", p, body, &raw)
	switch {
	case err != nil:
		return fmt.Errorf("%s: %w", what, err)
	case code < 300:
		return nil
	case bytes.Contains(raw, []byte("not waiting")) && bytes.Contains(raw, []byte("(it is at "+stage+")")):
		return fmt.Errorf("%s refused although the email had asked for it: %d %s", what, code, raw)
	case code == http.StatusConflict || code == http.StatusNotFound || code == http.StatusGone:
		return nil
	}
	return fmt.Errorf("%s: %d %s", what, code, raw)
}

// driveMove takes one move from start to completion as its people would.
func (s *faultSystem) driveMove(i int, email string) (string, error) {
	want := `["identity","dbs_check","core_skills_training"]`
	var mv struct{ ID string }
	start := time.Now().AddDate(0, 1, 0).Format(time.DateOnly)
	body := fmt.Sprintf(`{"staff":{"email":%q,"given_name":"Fault","family_name":"Person%d","staff_group":"temporary_mover"},"receiving_trust":"RRK","kind":"temporary_move","start_date":%q,"end_date":%q,"requested_credentials":%s}`,
		email, i, start, time.Now().AddDate(0, 3, 0).Format(time.DateOnly), want)
	if code, err := s.do("RJ1", "POST", "/api/v1/moves", body, &mv); err != nil || code >= 300 {
		return "", fmt.Errorf("start: %d %v", code, err)
	}
	tok, err := s.token(email, "has started your move")
	if err != nil {
		return mv.ID, err
	}
	if err := s.answer("accept", "invite", "/api/v1/links/"+tok+"/accept", ""); err != nil {
		return mv.ID, err
	}
	if tok, err = s.token(email, "Choose what to share"); err != nil {
		return mv.ID, err
	}
	if err := s.answer("consent", "consent", "/api/v1/links/"+tok+"/consent", `{"credential_types":`+want+`}`); err != nil {
		return mv.ID, err
	}
	var view struct {
		Status string
		Stage  string
		Shares []struct {
			ID       string
			Decision string
		}
	}
	look := func() bool { _, err := s.do("RRK", "GET", "/api/v1/moves/"+mv.ID, "", &view); return err == nil }
	if err := s.waitFor("acceptance", func() bool { return look() && view.Stage == "acceptance" && len(view.Shares) > 0 }); err != nil {
		return mv.ID, fmt.Errorf("%w (stage %s)", err, view.Stage)
	}
	// The receiving trust's system decides each share; one still pending
	// afterwards (its answer refused while a fault was on, say) is decided
	// again, as a client that reads the move back would. Each refusal is
	// logged with its reason.
	decide := func() error {
		for _, sh := range view.Shares {
			if sh.Decision != "" && sh.Decision != string(models.DecisionPending) {
				continue
			}
			var body []byte
			code, err := s.do("RRK", "POST", "/api/v1/moves/"+mv.ID+"/shares/"+sh.ID+"/decision", `{"decision":"accepted"}`, &body)
			if err != nil || (code >= 300 && code != http.StatusConflict) {
				return fmt.Errorf("decide: %d %v", code, err)
			}
			if code == http.StatusConflict {
				s.t.Logf("move %s: a decision refused: %.200s", mv.ID, body)
			}
		}
		return nil
	}
	if err := decide(); err != nil {
		return mv.ID, err
	}
	decided := time.Now()
	if err := s.waitFor("completion", func() bool {
		if !look() {
			return false
		}
		if view.Status == string(models.MoveActive) && view.Stage == "acceptance" && time.Since(decided) > 10*time.Second {
			_ = decide()
			decided = time.Now()
		}
		return view.Status == string(models.MoveCompleted)
	}); err != nil {
		return mv.ID, fmt.Errorf("%w (status %s, stage %s)", err, view.Status, view.Stage)
	}
	// The completion emails, once the workers have sent them.
	return mv.ID, s.waitFor("completion email", func() bool {
		for _, m := range s.box.Messages() {
			if m.To == email && strings.Contains(m.Subject, "is complete") {
				return true
			}
		}
		return false
	})
}
