package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"

	"github.com/nhs-staff-passport/passport/internal/devtemporal"
	"github.com/nhs-staff-passport/passport/internal/mailcatcher"
	"github.com/nhs-staff-passport/passport/internal/testenv"
)

// syncBuffer collects a process's log for the failure message.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestProductionProcessesSideBySide runs migrate, one api and two workers as
// production does, against real PostgreSQL and Redis, a Temporal server and
// an SMTP relay, and checks that work spread over both workers is done once.
func TestProductionProcessesSideBySide(t *testing.T) {
	ctx := t.Context()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))

	temporal, err := devtemporal.Start(ctx, devtemporal.Options{
		DatabaseFile: filepath.Join(t.TempDir(), "temporal.db"),
		BasePort:     testenv.FreePortRange(t, devtemporal.PortsUsed),
		Namespace:    "default",
		Logger:       quiet,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer temporal.Stop()
	box, _ := mailcatcher.OpenMailbox("")
	relay, err := mailcatcher.Start("127.0.0.1:0", box, quiet)
	if err != nil {
		t.Fatal(err)
	}
	defer relay.Close()
	rdb := testenv.Redis(t)

	env := map[string]string{
		"PASSPORT_DATABASE_URL":     testenv.PostgresDB(t),
		"PASSPORT_REDIS_ADDR":       testenv.RedisAddr(),
		"PASSPORT_REDIS_DB":         fmt.Sprint(rdb.Options().DB),
		"PASSPORT_TEMPORAL_ADDRESS": temporal.Address(),
		"PASSPORT_SMTP_URL":         "smtp://" + relay.Addr() + "?tls=none",
		"PASSPORT_SECRET_KEY":       "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
		"PASSPORT_SHUTDOWN_TIMEOUT": "3s",
	}
	// A namespace without the moves' search attributes: the API refuses to
	// start, naming them, rather than answer 503 to every move for ever.
	var early bytes.Buffer
	err = run(ctx, []string{"api"}, func(k string) string {
		if k == "PASSPORT_HTTP_ADDR" {
			return fmt.Sprintf("127.0.0.1:%d", testenv.FreePortRange(t, 1))
		}
		return env[k]
	}, &early, &early)
	if err == nil || !strings.Contains(err.Error(), "PassportMoveStatus") || !strings.Contains(err.Error(), "passport migrate") {
		t.Fatalf("api against a namespace without search attributes: %v", err)
	}
	// migrate, given the Temporal address, registers them.
	var migrateLog bytes.Buffer
	if err := run(ctx, []string{"migrate"}, func(k string) string { return env[k] }, &migrateLog, &migrateLog); err != nil {
		t.Fatalf("migrate: %v\n%s", err, migrateLog.String())
	}

	pctx, stop := context.WithCancel(ctx)
	defer stop()
	type process struct {
		name, addr string
		logs       *syncBuffer
		done       chan error
	}
	var procs []*process
	for _, name := range []string{"api", "worker", "worker"} {
		p := &process{name: name, addr: fmt.Sprintf("127.0.0.1:%d", testenv.FreePortRange(t, 1)), logs: &syncBuffer{}, done: make(chan error, 1)}
		e := map[string]string{"PASSPORT_HTTP_ADDR": p.addr}
		for k, v := range env {
			e[k] = v
		}
		go func() { p.done <- run(pctx, []string{p.name}, func(k string) string { return e[k] }, p.logs, p.logs) }()
		procs = append(procs, p)
	}
	defer func() {
		if t.Failed() {
			for _, p := range procs {
				t.Logf("%s log:\n%s", p.name, p.logs.String())
			}
		}
	}()
	for _, p := range procs {
		eventually(t, p.name+" ready", func() bool {
			res, err := http.Get("http://" + p.addr + "/readyz")
			if err != nil {
				return false
			}
			res.Body.Close()
			return res.StatusCode == http.StatusOK
		})
	}

	// Each role's readiness asks what it cannot serve without: the API
	// does not go unready with Redis (its rate limits and sign-in emails
	// fail on their own); a worker needs Redis and the relay too.
	for _, p := range procs[:2] {
		var ready struct{ Checks map[string]string }
		getJSON(t, "http://"+p.addr+"/readyz", &ready)
		want := "database temporal"
		if p.name == "worker" {
			want = "database redis smtp temporal"
		}
		if got := strings.Join(slices.Sorted(maps.Keys(ready.Checks)), " "); got != want {
			t.Errorf("%s readiness checks %q, want %q", p.name, got, want)
		}
	}

	// A Redis without an append-only file is named at a worker's start.
	if v, err := rdb.ConfigGet(ctx, "appendonly").Result(); err == nil && v["appendonly"] == "no" &&
		!strings.Contains(procs[1].logs.String(), "append-only") {
		t.Error("the worker did not warn that Redis keeps no append-only file")
	}

	// Workflows on a test queue hand their emails to whichever worker polls first.
	c, err := client.Dial(client.Options{HostPort: temporal.Address(), Logger: sdklog.NewStructuredLogger(quiet)})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	w := newTestWorker(t, c)
	defer w.Stop()
	const moves = 12
	var runs []client.WorkflowRun
	for i := range moves {
		r, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: fmt.Sprintf("prod-test-%d", i), TaskQueue: testQueue},
			waitThenEmail, fmt.Sprintf("person%d@example.org", i))
		if err != nil {
			t.Fatal(err)
		}
		if err := c.SignalWorkflow(ctx, r.GetID(), "", "proceed", nil); err != nil {
			t.Fatal(err)
		}
		runs = append(runs, r)
	}
	for _, r := range runs {
		wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		err := r.Get(wctx, nil)
		cancel()
		if err != nil {
			t.Fatalf("%s: %v", r.GetID(), err)
		}
	}
	eventually(t, "every email delivered", func() bool { return len(box.Messages()) >= moves })
	time.Sleep(300 * time.Millisecond)
	seen := map[string]int{}
	for _, m := range box.Messages() {
		seen[m.To]++
	}
	if len(seen) != moves || len(box.Messages()) != moves {
		t.Errorf("want %d emails to %d people, got %d to %d", moves, moves, len(box.Messages()), len(seen))
	}

	res, err := http.Get("http://" + procs[1].addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if !strings.Contains(string(metrics), "temporal_request_total") || !strings.Contains(string(metrics), "temporal_activity_execution_latency") {
		t.Errorf("a worker's /metrics lacks the Temporal SDK's metrics")
	}

	// SIGTERM: every process stops by itself, promptly and without error.
	stop()
	for _, p := range procs {
		select {
		case err := <-p.done:
			if err != nil {
				t.Errorf("%s stopped with %v", p.name, err)
			}
		case <-time.After(10 * time.Second):
			t.Errorf("%s did not stop within 10s", p.name)
		}
	}
}

// Requests to a Temporal server on this machine go uncompressed; to any
// other, gzipped.
func TestGRPCCompressionOnlyForRemoteServers(t *testing.T) {
	for addr, gzip := range map[string]bool{
		"127.0.0.1:7233":               false,
		"localhost:7233":               false,
		"[::1]:7233":                   false,
		"temporal:7233":                true,
		"temporal.example.nhs.uk:7233": true,
		"10.0.0.5:7233":                true,
	} {
		_, got := grpcCompression(addr).(*client.GrpcCompressionGzip)
		if got != gzip {
			t.Errorf("%s: gzip %v, want %v", addr, got, gzip)
		}
	}
}

// `passport temporal` runs the embedded server alone, with the namespace
// and the moves' search attributes, on the configured port.
func TestTemporalCommandServesANamespaceReadyForMoves(t *testing.T) {
	port := testenv.FreePortRange(t, devtemporal.PortsUsed)
	env := map[string]string{"PASSPORT_DATA_DIR": t.TempDir(), "PASSPORT_DEV_TEMPORAL_PORT": fmt.Sprint(port), "PASSPORT_LOG_LEVEL": "error"}
	ctx, stop := context.WithCancel(t.Context())
	out := &syncBuffer{}
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"temporal"}, func(k string) string { return env[k] }, out, out) }()
	eventually(t, "temporal listening", func() bool { return strings.Contains(out.String(), "Temporal listening") })
	c, err := client.Dial(client.Options{HostPort: fmt.Sprintf("127.0.0.1:%d", port), Logger: sdklog.NewStructuredLogger(slog.New(slog.DiscardHandler))})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if missing, err := missingSearchAttributes(t.Context(), c, "default"); err != nil || len(missing) != 0 {
		t.Errorf("search attributes missing: %v %v", missing, err)
	}
	stop()
	if err := <-done; err != nil {
		t.Errorf("temporal stopped with %v", err)
	}
}
