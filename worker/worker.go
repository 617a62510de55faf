// Package worker runs the two kinds of background work: the Temporal worker
// (workflows and activities) and the asynq server (delivery tasks).
package worker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/hibiken/asynq"

	"github.com/redis/go-redis/v9"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/nhs-staff-passport/passport/activities"
	"github.com/nhs-staff-passport/passport/internal/expiry"
	"github.com/nhs-staff-passport/passport/internal/jobs"
	"github.com/nhs-staff-passport/passport/internal/moves"
	"github.com/nhs-staff-passport/passport/internal/outbox"
	"github.com/nhs-staff-passport/passport/workflows"
)

// Options wire a worker.
type Options struct {
	Temporal   client.Client
	TaskQueue  string
	Activities *activities.Activities
	// WorkflowCache is how many workflows the process keeps in memory
	// between their tasks (zero: the SDK's 10,000).
	WorkflowCache int
	// Rotations runs rotation uploads' jobs (starting their moves).
	Rotations *moves.Service

	Redis      redis.UniversalClient
	Mailer     jobs.Mailer
	Deliveries jobs.ServerOptions
	// Outbox, if set, hears every email's outcome and sweeps up after
	// faults every SweepEvery (default a minute).
	Outbox     *outbox.Outbox
	SweepEvery time.Duration
	// Expiry, if set, is the daily credential expiry job: scheduled at
	// ExpiryAt (cron, in ExpiryZone) and run as the worker starts.
	Expiry     *expiry.Job
	ExpiryAt   string
	ExpiryZone *time.Location

	Logger *slog.Logger
}

// Run polls Temporal and the delivery queues until ctx is done, then stops
// both, letting work in flight finish within the configured timeouts.
func Run(ctx context.Context, o Options) error {
	if o.WorkflowCache > 0 {
		// The process's one cache, sized before its first worker starts
		// (later calls change nothing).
		sdkworker.SetStickyWorkflowCacheSize(o.WorkflowCache)
	}
	w := sdkworker.New(o.Temporal, o.TaskQueue, TemporalOptions())
	w.RegisterActivity(o.Activities)
	w.RegisterWorkflowWithOptions(workflows.MoveWorkflow, workflow.RegisterOptions{Name: workflows.MoveWorkflowName})
	w.RegisterWorkflowWithOptions(workflows.RotationWorkflow, workflow.RegisterOptions{Name: workflows.RotationWorkflowName})
	if o.Rotations != nil {
		w.RegisterActivityWithOptions(o.Rotations.StartRotationBatch, activity.RegisterOptions{Name: workflows.ActivityStartRotationBatch})
		w.RegisterActivityWithOptions(o.Rotations.AbandonRotation, activity.RegisterOptions{Name: workflows.ActivityAbandonRotation})
	}
	if err := w.Start(); err != nil {
		return fmt.Errorf("worker: start temporal worker: %w", err)
	}
	defer w.Stop()

	if o.Deliveries.Logger == nil {
		o.Deliveries.Logger = o.Logger
	}
	if o.Expiry != nil {
		o.Deliveries.Expiry = func(ctx context.Context) error { _, err := o.Expiry.Run(ctx); return err }
	}
	if o.Outbox != nil {
		o.Deliveries.Observer = o.Outbox
	}
	srv, handler := jobs.NewServer(o.Redis, o.Mailer, o.Deliveries)
	if err := srv.Start(handler); err != nil {
		return fmt.Errorf("worker: start delivery server: %w", err)
	}
	defer srv.Shutdown()
	if o.Expiry != nil {
		stop, err := scheduleExpiry(o)
		if err != nil {
			return err
		}
		defer stop()
	}

	if o.Outbox != nil {
		every := o.SweepEvery
		if every == 0 {
			every = time.Minute
		}
		swept := make(chan struct{})
		go func() { defer close(swept); o.Outbox.Run(ctx, every) }()
		defer func() { <-swept }()
	}

	o.Logger.Info("worker running", "task_queue", o.TaskQueue)
	<-ctx.Done()
	return nil
}

// TemporalOptions tune the Temporal worker. Each poller kind scales with
// the work waiting: with a fixed two, pollers favour the sticky queue
// while it has a backlog, and a new move's first task waits behind it.
func TemporalOptions() sdkworker.Options {
	return sdkworker.Options{
		WorkflowTaskPollerBehavior: sdkworker.NewPollerBehaviorAutoscaling(sdkworker.PollerBehaviorAutoscalingOptions{}),
		ActivityTaskPollerBehavior: sdkworker.NewPollerBehaviorAutoscaling(sdkworker.PollerBehaviorAutoscalingOptions{}),
	}
}

// DefaultExpiryAt is when the daily credential expiry job runs: early,
// before HR's day begins.
const DefaultExpiryAt = "0 6 * * *"

// scheduleExpiry starts the scheduler of the daily credential expiry job
// and asks for a run now, in case the workers were down when it was due.
func scheduleExpiry(o Options) (func(), error) {
	at, zone := o.ExpiryAt, o.ExpiryZone
	if at == "" {
		at = DefaultExpiryAt
	}
	if zone == nil {
		zone = time.UTC
	}
	sch := asynq.NewSchedulerFromRedisClient(o.Redis, &asynq.SchedulerOpts{Location: zone, LogLevel: asynq.WarnLevel})
	if _, err := sch.Register(at, jobs.ExpiryTask()); err != nil {
		return nil, fmt.Errorf("worker: schedule the expiry job: %w", err)
	}
	if err := sch.Start(); err != nil {
		return nil, fmt.Errorf("worker: start the scheduler: %w", err)
	}
	client := asynq.NewClientFromRedisClient(o.Redis)
	if _, err := client.Enqueue(jobs.ExpiryTask()); err != nil && !errors.Is(err, asynq.ErrDuplicateTask) {
		o.Logger.Warn("could not ask for a credential expiry run; it runs at the scheduled time", "err", err)
	}
	return sch.Shutdown, nil
}
