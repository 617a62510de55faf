package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// RotationWorkflowName is the registered name of a rotation upload's job.
const RotationWorkflowName = "RotationWorkflow"

// The rotation job's activities, registered by name: they belong to the
// moves service, which starts moves as the API does.
const (
	ActivityStartRotationBatch = "StartRotationBatch"
	ActivityAbandonRotation    = "AbandonRotation"
)

// RotationWorkflowID names an upload's job by the upload's ID.
func RotationWorkflowID(uploadID string) string { return "rotation-" + uploadID }

// RotationInput starts an upload's job.
type RotationInput struct {
	UploadID string
	// RetryWindow is how long a step retries an outage before the job
	// gives up on the rows left (zero: as a move's activities).
	RetryWindow time.Duration
	// Batch is how many rows a step starts (zero: 100).
	Batch int
}

// RotationBatchInput asks for up to Max rows of an upload to be started.
type RotationBatchInput struct {
	UploadID string
	Max      int
}

// RotationBatchResult says how many rows are still without an outcome.
type RotationBatchResult struct {
	Pending int
}

// rotationStepsPerRun bounds one run's history; the job carries on as new
// after it (an upload of 5,000 rows takes 50 steps).
const rotationStepsPerRun = 200

// RotationWorkflow starts an upload's moves in batches, one after
// another, until every row has an outcome. A step that fails is retried
// for the retry window (it records what it did, and a row done twice finds
// its own move); after that, the rows left are marked not tried.
func RotationWorkflow(ctx workflow.Context, in RotationInput) error {
	window := in.RetryWindow
	if window <= 0 {
		window = activityWindow
	}
	batch := in.Batch
	if batch <= 0 {
		batch = 100
	}
	step := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout:    5 * time.Minute,
		HeartbeatTimeout:       20 * time.Second, // a step lost with its worker is tried again within 20 s
		ScheduleToCloseTimeout: window,
		RetryPolicy:            &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: time.Minute},
	})
	for range rotationStepsPerRun {
		var res RotationBatchResult
		err := workflow.ExecuteActivity(step, ActivityStartRotationBatch, RotationBatchInput{UploadID: in.UploadID, Max: batch}).Get(ctx, &res)
		if err != nil {
			final := workflow.WithActivityOptions(ctx, compensationOptions) // until it is done
			return workflow.ExecuteActivity(final, ActivityAbandonRotation, in.UploadID).Get(ctx, nil)
		}
		if res.Pending == 0 {
			return nil
		}
	}
	return workflow.NewContinueAsNewError(ctx, RotationWorkflowName, in)
}
