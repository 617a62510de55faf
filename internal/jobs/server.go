package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"regexp"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
)

// ServerOptions tune the delivery server; zero values take production defaults.
type ServerOptions struct {
	Concurrency int
	// CheckInterval is how often idle queues and due retries are looked at;
	// tests lower it.
	CheckInterval   time.Duration
	ShutdownTimeout time.Duration
	Logger          *slog.Logger
}

// NewServer builds the asynq server and the handler of every task type. The
// caller keeps ownership of rdb and closes it after the server shuts down.
func NewServer(rdb redis.UniversalClient, mailer Mailer, opts ServerOptions) (*asynq.Server, asynq.Handler) {
	if opts.Concurrency == 0 {
		opts.Concurrency = 10
	}
	if opts.CheckInterval == 0 {
		opts.CheckInterval = time.Second
	}
	if opts.ShutdownTimeout == 0 {
		opts.ShutdownTimeout = 8 * time.Second
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	log := opts.Logger.With("component", "asynq")
	srv := asynq.NewServerFromRedisClient(rdb, asynq.Config{
		Concurrency:              opts.Concurrency,
		Queues:                   map[string]int{QueueEmail: 6, "default": 3},
		TaskCheckInterval:        opts.CheckInterval,
		DelayedTaskCheckInterval: opts.CheckInterval,
		ShutdownTimeout:          opts.ShutdownTimeout,
		Logger:                   logger{log},
		LogLevel:                 asynq.WarnLevel,
		// Payloads hold addresses, so only the task's identity is logged.
		ErrorHandler: asynq.ErrorHandlerFunc(func(ctx context.Context, t *asynq.Task, err error) {
			id, _ := asynq.GetTaskID(ctx)
			retried, _ := asynq.GetRetryCount(ctx)
			maxRetry, _ := asynq.GetMaxRetry(ctx)
			log.Warn("delivery failed", "type", t.Type(), "task_id", id, "retry", retried, "max_retry", maxRetry, "err", redactAddresses(err.Error()))
		}),
	})
	mux := asynq.NewServeMux()
	mux.Handle(TypeSendEmail, handleEmail(mailer))
	return srv, mux
}

var addressRE = regexp.MustCompile(`[^\s<>@"]+@[^\s<>@"]+`)

// redactAddresses hides email addresses that relays echo in their errors.
func redactAddresses(s string) string { return addressRE.ReplaceAllString(s, "<address>") }

// logger hands asynq's own messages to slog.
type logger struct{ l *slog.Logger }

func (g logger) Debug(args ...any) { g.l.Debug(fmt.Sprint(args...)) }
func (g logger) Info(args ...any)  { g.l.Info(fmt.Sprint(args...)) }
func (g logger) Warn(args ...any)  { g.l.Warn(fmt.Sprint(args...)) }
func (g logger) Error(args ...any) { g.l.Error(fmt.Sprint(args...)) }
func (g logger) Fatal(args ...any) { g.l.Error(fmt.Sprint(args...)) }
