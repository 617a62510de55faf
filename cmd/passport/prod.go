package main

import (
	"context"
	"fmt"
	"io"

	"github.com/nhs-staff-passport/passport/api"
	"github.com/nhs-staff-passport/passport/internal/config"
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
	srv, err := listenHTTP(cfg.HTTPAddr, api.NewHandler(s.httpHandler(nil, false, nil)), log)
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
	opts, err := s.workerOptions(relay)
	if err != nil {
		return err
	}
	// Workers serve the operational endpoints too: the SDK's metrics are theirs.
	srv, err := listenHTTP(cfg.HTTPAddr, api.NewOpsHandler(s.httpHandler(nil, false, &relay)), log)
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
	return nil
}
