package main

import (
	"io"
	"log/slog"
	"net/http"
	"testing"

	"github.com/nhs-staff-passport/passport/internal/devtemporal"
	"github.com/nhs-staff-passport/passport/internal/testenv"
)

// benchmarkDevStart measures launch to /readyz answering ready; the stop
// after each start is not timed.
func benchmarkDevStart(b *testing.B, freshDir bool) {
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	port := testenv.FreePortRange(b, devtemporal.PortsUsed)
	dir := b.TempDir()
	if !freshDir {
		// One start first, so every timed start is a restart on existing data.
		d, err := startDev(b.Context(), devConfig(b, dir, port), quiet)
		if err != nil {
			b.Fatal(err)
		}
		_ = d.stop()
	}
	b.ResetTimer()
	for range b.N {
		if freshDir {
			b.StopTimer()
			dir = b.TempDir()
			b.StartTimer()
		}
		d, err := startDev(b.Context(), devConfig(b, dir, port), quiet)
		if err != nil {
			b.Fatal(err)
		}
		res, err := http.Get(d.baseURL() + "/readyz")
		if err != nil || res.StatusCode != http.StatusOK {
			b.Fatalf("not ready: %v %v", res, err)
		}
		res.Body.Close()
		b.StopTimer()
		if err := d.stop(); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
}

// BenchmarkDevModeFirstStart is `passport dev` on an empty data dir.
func BenchmarkDevModeFirstStart(b *testing.B) { benchmarkDevStart(b, true) }

// BenchmarkDevModeRestart is `passport dev` on the data dir of an earlier run.
func BenchmarkDevModeRestart(b *testing.B) { benchmarkDevStart(b, false) }
