package main

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/nhs-staff-passport/passport/internal/devtemporal"
	"github.com/nhs-staff-passport/passport/internal/testenv"
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
