package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
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
	// MailRate bounds sending to so many emails a second across every
	// worker that shares this Redis, to stay within what the relay accepts
	// (default DefaultMailRate).
	MailRate int
	// Observer, if set, hears of each delivery's outcome.
	Observer Observer
	// Webhooks, if set, delivers webhook tasks.
	Webhooks Endpoints
	// PrivateWebhooks lets webhooks reach private addresses and this
	// machine (development mode only).
	PrivateWebhooks bool
	// Expiry, if set, runs the daily credential expiry job.
	Expiry func(ctx context.Context) error
}

// Observer hears how email deliveries go, by the key they were enqueued
// under.
type Observer interface {
	// Sent reports whether the email is known to have been sent already
	// (false when it cannot tell: sending twice beats not sending).
	Sent(ctx context.Context, key string) bool
	Delivered(ctx context.Context, key string)
	// Retrying is called after a failed attempt that will be tried again.
	Retrying(ctx context.Context, key, reason string)
	// Failed is called once a delivery will not be tried again.
	Failed(ctx context.Context, key, reason string)
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
	if opts.MailRate <= 0 {
		opts.MailRate = DefaultMailRate
	}
	log := opts.Logger.With("component", "asynq")
	srv := asynq.NewServerFromRedisClient(rdb, asynq.Config{
		Concurrency: opts.Concurrency,
		// Emails that ask someone to act come first; a notice is picked
		// first one time in 18 while both wait (asynq weighs, so nothing
		// starves).
		Queues:                   map[string]int{QueueEmail: 12, QueueWebhook: 4, QueueNotices: 1, "default": 1},
		TaskCheckInterval:        opts.CheckInterval,
		DelayedTaskCheckInterval: opts.CheckInterval,
		ShutdownTimeout:          opts.ShutdownTimeout,
		Logger:                   logger{log},
		RetryDelayFunc: func(n int, err error, t *asynq.Task) time.Duration {
			if t.Type() == TypeSendEmail {
				return emailRetryDelay(n)
			}
			return asynq.DefaultRetryDelayFunc(n, err, t)
		},
		LogLevel: asynq.WarnLevel,
		// Payloads hold addresses, so only the task's identity is logged.
		ErrorHandler: asynq.ErrorHandlerFunc(func(ctx context.Context, t *asynq.Task, err error) {
			id, _ := asynq.GetTaskID(ctx)
			retried, _ := asynq.GetRetryCount(ctx)
			maxRetry, _ := asynq.GetMaxRetry(ctx)
			reason := redactAddresses(err.Error())
			log.Warn("delivery failed", "type", t.Type(), "task_id", id, "retry", retried, "max_retry", maxRetry, "err", reason)
			if opts.Observer != nil && t.Type() == TypeSendEmail {
				key := strings.TrimPrefix(id, emailTaskPrefix)
				if retried >= maxRetry || errors.Is(err, asynq.SkipRetry) {
					opts.Observer.Failed(ctx, key, reason)
				} else {
					opts.Observer.Retrying(ctx, key, reason)
				}
			}
		}),
	})
	mux := asynq.NewServeMux()
	mux.Handle(TypeSendEmail, handleEmail(mailer, newSendRate(rdb, opts.MailRate), opts.Observer))
	if opts.Webhooks != nil {
		mux.Handle(TypeWebhook, handleWebhook(opts.Webhooks, webhookClient(opts.PrivateWebhooks)))
	}
	if opts.Expiry != nil {
		mux.HandleFunc(TypeCredentialExpiry, func(ctx context.Context, _ *asynq.Task) error { return opts.Expiry(ctx) })
	}
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

// TypeCredentialExpiry is the task of the daily credential expiry job.
const TypeCredentialExpiry = "credentials:expiry"

// ExpiryTask asks for a run of the daily credential expiry job. Every
// worker's scheduler asks, and each worker asks as it starts (so a day
// the workers were down is caught up); a run already waiting takes the
// place of another, and a run is harmless twice (the job sends nothing
// twice).
func ExpiryTask() *asynq.Task {
	return asynq.NewTask(TypeCredentialExpiry, nil, asynq.Unique(time.Hour), asynq.MaxRetry(10), asynq.Timeout(15*time.Minute))
}
