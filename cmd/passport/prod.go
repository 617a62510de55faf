package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/redis/go-redis/v9"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"

	"github.com/nhs-staff-passport/passport/internal/config"
	"github.com/nhs-staff-passport/passport/internal/devtemporal"
	"github.com/nhs-staff-passport/passport/internal/store"
	"github.com/nhs-staff-passport/passport/worker"
)

// runAPI serves HTTP until ctx ends. Run as many as the load needs.
func runAPI(ctx context.Context, cfg config.Config, logw io.Writer) error {
	if err := cfg.Validate(config.ModeAPI); err != nil {
		return fmt.Errorf("configuration:\n%w", err)
	}
	log := newLogger(cfg, logw)
	log.Info("starting api", append([]any{"version", versionString()}, cfg.Masked()...)...)
	s, err := connect(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer s.close()
	if err := checkSearchAttributes(ctx, s.temporal, cfg.TemporalNamespace); err != nil {
		return err
	}
	srv, err := listenHTTP(cfg.HTTPAddr, s.httpHandler(nil, false, nil), log)
	if err != nil {
		return err
	}
	log.Info("api listening", "addr", srv.Addr())
	select {
	case <-ctx.Done():
	case err := <-srv.done:
		return fmt.Errorf("http server: %w", err)
	}
	log.Info("api stopping")
	return srv.shutdown(cfg.ShutdownTimeout)
}

// runWorker runs the Temporal worker and the delivery queue until ctx ends.
// Run as many as the load needs.
func runWorker(ctx context.Context, cfg config.Config, logw io.Writer) error {
	if err := cfg.Validate(config.ModeWorker); err != nil {
		return fmt.Errorf("configuration:\n%w", err)
	}
	log := newLogger(cfg, logw)
	log.Info("starting worker", append([]any{"version", versionString()}, cfg.Masked()...)...)
	relay, err := config.ParseSMTPURL(cfg.SMTPURL)
	if err != nil {
		return err
	}
	s, err := connect(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer s.close()
	if err := checkSearchAttributes(ctx, s.temporal, cfg.TemporalNamespace); err != nil {
		return err
	}
	warnIfRedisForgets(ctx, s.redis, log)
	opts, err := s.workerOptions(relay)
	if err != nil {
		return err
	}
	// Workers serve the operational endpoints too: the SDK's metrics are theirs.
	srv, err := listenHTTP(cfg.HTTPAddr, s.opsHandler(&relay), log)
	if err != nil {
		return err
	}
	defer func() { _ = srv.shutdown(cfg.ShutdownTimeout) }()
	return worker.Run(ctx, opts)
}

// runMigrate brings the database schema up to date and exits.
func runMigrate(ctx context.Context, cfg config.Config, logw io.Writer) error {
	if err := cfg.Validate(config.ModeMigrate); err != nil {
		return fmt.Errorf("configuration:\n%w", err)
	}
	log := newLogger(cfg, logw)
	st, err := retry(ctx, log, "database", func(ctx context.Context) (*store.Store, error) {
		return store.Open(ctx, cfg.DatabaseURL)
	})
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		return err
	}
	log.Info("database schema is up to date")
	if cfg.TemporalAddress == "" {
		log.Info("no Temporal address: the moves' search attributes were not checked", "variable", config.Prefix+"TEMPORAL_ADDRESS")
		return nil
	}
	c, err := retry(ctx, log, "temporal", func(ctx context.Context) (client.Client, error) {
		return client.DialContext(ctx, client.Options{HostPort: cfg.TemporalAddress, Namespace: cfg.TemporalNamespace,
			Logger: sdklog.NewStructuredLogger(log.With("component", "temporal-sdk"))})
	})
	if err != nil {
		return err
	}
	defer c.Close()
	if err := registerSearchAttributes(ctx, c, cfg.TemporalNamespace); err != nil {
		return err
	}
	log.Info("the Temporal namespace has the moves' search attributes", "namespace", cfg.TemporalNamespace)
	return nil
}

// runTemporal runs the embedded Temporal server on its own, for a
// multi-process set-up on one machine (and the fault suite): a SQLite file
// in the data dir, fixed ports from DEV_TEMPORAL_PORT, the namespace and
// the moves' search attributes registered. Not for production.
func runTemporal(ctx context.Context, cfg config.Config, stdout, logw io.Writer) error {
	if err := cfg.Validate(config.ModeDev); err != nil {
		return fmt.Errorf("configuration:\n%w", err)
	}
	log := newLogger(cfg, logw)
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return err
	}
	srv, err := devtemporal.Start(ctx, devtemporal.Options{
		DatabaseFile:     filepath.Join(cfg.DataDir, "temporal.db"),
		BasePort:         cfg.DevTemporalPort,
		Namespace:        cfg.TemporalNamespace,
		SearchAttributes: searchAttributes(),
		Logger:           log,
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Temporal listening on %s (namespace %s, data %s); set %sTEMPORAL_ADDRESS=%s for api and worker\n",
		srv.Address(), cfg.TemporalNamespace, cfg.DataDir, config.Prefix, srv.Address())
	<-ctx.Done()
	return srv.Stop()
}

// warnIfRedisForgets warns when Redis keeps no append-only file: queued
// webhooks would be lost with a restart (a move's emails are queued again
// from the database). A Redis that will not say (CONFIG disabled, as some
// managed services do) is left alone.
func warnIfRedisForgets(ctx context.Context, rdb redis.UniversalClient, log *slog.Logger) {
	v, err := rdb.ConfigGet(ctx, "appendonly").Result()
	if err != nil || v["appendonly"] != "no" {
		return
	}
	log.Warn("Redis keeps no append-only file: queued webhooks are lost if it restarts, and a move's emails wait for the outbox sweep (minutes); set appendonly yes")
}
