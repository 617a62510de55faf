package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"

	"github.com/nhs-staff-passport/passport/activities"
	"github.com/nhs-staff-passport/passport/api"
	"github.com/nhs-staff-passport/passport/internal/admin"
	"github.com/nhs-staff-passport/passport/internal/config"
	"github.com/nhs-staff-passport/passport/internal/credentials"
	"github.com/nhs-staff-passport/passport/internal/edge"
	"github.com/nhs-staff-passport/passport/internal/expiry"
	"github.com/nhs-staff-passport/passport/internal/jobs"
	"github.com/nhs-staff-passport/passport/internal/linktoken"
	"github.com/nhs-staff-passport/passport/internal/mail"
	"github.com/nhs-staff-passport/passport/internal/metrics"
	"github.com/nhs-staff-passport/passport/internal/moves"
	"github.com/nhs-staff-passport/passport/internal/outbox"
	"github.com/nhs-staff-passport/passport/internal/store"
	"github.com/nhs-staff-passport/passport/internal/webhooks"
	"github.com/nhs-staff-passport/passport/web"
	"github.com/nhs-staff-passport/passport/worker"
)

// services are the connections an api or worker process holds. Dev mode
// makes the same set, pointed at its embedded servers.
type services struct {
	cfg      config.Config
	log      *slog.Logger
	metrics  *metrics.Metrics
	store    *store.Store
	redis    redis.UniversalClient
	queue    *asynq.Client // shares redis; closing redis closes it
	email    *jobs.Enqueuer
	temporal client.Client
	creds    *credentials.Service
	links    *linktoken.Signer
	moves    *moves.Service
	webhooks *webhooks.Service
	outbox   *outbox.Outbox
}

func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// connect opens the database, Redis and Temporal, waiting up to a minute
// for each to come up (containers start in any order).
func connect(ctx context.Context, cfg config.Config, log *slog.Logger) (_ *services, err error) {
	s := &services{cfg: cfg, log: log, metrics: metrics.New(log)}
	defer func() {
		if err != nil {
			s.close()
		}
	}()
	if s.store, err = retry(ctx, log, "database", func(ctx context.Context) (*store.Store, error) {
		return store.Open(ctx, cfg.DatabaseURL)
	}); err != nil {
		return nil, err
	}
	s.redis = redis.NewClient(&redis.Options{Addr: cfg.RedisAddr, Password: cfg.RedisPassword, DB: cfg.RedisDB})
	if _, err = retry(ctx, log, "redis", func(ctx context.Context) (string, error) {
		return s.redis.Ping(ctx).Result()
	}); err != nil {
		return nil, err
	}
	s.queue = asynq.NewClientFromRedisClient(s.redis)
	s.email = jobs.NewEnqueuer(s.queue)
	secret, err := config.DecodeSecretKey(cfg.SecretKey)
	if err != nil {
		return nil, fmt.Errorf("%sSECRET_KEY: %w", config.Prefix, err)
	}
	if s.creds, err = credentials.New(s.store, secret, cfg.PublicURL, nil); err != nil {
		return nil, err
	}
	if s.links, err = linktoken.NewSigner(secret); err != nil {
		return nil, err
	}
	if s.webhooks, err = webhooks.New(s.store, secret, s.email); err != nil {
		return nil, err
	}
	deliveries := jobs.NewDeliveries(asynq.NewInspectorFromRedisClient(s.redis))
	if s.outbox, err = outbox.New(s.store, s.email, deliveries, secret, log.With("component", "outbox")); err != nil {
		return nil, err
	}
	if s.temporal, err = retry(ctx, log, "temporal", func(ctx context.Context) (client.Client, error) {
		return client.DialContext(ctx, client.Options{
			HostPort:          cfg.TemporalAddress,
			Namespace:         cfg.TemporalNamespace,
			Logger:            sdklog.NewStructuredLogger(log.With("component", "temporal-sdk")),
			MetricsHandler:    s.metrics.Temporal,
			ConnectionOptions: client.ConnectionOptions{GrpcCompression: grpcCompression(cfg.TemporalAddress)},
		})
	}); err != nil {
		return nil, err
	}
	s.moves = &moves.Service{Store: s.store, Log: log, Credentials: s.creds, Temporal: s.temporal, TaskQueue: cfg.TemporalTaskQueue, Links: s.links,
		RotationStartDelay: moves.DefaultRotationStartDelay, RetryWindow: cfg.RetryWindow}
	return s, nil
}

// grpcCompression gzips requests to a remote Temporal server but not to
// one on this machine (dev mode's, above all), where compressing every
// request only spends CPU.
func grpcCompression(hostPort string) client.GrpcCompression {
	host, _, err := net.SplitHostPort(hostPort)
	if err != nil {
		host = hostPort
	}
	if ip := net.ParseIP(host); host == "localhost" || (ip != nil && ip.IsLoopback()) {
		return &client.GrpcCompressionNone{}
	}
	return &client.GrpcCompressionGzip{}
}

// retry calls f until it succeeds, ctx ends or a minute has passed.
func retry[T any](ctx context.Context, log *slog.Logger, what string, f func(context.Context) (T, error)) (T, error) {
	deadline := time.Now().Add(time.Minute)
	for attempt := 1; ; attempt++ {
		actx, cancel := context.WithTimeout(ctx, 10*time.Second)
		v, err := f(actx)
		cancel()
		if err == nil {
			return v, nil
		}
		if ctx.Err() != nil || time.Now().After(deadline) {
			var zero T
			return zero, fmt.Errorf("connect to %s: %w", what, err)
		}
		if attempt == 1 {
			log.Warn("waiting for "+what, "err", err)
		}
		select {
		case <-ctx.Done():
		case <-time.After(time.Second):
		}
	}
}

// readiness lists what /readyz checks: what the process cannot serve
// without. The API needs the database and Temporal (Redis carries only
// its rate limits and sign-in emails, which fail on their own without
// making every other request fail); a worker also needs Redis and the mail
// relay (reached, not sent to). Dev mode runs both in one process.
func (s *services) readiness(relay *config.SMTP) []api.Check {
	checks := []api.Check{
		{Name: "database", Check: s.store.Ping},
		{Name: "temporal", Check: func(ctx context.Context) error {
			_, err := s.temporal.CheckHealth(ctx, &client.CheckHealthRequest{})
			return err
		}},
	}
	if relay == nil {
		return checks
	}
	return append(checks,
		api.Check{Name: "redis", Check: func(ctx context.Context) error { return s.redis.Ping(ctx).Err() }},
		api.Check{Name: "smtp", Check: func(ctx context.Context) error {
			conn, err := (&net.Dialer{}).DialContext(ctx, "tcp", net.JoinHostPort(relay.Host, strconv.Itoa(relay.Port)))
			if err == nil {
				_ = conn.Close()
			}
			return err
		}})
}

// expiryJob is the daily credential expiry job (and the notice a
// revocation sends at once).
func (s *services) expiryJob() *expiry.Job {
	return &expiry.Job{Store: s.store, Email: s.email, Webhooks: s.webhooks, PublicURL: s.cfg.PublicURL, Log: s.log}
}

// london is the zone the daily jobs keep time in (the binary carries the
// zone database, so a container without one still has it).
func london() *time.Location {
	if loc, err := time.LoadLocation("Europe/London"); err == nil {
		return loc
	}
	return time.UTC
}

// httpHandler is the API process's router: the JSON API and the pages,
// acting through one set of services. devMailbox (development mode only)
// adds the mailbox pages.
func (s *services) httpHandler(devMailbox web.DevMailbox, dev bool, relay *config.SMTP) http.Handler {
	deliveries := jobs.NewDeliveries(asynq.NewInspectorFromRedisClient(s.redis))
	adm := &admin.Service{Store: s.store, Moves: s.moves, Deliveries: deliveries}
	ao := api.Options{Logger: s.log, Metrics: s.metrics, Ready: s.readiness(relay),
		Store: s.store, Credentials: s.creds, Admin: adm, Moves: s.moves, IdentityCallbackSecret: []byte(s.cfg.IdentityCallbackSecret),
		Deliveries: deliveries, Webhooks: s.webhooks, PublicURL: s.cfg.PublicURL, DevMode: dev, Notices: s.expiryJob(),
		TrustedProxies: s.cfg.TrustedProxyList()}
	eo := ao.Edge()
	eo.Page = web.ProblemPage
	r := edge.NewEngine(eo)
	api.Mount(r, ao)
	web.Mount(r, web.Options{Logger: s.log, DevMailbox: devMailbox, Store: s.store, Credentials: s.creds, Admin: adm, Moves: s.moves,
		Webhooks: s.webhooks, Deliveries: deliveries, Email: s.email, PublicURL: s.cfg.PublicURL, DevMode: dev, Notices: s.expiryJob(),
		Recipients: jobs.NewRecipientLimit(s.redis)})
	return r
}

// opsHandler is a worker process's own port: /healthz, /readyz, /metrics.
func (s *services) opsHandler(relay *config.SMTP) http.Handler {
	return api.NewOpsHandler(api.Options{Logger: s.log, Metrics: s.metrics, Ready: s.readiness(relay), TrustedProxies: s.cfg.TrustedProxyList()})
}

// workerOptions wire the worker to these services and an SMTP relay.
func (s *services) workerOptions(relay config.SMTP) (worker.Options, error) {
	sender, err := mail.NewSender(relay, s.cfg.MailFrom)
	if err != nil {
		return worker.Options{}, err
	}
	s.metrics.Register(s.outbox)
	return worker.Options{
		Temporal:  s.temporal,
		TaskQueue: s.cfg.TemporalTaskQueue,
		Activities: &activities.Activities{
			Email: s.email, Outbox: s.outbox, Store: s.store, Credentials: s.creds, Links: s.links, PublicURL: s.cfg.PublicURL,
			Webhooks: s.webhooks,
		},
		Rotations:     s.moves,
		WorkflowCache: s.cfg.WorkflowCache,
		Outbox:        s.outbox,
		Redis:         s.redis,
		Mailer:        sender,
		Expiry:        s.expiryJob(),
		ExpiryZone:    london(),
		Deliveries:    jobs.ServerOptions{ShutdownTimeout: s.cfg.ShutdownTimeout, Logger: s.log, Webhooks: s.webhooks, MailRate: s.cfg.MailRate},
		Logger:        s.log,
	}, nil
}

func (s *services) close() {
	var errs []error
	if s.temporal != nil {
		s.temporal.Close()
	}
	if s.redis != nil {
		errs = append(errs, s.redis.Close())
	}
	if s.store != nil {
		errs = append(errs, s.store.Close())
	}
	if s.metrics != nil {
		errs = append(errs, s.metrics.Close())
	}
	if err := errors.Join(errs...); err != nil && !errors.Is(err, redis.ErrClosed) {
		s.log.Warn("closing connections", "err", err)
	}
}
