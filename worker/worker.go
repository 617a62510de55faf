// Package worker runs the two kinds of background work: the Temporal worker
// (workflows and activities) and the asynq server (delivery tasks).
package worker

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/redis/go-redis/v9"
	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/nhs-staff-passport/passport/activities"
	"github.com/nhs-staff-passport/passport/internal/jobs"
	"github.com/nhs-staff-passport/passport/workflows"
)

// Options wire a worker.
type Options struct {
	Temporal   client.Client
	TaskQueue  string
	Activities *activities.Activities

	Redis      redis.UniversalClient
	Mailer     jobs.Mailer
	Deliveries jobs.ServerOptions

	Logger *slog.Logger
}

// Run polls Temporal and the delivery queues until ctx is done, then stops
// both, letting work in flight finish within the configured timeouts.
func Run(ctx context.Context, o Options) error {
	w := sdkworker.New(o.Temporal, o.TaskQueue, TemporalOptions())
	w.RegisterActivity(o.Activities)
	w.RegisterWorkflowWithOptions(workflows.MoveWorkflow, workflow.RegisterOptions{Name: workflows.MoveWorkflowName})
	if err := w.Start(); err != nil {
		return fmt.Errorf("worker: start temporal worker: %w", err)
	}
	defer w.Stop()

	if o.Deliveries.Logger == nil {
		o.Deliveries.Logger = o.Logger
	}
	srv, handler := jobs.NewServer(o.Redis, o.Mailer, o.Deliveries)
	if err := srv.Start(handler); err != nil {
		return fmt.Errorf("worker: start delivery server: %w", err)
	}
	defer srv.Shutdown()

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
