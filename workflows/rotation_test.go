package workflows

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"
)

// rotationEnv runs the rotation job against a pretend upload of rows,
// whose batch step fails while down returns true.
func rotationEnv(t *testing.T, rows int, down func() bool) (*testsuite.TestWorkflowEnvironment, *[]int, *bool) {
	var s testsuite.WorkflowTestSuite
	s.SetLogger(log.NewStructuredLogger(slog.New(slog.DiscardHandler)))
	env := s.NewTestWorkflowEnvironment()
	var batches []int
	abandoned := false
	pending := rows
	env.RegisterActivityWithOptions(func(_ context.Context, in RotationBatchInput) (RotationBatchResult, error) {
		if down() {
			return RotationBatchResult{Pending: pending}, errors.New("database unreachable")
		}
		n := min(in.Max, pending)
		pending -= n
		batches = append(batches, n)
		return RotationBatchResult{Pending: pending}, nil
	}, activity.RegisterOptions{Name: ActivityStartRotationBatch})
	env.RegisterActivityWithOptions(func(_ context.Context, id string) error {
		if id != "up-1" {
			t.Errorf("abandoned %q", id)
		}
		abandoned = true
		return nil
	}, activity.RegisterOptions{Name: ActivityAbandonRotation})
	return env, &batches, &abandoned
}

// The job starts an upload's rows a batch at a time until none is left,
// and rides out an outage shorter than its retry window.
func TestRotationJobStartsEveryRowInBatches(t *testing.T) {
	failures := 3
	env, batches, abandoned := rotationEnv(t, 250, func() bool { failures--; return failures >= 0 })
	env.ExecuteWorkflow(RotationWorkflow, RotationInput{UploadID: "up-1"})
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	if got := *batches; len(got) != 3 || got[0] != 100 || got[1] != 100 || got[2] != 50 {
		t.Errorf("batches %v, want 100, 100, 50", got)
	}
	if *abandoned {
		t.Error("an outage of three attempts gave up on the upload")
	}
}

// An outage longer than the retry window leaves the rows not tried, said
// so on the upload, rather than a job that waits for ever.
func TestRotationJobGivesUpAfterItsWindow(t *testing.T) {
	env, batches, abandoned := rotationEnv(t, 250, func() bool { return true })
	env.ExecuteWorkflow(RotationWorkflow, RotationInput{UploadID: "up-1", RetryWindow: 5 * time.Minute})
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	if len(*batches) != 0 || !*abandoned {
		t.Errorf("batches %v, abandoned %v: want the rows marked not tried", *batches, *abandoned)
	}
}

// A long upload carries on as a new run rather than growing one history
// without bound.
func TestRotationJobContinuesAsNew(t *testing.T) {
	env, _, _ := rotationEnv(t, 1000, func() bool { return false })
	env.ExecuteWorkflow(RotationWorkflow, RotationInput{UploadID: "up-1", Batch: 1})
	var cont *workflow.ContinueAsNewError
	if err := env.GetWorkflowError(); !errors.As(err, &cont) {
		t.Fatalf("want continue-as-new after %d steps, got %v", rotationStepsPerRun, err)
	}
}
