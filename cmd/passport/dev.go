package main

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/nhs-staff-passport/passport/internal/config"
	"github.com/nhs-staff-passport/passport/internal/demo"
	"github.com/nhs-staff-passport/passport/internal/devredis"
	"github.com/nhs-staff-passport/passport/internal/devtemporal"
	"github.com/nhs-staff-passport/passport/internal/mailcatcher"
	"github.com/nhs-staff-passport/passport/web"
	"github.com/nhs-staff-passport/passport/worker"
)

// devSystem is the whole service in one process: whatever the configuration
// does not point elsewhere runs embedded, keeping its state in the data dir.
type devSystem struct {
	cfg  config.Config
	log  *slog.Logger
	keys []demo.Key

	temporal *devtemporal.Server
	redis    *devredis.Server
	mailbox  *mailcatcher.Mailbox
	catcher  *mailcatcher.Server
	svc      *services
	http     *httpServer

	stopWorker context.CancelFunc
	workerDone chan error
}

func runDev(ctx context.Context, cfg config.Config, stdout, logw io.Writer) error {
	if err := cfg.Validate(config.ModeDev); err != nil {
		return fmt.Errorf("configuration:\n%w", err)
	}
	if cfg.HTTPAddr == ":8080" {
		// Dev mode offers one-click sign-in as any demo person, operators
		// included: it listens on this machine only unless told otherwise.
		cfg.HTTPAddr = "127.0.0.1:8080"
	}
	log := newLogger(cfg, logw)
	start := time.Now()
	d, err := startDev(ctx, cfg, log)
	if err != nil {
		return err
	}
	d.printWelcome(stdout, time.Since(start))
	select {
	case <-ctx.Done():
	case err = <-d.http.done:
		err = fmt.Errorf("http server: %w", err)
	case err = <-d.workerDone:
		err = fmt.Errorf("worker: %w", err)
	}
	log.Info("stopping")
	return errors.Join(err, d.stop())
}

// devProcs lets dev mode run more goroutines at once than the machine has
// cores, unless GOMAXPROCS says otherwise. Dev mode is four Temporal
// services, two SQLite databases, Redis, the mail catcher, the API and the
// worker in one process, and much of its time goes in file-system calls;
// with one P per core a call that blocks holds up runnable work. Measured
// on two cores (BenchmarkRotation1000): 13-15 s with 2, 10-11 s with 4.
func devProcs() {
	if os.Getenv("GOMAXPROCS") == "" {
		runtime.GOMAXPROCS(max(4, 2*runtime.NumCPU()))
	}
}

// startDev starts every part and returns once the API answers requests.
func startDev(ctx context.Context, cfg config.Config, log *slog.Logger) (_ *devSystem, err error) {
	d := &devSystem{cfg: cfg, log: log}
	devProcs()
	defer func() {
		if err != nil {
			_ = d.stop()
		}
	}()
	dir, err := filepath.Abs(cfg.DataDir)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("data dir: %w", err)
	}

	if d.cfg.SecretKey == "" {
		if d.cfg.SecretKey, err = devSecretKey(filepath.Join(dir, "secret.key")); err != nil {
			return nil, err
		}
	}
	if d.cfg.DatabaseURL == "" {
		d.cfg.DatabaseURL = "sqlite:" + filepath.Join(dir, "passport.db")
	}
	if d.cfg.TemporalAddress == "" {
		d.temporal, err = devtemporal.Start(ctx, devtemporal.Options{
			DatabaseFile:     filepath.Join(dir, "temporal.db"),
			BasePort:         cfg.DevTemporalPort,
			Namespace:        cfg.TemporalNamespace,
			SearchAttributes: searchAttributes(),
			Logger:           log,
		})
		if err != nil {
			return nil, err
		}
		d.cfg.TemporalAddress = d.temporal.Address()
	}
	if d.cfg.RedisAddr == "" {
		if d.redis, err = devredis.Start("127.0.0.1:0", filepath.Join(dir, "redis.snapshot")); err != nil {
			return nil, err
		}
		d.cfg.RedisAddr = d.redis.Addr()
	}
	if d.cfg.SMTPURL == "" {
		if d.mailbox, err = mailcatcher.OpenMailbox(filepath.Join(dir, "mailbox.jsonl")); err != nil {
			return nil, err
		}
		if d.catcher, err = mailcatcher.Start("127.0.0.1:0", d.mailbox, log); err != nil {
			return nil, err
		}
		d.cfg.SMTPURL = "smtp://" + d.catcher.Addr() + "?tls=none"
	}

	if d.svc, err = connect(ctx, d.cfg, log); err != nil {
		return nil, err
	}
	// Sent emails' tasks are kept an hour, not a day: dev mode's Redis
	// lives in this process, and its clock is advanced over every key.
	d.svc.email.Keep = time.Hour
	d.svc.moves.DevIdentity = true
	d.svc.webhooks.Dev = true // endpoints on this machine, over http
	if d.temporal != nil {
		if err := registerSearchAttributes(ctx, d.svc.temporal, d.cfg.TemporalNamespace); err != nil {
			return nil, err
		}
	}
	if err := d.svc.store.Migrate(ctx); err != nil {
		return nil, err
	}
	if d.keys, err = demo.Seed(ctx, d.svc.store, filepath.Join(dir, "demo-keys.json"), time.Now()); err != nil {
		return nil, err
	}
	if err := demo.SeedPassports(ctx, d.svc.store, d.svc.creds, time.Now()); err != nil {
		return nil, err
	}

	relay, err := config.ParseSMTPURL(d.cfg.SMTPURL)
	if err != nil {
		return nil, err
	}
	wopts, err := d.svc.workerOptions(relay)
	if err != nil {
		return nil, err
	}
	// Short timeouts: a developer's Ctrl-C should not wait on a slow relay.
	wopts.Deliveries.ShutdownTimeout = 2 * time.Second
	wopts.Deliveries.PrivateWebhooks = true
	wctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	d.stopWorker = cancel
	d.workerDone = make(chan error, 1)
	go func() { d.workerDone <- worker.Run(wctx, wopts) }()

	var box web.DevMailbox
	if d.mailbox != nil {
		box = d.mailbox
	}
	if d.http, err = listenHTTP(cfg.HTTPAddr, d.svc.httpHandler(box, true, &relay), log); err != nil {
		return nil, err
	}
	return d, nil
}

// stop shuts the parts down in the reverse order of starting.
func (d *devSystem) stop() error {
	var errs []error
	if d.http != nil {
		errs = append(errs, d.http.shutdown(3*time.Second))
	}
	if d.stopWorker != nil {
		d.stopWorker()
		errs = append(errs, <-d.workerDone)
	}
	if d.svc != nil {
		d.svc.close()
	}
	if d.temporal != nil {
		errs = append(errs, d.temporal.Stop())
	}
	if d.redis != nil {
		errs = append(errs, d.redis.Close())
	}
	if d.catcher != nil {
		errs = append(errs, d.catcher.Close())
	}
	if d.mailbox != nil {
		errs = append(errs, d.mailbox.Close())
	}
	return errors.Join(errs...)
}

// baseURL is where the API answers, with a port chosen by the system when
// the configured one was 0.
func (d *devSystem) baseURL() string {
	addr := d.http.Addr()
	if strings.HasPrefix(addr, "[::]:") || strings.HasPrefix(addr, "0.0.0.0:") {
		addr = "localhost:" + addr[strings.LastIndex(addr, ":")+1:]
	}
	return "http://" + addr
}

func (d *devSystem) printWelcome(w io.Writer, took time.Duration) {
	base := d.baseURL()
	fmt.Fprintf(w, "\nStaff Passport is running in development mode (ready in %s).\n\n", took.Round(time.Millisecond))
	fmt.Fprintf(w, "  start page        %s/\n", base)
	fmt.Fprintf(w, "  portal (trusts)   %s/portal\n", base)
	fmt.Fprintf(w, "  API               %s/api/v1 (described at %s/openapi.json)\n", base, base)
	fmt.Fprintf(w, "  readiness         %s/readyz\n", base)
	if d.mailbox != nil {
		fmt.Fprintf(w, "  sent email        %s/dev/mail\n", base)
	}
	if d.temporal != nil {
		fmt.Fprintf(w, "  Temporal          %s (namespace %s)\n", d.temporal.Address(), d.cfg.TemporalNamespace)
	}
	fmt.Fprintf(w, "  data              %s\n\n", d.cfg.DataDir)
	fmt.Fprintln(w, "Demo API keys (also in demo-keys.json in the data dir):")
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, k := range d.keys {
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", cmp.Or(k.Trust, "service"), k.Role, k.Key)
	}
	_ = tw.Flush()
	fmt.Fprintln(w, "\nDemo staff whose passports RJ1 has filled (start a move for them in the portal):")
	for _, p := range demo.People() {
		fmt.Fprintf(tw, "  %s %s\t%s\t%s\n", p.GivenName, p.FamilyName, p.Email, p.About)
	}
	_ = tw.Flush()
	fmt.Fprintln(w, "\nPress Ctrl-C to stop; everything is kept for the next start.")
}

// devSecretKey reads the development secret key, making one the first time.
func devSecretKey(path string) (string, error) {
	data, err := os.ReadFile(path)
	if err == nil {
		return strings.TrimSpace(string(data)), nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return "", err
	}
	key := make([]byte, config.SecretKeySize)
	_, _ = rand.Read(key)
	enc := base64.StdEncoding.EncodeToString(key)
	if err := os.WriteFile(path, []byte(enc+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("write dev secret key: %w", err)
	}
	return enc, nil
}
