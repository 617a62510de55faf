package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/client"

	"github.com/nhs-staff-passport/passport/internal/devtemporal"
	"github.com/nhs-staff-passport/passport/internal/testenv"
	"github.com/nhs-staff-passport/passport/models"
	"github.com/nhs-staff-passport/passport/workflows"
)

// latencies runs f b.N times from `clients` goroutines and reports the
// p50 and p99 of one call.
func latencies(b *testing.B, clients int, f func(i int) error) {
	var (
		mu   sync.Mutex
		all  []time.Duration
		next atomic.Int64
		wg   sync.WaitGroup
		fail atomic.Value
	)
	b.ResetTimer()
	for range clients {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= b.N {
					return
				}
				start := time.Now()
				if err := f(i); err != nil {
					fail.Store(err)
					return
				}
				d := time.Since(start)
				mu.Lock()
				all = append(all, d)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	b.StopTimer()
	if err, _ := fail.Load().(error); err != nil {
		b.Fatal(err)
	}
	slices.Sort(all)
	pct := func(p float64) float64 { return float64(all[int(p*float64(len(all)-1))].Microseconds()) / 1000 }
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
}

// BenchmarkStartMoveHTTP is POST /api/v1/moves from 20 clients at once, in
// dev mode: validation, passport, read model, audit and the workflow start.
func BenchmarkStartMoveHTTP(b *testing.B) {
	dir := b.TempDir()
	d, err := startDev(b.Context(), devConfig(b, dir, testenv.FreePortRange(b, devtemporal.PortsUsed)), quietLogger())
	if err != nil {
		b.Fatal(err)
	}
	defer d.stop()
	key := demoKey(b, dir, "RJ1", "hr")
	url := d.baseURL() + "/api/v1/moves"
	start := time.Now().AddDate(0, 1, 0).Format("2006-01-02")
	tag := time.Now().UnixNano()
	latencies(b, 20, func(i int) error {
		body := fmt.Sprintf(`{"staff":{"email":"s%d.%d@nhs.net","given_name":"S","family_name":"%d","staff_group":"temporary_mover"},
			"receiving_trust":"RRK","kind":"rotation","start_date":"%s"}`, tag, i, i, start)
		req, _ := http.NewRequest("POST", url, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+key)
		req.Header.Set("Content-Type", "application/json")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		res.Body.Close()
		if res.StatusCode != http.StatusCreated {
			return fmt.Errorf("status %d", res.StatusCode)
		}
		return nil
	})
}

// BenchmarkStartWorkflowSDK is the floor for BenchmarkStartMoveHTTP: a bare
// workflow start through the SDK on the same embedded server.
func BenchmarkStartWorkflowSDK(b *testing.B) {
	d, err := startDev(b.Context(), devConfig(b, b.TempDir(), testenv.FreePortRange(b, devtemporal.PortsUsed)), quietLogger())
	if err != nil {
		b.Fatal(err)
	}
	defer d.stop()
	c := d.svc.temporal
	tag := time.Now().UnixNano()
	latencies(b, 20, func(i int) error {
		_, err := c.ExecuteWorkflow(context.Background(), client.StartWorkflowOptions{
			ID: fmt.Sprintf("sdk-start-%d-%d", tag, i), TaskQueue: "nobody-polls-this",
		}, "NoSuchWorkflow")
		return err
	})
}

// BenchmarkStartMoveWorkflowSDK is the like-for-like floor for
// BenchmarkStartMoveHTTP: the same move workflow started straight through
// the SDK, with the worker running it as it runs the API's (so each start
// brings the same invitation work after it), the person and the move
// recorded beforehand. What BenchmarkStartMoveHTTP adds over it is the
// API's own share: HTTP, the key, validation and the read model.
func BenchmarkStartMoveWorkflowSDK(b *testing.B) {
	d, err := startDev(b.Context(), devConfig(b, b.TempDir(), testenv.FreePortRange(b, devtemporal.PortsUsed)), quietLogger())
	if err != nil {
		b.Fatal(err)
	}
	defer d.stop()
	ctx := context.Background()
	start := time.Now().AddDate(0, 1, 0).UTC().Truncate(24 * time.Hour)
	requested := []models.CredentialType{models.CredIdentity, models.CredDBSCheck}
	inputs := make([]workflows.MoveInput, b.N)
	for i := range b.N {
		p, _, err := d.svc.store.FindOrCreatePassport(ctx, models.StaffDetails{Email: fmt.Sprintf("sdk%d@nhs.net", i), GivenName: "S", FamilyName: fmt.Sprint(i)})
		if err != nil {
			b.Fatal(err)
		}
		now := time.Now().UTC()
		mv := models.Move{ID: uuid.NewString(), SendingODS: "RJ1", ReceivingODS: "RRK", PassportID: p.ID, Kind: models.KindRotation,
			StaffGroup: models.GroupTemporaryMover, StartDate: start, Requested: "identity,dbs_check", Status: models.MoveActive,
			Stage: models.StepInvite, CreatedAt: now, UpdatedAt: now}
		if _, _, err := d.svc.store.CreateMove(ctx, &mv); err != nil {
			b.Fatal(err)
		}
		inputs[i] = workflows.MoveInput{MoveID: mv.ID, PassportID: p.ID, SendingTrust: "RJ1", ReceivingTrust: "RRK",
			Kind: models.KindRotation, StaffGroup: models.GroupTemporaryMover, StartDate: start, Requested: requested,
			Policy: models.DefaultMovePolicy()}
	}
	c := d.svc.temporal
	latencies(b, 20, func(i int) error {
		_, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: workflows.WorkflowID(inputs[i].MoveID), TaskQueue: d.cfg.TemporalTaskQueue,
			TypedSearchAttributes: workflows.StartSearchAttributes(inputs[i])}, workflows.MoveWorkflowName, inputs[i])
		return err
	})
}

// BenchmarkListMovesHTTP is GET /api/v1/moves (first page, filtered) from
// 20 clients at once in dev mode, on SQLite holding 5,000 of the trust's
// moves.
func BenchmarkListMovesHTTP(b *testing.B) {
	dir := b.TempDir()
	d, err := startDev(b.Context(), devConfig(b, dir, testenv.FreePortRange(b, devtemporal.PortsUsed)), quietLogger())
	if err != nil {
		b.Fatal(err)
	}
	defer d.stop()
	ctx := context.Background()
	p, _, err := d.svc.store.FindOrCreatePassport(ctx, models.StaffDetails{Email: "list@nhs.net", GivenName: "L", FamilyName: "Ist"})
	if err != nil {
		b.Fatal(err)
	}
	base := time.Now().UTC().Add(-time.Hour)
	for i := range 5000 {
		at := base.Add(time.Duration(i) * time.Millisecond)
		stage, on := models.StepConsent, models.WaitingStaff
		if i%3 == 0 {
			stage, on = models.StepAcceptance, models.WaitingReceivingTrust
		}
		mv := models.Move{ID: uuid.NewString(), SendingODS: "RJ1", ReceivingODS: "RRK", PassportID: p.ID, Kind: models.KindRotation,
			StaffGroup: models.GroupDoctorInTraining, StartDate: at, Requested: "identity", Status: models.MoveActive,
			Stage: stage, WaitingOn: on, CreatedAt: at, UpdatedAt: at}
		if _, _, err := d.svc.store.CreateMove(ctx, &mv); err != nil {
			b.Fatal(err)
		}
	}
	key := demoKey(b, dir, "RJ1", "hr")
	url := d.baseURL() + "/api/v1/moves?direction=out&status=active&waiting_on=staff&limit=25"
	latencies(b, 20, func(int) error {
		req, _ := http.NewRequest("GET", url, nil)
		req.Header.Set("Authorization", "Bearer "+key)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK || !strings.Contains(string(body), `"stage":"consent"`) {
			return fmt.Errorf("status %d: %.200s", res.StatusCode, body)
		}
		return nil
	})
}
