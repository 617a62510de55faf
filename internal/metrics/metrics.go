// Package metrics is the process's Prometheus registry: Go runtime and
// process metrics, HTTP request metrics, and the Temporal SDK's own metrics
// (reported through tally).
package metrics

import (
	"errors"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/uber-go/tally/v4"
	tallyprom "github.com/uber-go/tally/v4/prometheus"
	"go.temporal.io/sdk/client"
	sdktally "go.temporal.io/sdk/contrib/tally"
)

// Metrics holds the registry and the handles the rest of the process reports to.
type Metrics struct {
	registry *prometheus.Registry
	closer   io.Closer

	// Temporal is handed to the SDK client in client.Options.MetricsHandler.
	Temporal client.MetricsHandler
	// HTTPRequests counts requests by method, route and status.
	HTTPRequests *prometheus.CounterVec
	// HTTPDuration observes request latency by method and route.
	HTTPDuration *prometheus.HistogramVec
}

// New builds a registry. Close it to stop the SDK metrics reporter.
func New(log *slog.Logger) *Metrics {
	reg := prometheus.NewRegistry()
	reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	reporter := tallyprom.NewReporter(tallyprom.Options{
		Registerer:       reg,
		DefaultTimerType: tallyprom.HistogramTimerType,
		OnRegisterError: func(err error) {
			log.Warn("metric not registered", "err", err)
		},
	})
	scope, closer := tally.NewRootScope(tally.ScopeOptions{
		CachedReporter:  reporter,
		Separator:       tallyprom.DefaultSeparator,
		SanitizeOptions: &tallyprom.DefaultSanitizerOpts,
	}, time.Second)

	m := &Metrics{
		registry: reg,
		closer:   closer,
		Temporal: sdktally.NewMetricsHandler(sdktally.NewPrometheusNamingScope(scope)),
		HTTPRequests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "passport_http_requests_total",
			Help: "HTTP requests answered, by method, route and status code.",
		}, []string{"method", "route", "status"}),
		HTTPDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "passport_http_request_duration_seconds",
			Help:    "Time to answer an HTTP request, by method and route.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"method", "route"}),
	}
	reg.MustRegister(m.HTTPRequests, m.HTTPDuration)
	return m
}

// Register adds collectors of the process's own (the outbox's figures,
// say); one registered twice is kept once.
func (m *Metrics) Register(cs ...prometheus.Collector) {
	for _, c := range cs {
		if err := m.registry.Register(c); err != nil && !errors.As(err, new(prometheus.AlreadyRegisteredError)) {
			panic(err) // a clash of metric names: a bug
		}
	}
}

// Handler serves the registry in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{Registry: m.registry})
}

// Close flushes and stops the SDK metrics reporter.
func (m *Metrics) Close() error { return m.closer.Close() }
