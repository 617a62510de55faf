package main

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nhs-staff-passport/passport/internal/demo"
	"github.com/nhs-staff-passport/passport/internal/devtemporal"
	"github.com/nhs-staff-passport/passport/internal/moves"
	"github.com/nhs-staff-passport/passport/internal/testenv"
	"github.com/nhs-staff-passport/passport/workflows"
)

func demoKey(t testing.TB, dir, trust, role string) string {
	t.Helper()
	var keys []demo.Key
	data, err := os.ReadFile(filepath.Join(dir, "demo-keys.json"))
	if err != nil {
		t.Fatal(err)
	}
	_ = json.Unmarshal(data, &keys)
	for _, k := range keys {
		if k.Trust == trust && string(k.Role) == role {
			return k.Key
		}
	}
	t.Fatalf("no demo key for %s %s", trust, role)
	return ""
}

// rotationResult is a rotation upload as the API shows it.
type rotationResult struct {
	ID             string
	Status         string
	Total          int
	Started        int `json:"started"`
	AlreadyStarted int `json:"already_started"`
	Invalid        int
	NotTried       int `json:"not_tried"`
	Pending        int
	Rows           []struct {
		Row    int
		Result string
		MoveID string `json:"move_id"`
		Errors []struct{ Field string }
	}
}

// finished polls an upload until its job is done.
func finished(t testing.TB, url, key string) rotationResult {
	t.Helper()
	return finishedWithin(t, url, key, 2*time.Minute)
}

func finishedWithin(t testing.TB, url, key string, within time.Duration) rotationResult {
	t.Helper()
	var res rotationResult
	deadline := time.Now().Add(within)
	for {
		res = rotationResult{}
		code, body := upload(t, url+"?summary=true", key, "")
		if err := json.Unmarshal([]byte(body), &res); err != nil || code != http.StatusOK {
			t.Fatalf("GET %s: %d %s", url, code, body)
		}
		if res.Status == "done" {
			res = rotationResult{}
			code, body = upload(t, url, key, "")
			if err := json.Unmarshal([]byte(body), &res); err != nil || code != http.StatusOK || len(res.Rows) != res.Total {
				t.Fatalf("GET %s: %d %.300s", url, code, body)
			}
			return res
		}
		if time.Now().After(deadline) {
			t.Fatalf("the upload is still %s after %s: %d pending", res.Status, within, res.Pending)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// upload sends a CSV file (or, with no body, asks for url).
func upload(t testing.TB, url, key, csvBody string) (int, string) {
	t.Helper()
	code, body, _ := uploadAt(t, url, key, csvBody)
	return code, body
}

// uploadAt is upload, with the answer's Location.
func uploadAt(t testing.TB, url, key, csvBody string) (int, string, string) {
	t.Helper()
	method := "POST"
	if csvBody == "" {
		method = "GET"
	}
	req, _ := http.NewRequest(method, url, strings.NewReader(csvBody))
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "text/csv")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(body), res.Header.Get("Location")
}

// TestRotationUpload sends a deanery's CSV with good, bad and duplicate
// rows, then the same file again.
func TestRotationUpload(t *testing.T) {
	dir := t.TempDir()
	d := startTestDev(t, devConfig(t, dir, testenv.FreePortRange(t, devtemporal.PortsUsed)))
	defer d.stop()
	key := demoKey(t, dir, "RJ1", "hr")
	start := time.Now().AddDate(0, 2, 0).Format("2006-01-02")
	file := "email,given_name,family_name,staff_group,receiving_trust,start_date,registration_body,registration_number\n" +
		"a.one@nhs.net,Ada,One,doctor_in_training,RRK," + start + ",GMC,7000001\n" +
		"b.two@nhs.net,Ben,Two,doctor_in_training,R0A," + start + ",,\n" +
		"not-an-email,Cal,Three,doctor_in_training,RRK," + start + ",,\n" +
		"d.four@nhs.net,Dee,Four,doctor_in_training,ZZZ,next week,,\n" +
		"a.one@nhs.net,Ada,One,doctor_in_training,RRK," + start + ",GMC,7000001\n"
	url := d.baseURL() + "/api/v1/rotations"

	code, body, loc := uploadAt(t, url, key, file)
	var res rotationResult
	if err := json.Unmarshal([]byte(body), &res); err != nil || code != http.StatusAccepted || !strings.HasPrefix(loc, "/api/v1/rotations/") {
		t.Fatalf("upload: %d %s (Location %q)", code, body, loc)
	}
	// Answered at once: the rows at fault in their own fields already say
	// so; the rest start in the background.
	if res.Total != 5 || res.Invalid != 2 || res.Rows[2].Result != "invalid" || res.Rows[3].Result != "invalid" {
		t.Errorf("the upload's answer: %s", body)
	}
	res = finished(t, d.baseURL()+loc, key)
	if res.Started != 2 || res.AlreadyStarted != 1 || res.Invalid != 2 || res.Pending != 0 {
		t.Errorf("first upload: %+v", res)
	}
	if res.Rows[0].Result != "started" || res.Rows[4].Result != "already_started" || res.Rows[4].MoveID != res.Rows[0].MoveID {
		t.Errorf("the same row twice in a file: the first starts, the second is its move: %+v", res.Rows)
	}
	fields := func(row int) string {
		var f []string
		for _, e := range res.Rows[row-1].Errors {
			f = append(f, e.Field)
		}
		return strings.Join(f, ",")
	}
	if !strings.Contains(fields(3), "staff.email") || !strings.Contains(fields(4), "receiving_trust") || !strings.Contains(fields(4), "start_date") {
		t.Errorf("row errors: 3=%s 4=%s", fields(3), fields(4))
	}
	if code := call(t, demoKey(t, dir, "RRK", "hr"), "GET", d.baseURL()+loc, "", nil); code != http.StatusNotFound {
		t.Errorf("another trust reads the upload: %d", code)
	}

	// Each move's first step waits until the upload has been answered.
	desc, err := d.svc.temporal.DescribeWorkflowExecution(t.Context(), workflows.WorkflowID(res.Rows[0].MoveID), "")
	if err != nil {
		t.Fatal(err)
	}
	info := desc.WorkflowExecutionInfo
	if held := info.ExecutionTime.AsTime().Sub(info.StartTime.AsTime()); held != moves.DefaultRotationStartDelay {
		t.Errorf("a rotation's move starts its work %v after it is recorded, want %v", held, moves.DefaultRotationStartDelay)
	}

	_, _, loc = uploadAt(t, url, key, file)
	if res = finished(t, d.baseURL()+loc, key); res.Started != 0 || res.AlreadyStarted != 3 {
		t.Errorf("the same file again must start nothing: %+v", res)
	}
	// A row changed since is not the move its key started: it says so.
	_, _, loc = uploadAt(t, url, key, strings.Replace(file, "b.two@nhs.net,Ben,Two", "b.two@nhs.net,Benjamin,Two", 1))
	if res = finished(t, d.baseURL()+loc, key); res.Rows[1].Result != "invalid" || fields(2) != "row" || res.AlreadyStarted != 2 {
		t.Errorf("a row changed since its upload: %+v", res)
	}
	code, body = upload(t, d.baseURL()+loc+"?format=csv", key, "")
	if code != http.StatusOK || !strings.HasPrefix(body, "row,result,field,reason\n") || !strings.Contains(body, "3,invalid,staff.email,") ||
		!strings.Contains(body, "2,invalid,row,") {
		t.Errorf("failures as CSV: %d\n%s", code, body)
	}
	if code, body := upload(t, url, key, "name,age\nx,1\n"); code != http.StatusUnprocessableEntity || !strings.Contains(body, "email") {
		t.Errorf("a file with the wrong columns: %d %s", code, body)
	}

	// R0A is suspended and its one active move (Ben's) cancelled.
	op := demoKey(t, dir, "", "operator")
	api := d.baseURL() + "/api/v1"
	var sus struct {
		Cancelled int `json:"moves_cancelled"`
	}
	if code := call(t, key, "POST", api+"/trusts/R0A/suspend", `{"reason":"data breach review","in_flight":"cancel"}`, nil); code != http.StatusForbidden {
		t.Errorf("HR suspending a trust: %d", code)
	}
	if code := call(t, op, "POST", api+"/trusts/R0A/suspend", `{"reason":"data breach review","in_flight":"cancel"}`, &sus); code != http.StatusOK || sus.Cancelled != 1 {
		t.Fatalf("suspend: %d, %d moves cancelled", code, sus.Cancelled)
	}
	code, body = upload(t, url, key, "email,given_name,family_name,staff_group,receiving_trust,start_date\ne.five@nhs.net,Eve,Five,doctor_in_training,R0A,"+start+"\n")
	if code != http.StatusAccepted || !strings.Contains(body, "suspended") {
		t.Errorf("a move to a suspended trust: %d %s", code, body)
	}
	var listed []struct {
		ODS string `json:"ods_code"`
	}
	call(t, "", "GET", api+"/trusts?q=R0A", "", &listed)
	if len(listed) != 0 {
		t.Errorf("a suspended trust is listed as taking part")
	}
	if code := call(t, op, "POST", api+"/trusts/R0A/reinstate", "", nil); code != http.StatusOK {
		t.Errorf("reinstate: %d", code)
	}
	call(t, "", "GET", api+"/trusts?q=R0A", "", &listed)
	if len(listed) != 1 {
		t.Errorf("a reinstated trust is not listed")
	}

	// RRK is suspended with its moves held: Ada's move waits, told, and
	// carries on when RRK is reinstated.
	ada := res.Rows[0].MoveID
	var held struct {
		Paused  int `json:"moves_paused"`
		Resumed int `json:"moves_resumed"`
	}
	if code := call(t, op, "POST", api+"/trusts/RRK/suspend", `{"reason":"records audit","in_flight":"pause"}`, &held); code != http.StatusOK || held.Paused != 1 {
		t.Fatalf("suspend with pause: %d, %d moves held", code, held.Paused)
	}
	var mv struct {
		PendingAction string `json:"pending_action"`
		Paused        bool
	}
	eventually(t, "Ada's move shown on hold", func() bool {
		call(t, key, "GET", api+"/moves/"+ada, "", &mv)
		return mv.Paused && strings.Contains(mv.PendingAction, "records audit")
	})
	mailTo(t, d.baseURL(), "a.one@nhs.net", "is on hold")
	if code := call(t, op, "POST", api+"/trusts/RRK/reinstate", "", &held); code != http.StatusOK || held.Resumed != 1 {
		t.Fatalf("reinstate: %d, %d moves resumed", code, held.Resumed)
	}
	mailTo(t, d.baseURL(), "a.one@nhs.net", "carries on")
	mailTo(t, d.baseURL(), "a.one@nhs.net", "has started your move") // the hold woke it early
	call(t, key, "GET", api+"/moves/"+ada, "", &mv)
	if mv.Paused {
		t.Errorf("Ada's move is still on hold after RRK was reinstated")
	}
}

// BenchmarkRotation uploads a file of 1,000 and of 5,000 rows (the most
// one upload takes) through the API in dev mode and measures what the
// deanery waits for: the upload's answer, every move started (the
// rotation's job done), and the last invitation caught by the SMTP server
// (each move holds its invitation back 10 s after it starts,
// moves.DefaultRotationStartDelay). Each size runs on a fresh system.
func BenchmarkRotation(b *testing.B) {
	for _, size := range []int{1000, 5000} {
		b.Run(fmt.Sprintf("rows=%d", size), func(b *testing.B) { benchmarkRotation(b, size) })
	}
}

func benchmarkRotation(b *testing.B, size int) {
	dir := b.TempDir()
	cfg := devConfig(b, dir, testenv.FreePortRange(b, devtemporal.PortsUsed))
	d, err := startDev(b.Context(), cfg, quietLogger())
	if err != nil {
		b.Fatal(err)
	}
	defer d.stop()
	key := demoKey(b, dir, "RJ1", "hr")
	start := time.Now().AddDate(0, 2, 0).Format("2006-01-02")
	var answered, started, invited time.Duration
	for i := range b.N {
		var sb strings.Builder
		sb.WriteString("email,given_name,family_name,staff_group,receiving_trust,start_date\n")
		for r := range size {
			fmt.Fprintf(&sb, "doctor%d.%d@nhs.net,Doc,%d,doctor_in_training,RRK,%s\n", i, r, r, start)
		}
		began := time.Now()
		code, body, loc := uploadAt(b, d.baseURL()+"/api/v1/rotations", key, sb.String())
		if code != http.StatusAccepted {
			b.Fatalf("%d %.300s", code, body)
		}
		answered += time.Since(began)
		if res := finishedWithin(b, d.baseURL()+loc, key, 15*time.Minute); res.Started != size {
			b.Fatalf("started %d of %d: %+v", res.Started, size, res)
		}
		started += time.Since(began)
		prefix := fmt.Sprintf("doctor%d.", i)
		for {
			n := 0
			for _, m := range d.mailbox.Messages() {
				if strings.HasPrefix(m.To, prefix) && strings.Contains(m.Subject, "has started your move") {
					n++
				}
			}
			if n == size {
				break
			}
			if time.Since(began) > 30*time.Minute {
				b.Fatalf("%d of %d invitations after 30 minutes", n, size)
			}
			time.Sleep(500 * time.Millisecond)
		}
		invited += time.Since(began)
	}
	b.ReportMetric(answered.Seconds()/float64(b.N), "s/answer")
	b.ReportMetric(started.Seconds()/float64(b.N), "s/all-started")
	b.ReportMetric(invited.Seconds()/float64(b.N), "s/last-invitation")
}

func quietLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

// An answer the move refuses while its first step is held back (here an
// operator's retry of a step that has not failed) is refused as ever, and
// the move still sends its invitation.
func TestRotationMoveRefusesAnswersWhileHeld(t *testing.T) {
	dir := t.TempDir()
	d := startTestDev(t, devConfig(t, dir, testenv.FreePortRange(t, devtemporal.PortsUsed)))
	defer d.stop()
	start := time.Now().AddDate(0, 2, 0).Format("2006-01-02")
	key := demoKey(t, dir, "RJ1", "hr")
	code, body, loc := uploadAt(t, d.baseURL()+"/api/v1/rotations", key,
		"email,given_name,family_name,staff_group,receiving_trust,start_date\nz.zee@nhs.net,Zed,Zee,doctor_in_training,RRK,"+start+"\n")
	if code != http.StatusAccepted {
		t.Fatalf("upload: %d %s", code, body)
	}
	res := finished(t, d.baseURL()+loc, key)
	if len(res.Rows) != 1 || res.Rows[0].Result != "started" {
		t.Fatalf("upload: %+v", res)
	}
	op := demoKey(t, dir, "", "operator")
	if code := call(t, op, "POST", d.baseURL()+"/api/v1/moves/"+res.Rows[0].MoveID+"/retry", `{"step":"invite"}`, nil); code != http.StatusConflict {
		t.Errorf("retrying a step that has not failed: %d, want 409", code)
	}
	mailTo(t, d.baseURL(), "z.zee@nhs.net", "has started your move")
}

// An upload's job survives the service stopping half way: after the
// restart it carries on where it was, every row started once, and the
// rows started before the stop still read "started" (each row finds the
// move planned for it).
func TestRotationCarriesOnAfterARestart(t *testing.T) {
	dir := t.TempDir()
	cfg := devConfig(t, dir, testenv.FreePortRange(t, devtemporal.PortsUsed))
	cfg.HTTPAddr = fmt.Sprintf("127.0.0.1:%d", testenv.FreePortRange(t, 1))
	d := startTestDev(t, cfg)
	key := demoKey(t, dir, "RJ1", "hr")
	start := time.Now().AddDate(0, 2, 0).Format("2006-01-02")
	const rows = 400
	var sb strings.Builder
	sb.WriteString("email,given_name,family_name,staff_group,receiving_trust,start_date\n")
	for r := range rows {
		fmt.Fprintf(&sb, "fy%d@nhs.net,Foundation,Doctor%d,doctor_in_training,RRK,%s\n", r, r, start)
	}
	code, body, loc := uploadAt(t, d.baseURL()+"/api/v1/rotations", key, sb.String())
	if code != http.StatusAccepted {
		t.Fatalf("upload: %d %.300s", code, body)
	}
	var before rotationResult
	eventually(t, "the job under way", func() bool {
		_, body := upload(t, d.baseURL()+loc+"?summary=true", key, "")
		_ = json.Unmarshal([]byte(body), &before)
		return before.Started > 0
	})
	// The job settles a batch of 100 at a time: one is done, three wait.
	if before.Pending == 0 {
		t.Fatalf("the job had finished before the stop (%d started): the restart would prove nothing", before.Started)
	}
	if err := d.stop(); err != nil {
		t.Fatalf("stop: %v", err)
	}
	d = startTestDev(t, cfg)
	defer d.stop()
	res := finished(t, d.baseURL()+loc, key)
	moves := map[string]bool{}
	for _, r := range res.Rows {
		moves[r.MoveID] = true
	}
	if res.Started != rows || len(moves) != rows {
		t.Errorf("after a restart at %d of %d: %d started, %d already started, %d not tried, %d distinct moves",
			before.Started, rows, res.Started, res.AlreadyStarted, res.NotTried, len(moves))
	}
}
