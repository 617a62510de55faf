package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/nhs-staff-passport/passport/internal/credentials"
	"github.com/nhs-staff-passport/passport/internal/devtemporal"
	"github.com/nhs-staff-passport/passport/internal/moves"
	"github.com/nhs-staff-passport/passport/internal/testenv"
	"github.com/nhs-staff-passport/passport/models"
	passportworker "github.com/nhs-staff-passport/passport/worker"
	"github.com/nhs-staff-passport/passport/workflows"
)

// benchSystem is dev mode (embedded Temporal on SQLite, SQLite, miniredis,
// mail catcher) with people ready to move: each passport holds an identity
// check, a DBS check and resuscitation training.
type benchSystem struct {
	d      *devSystem
	people []string
}

func newBenchSystem(b *testing.B, people int) *benchSystem {
	b.Helper()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	cfg := devConfig(b, b.TempDir(), testenv.FreePortRange(b, devtemporal.PortsUsed))
	d, err := startDev(b.Context(), cfg, quiet)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = d.stop() })
	s := &benchSystem{d: d}
	ctx := context.Background()
	rj1 := models.Actor{Kind: models.ActorAPIKey, ID: "bench", Trust: "RJ1", Role: models.RoleHR}
	for i := range people {
		p, _, err := d.svc.store.FindOrCreatePassport(ctx, models.StaffDetails{Email: fmt.Sprintf("bench%d@nhs.net", i), GivenName: "Bench", FamilyName: fmt.Sprint(i)})
		if err != nil {
			b.Fatal(err)
		}
		for typ, claims := range map[string]string{
			"identity":             `{"method":"certified_identity_service","level_of_confidence":"medium","identity_service":"Bench","verified_by":"Bench","verified_on":"2026-11-01"}`,
			"dbs_check":            `{"level":"enhanced","workforce":"adult","certificate_number":"001234567890","issued_on":"2025-06-01","update_service":false}`,
			"core_skills_training": `{"subject":"resuscitation","level":2,"completed_on":"2026-06-10","provider":"RCUK"}`,
		} {
			if _, err := d.svc.creds.Issue(ctx, rj1, credentials.IssueInput{PassportID: p.ID, Type: typ, Claims: json.RawMessage(claims)}); err != nil {
				b.Fatal(err)
			}
		}
		s.people = append(s.people, p.Email)
	}
	return s
}

// runMove starts a move and gives every answer as soon as the move asks
// for it (its read model says so), as one person and one receiving trust
// who answer at once would, returning once the move is complete.
func (s *benchSystem) runMove(ctx context.Context, i int) error {
	svc := s.d.svc.moves
	var req moves.StartRequest
	req.Staff.Email, req.Staff.GivenName, req.Staff.FamilyName = s.people[i], "Bench", fmt.Sprint(i)
	req.Staff.StaffGroup = models.GroupTemporaryMover
	req.ReceivingTrust, req.Kind, req.StartDate = "RRK", models.KindRotation, time.Now().AddDate(0, 1, 0).Format(time.DateOnly)
	req.RequestedCredentials = []models.CredentialType{models.CredIdentity, models.CredDBSCheck, models.CredCoreSkillsTraining}
	rj1 := models.Actor{Kind: models.ActorAPIKey, ID: "bench", Trust: "RJ1", Role: models.RoleHR}
	mv, _, err := svc.Start(ctx, rj1, req, "")
	if err != nil {
		return err
	}
	asks := func(stage string, on models.WaitingOn) error {
		_, err := svc.Store.WaitMove(ctx, mv.ID, time.Second, func(m models.Move) bool {
			return m.Stage == stage && m.WaitingOn == on
		})
		return err
	}
	staff := workflows.Caller{Kind: models.ActorStaff, ID: mv.PassportID}
	if err := asks(models.StepInvite, models.WaitingStaff); err != nil {
		return err
	}
	if _, err := svc.Answer(ctx, mv.ID, workflows.UpdateAcceptInvitation, workflows.AcceptInvitation{Caller: staff},
		moves.Note(models.Actor{Kind: staff.Kind, ID: staff.ID}, "invitation.accepted", nil)); err != nil {
		return err
	}
	if err := asks(models.StepConsent, models.WaitingStaff); err != nil {
		return err
	}
	if _, err := svc.Answer(ctx, mv.ID, workflows.UpdateGiveConsent, workflows.GiveConsent{Caller: staff, Types: req.RequestedCredentials, WordingVersion: "v1"},
		moves.Note(models.Actor{Kind: staff.Kind, ID: staff.ID}, "consent.given", map[string]any{"types": req.RequestedCredentials})); err != nil {
		return err
	}
	if err := asks(models.StepAcceptance, models.WaitingReceivingTrust); err != nil {
		return err
	}
	shares, err := svc.Store.Shares(ctx, mv.ID)
	if err != nil {
		return err
	}
	recv := workflows.Caller{Kind: models.ActorAPIKey, ID: "bench", Trust: "RRK", Role: models.RoleHR}
	decided := make([]error, len(shares))
	var wg sync.WaitGroup
	for k, sh := range shares { // the receiving trust accepts them all at once
		wg.Go(func() {
			_, decided[k] = svc.Answer(ctx, mv.ID, workflows.UpdateDecideShare, workflows.DecideShare{Caller: recv, ShareID: sh.ID, Decision: models.DecisionAccepted},
				moves.Note(models.Actor{Kind: recv.Kind, ID: recv.ID, Trust: recv.Trust, Role: recv.Role}, "share.decided", map[string]any{"share_id": sh.ID}))
		})
	}
	wg.Wait()
	if err := errors.Join(decided...); err != nil {
		return err
	}
	var res workflows.MoveResult
	if err := s.d.svc.temporal.GetWorkflow(ctx, workflows.WorkflowID(mv.ID), "").Get(ctx, &res); err != nil {
		return err
	}
	if res.Status != models.MoveCompleted {
		return fmt.Errorf("move ended %s", res.Status)
	}
	return nil
}

// BenchmarkMove is one move at a time, every answer given as soon as it is
// asked for: the time the service itself takes.
func BenchmarkMove(b *testing.B) {
	s := newBenchSystem(b, b.N)
	ctx := b.Context()
	b.ResetTimer()
	for i := range b.N {
		if err := s.runMove(ctx, i); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/move")
}

// BenchmarkMoveConcurrent50 keeps 50 moves going at once.
func BenchmarkMoveConcurrent50(b *testing.B) {
	s := newBenchSystem(b, b.N)
	benchConcurrent(b, 50, func(ctx context.Context, i int) error { return s.runMove(ctx, i) })
}

func benchConcurrent(b *testing.B, workers int, run func(ctx context.Context, i int) error) {
	ctx := b.Context()
	next := make(chan int)
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	b.ResetTimer()
	for range workers {
		wg.Go(func() {
			for i := range next {
				if err := run(ctx, i); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	for i := range b.N {
		next <- i
	}
	close(next)
	wg.Wait()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "workflows/s")
}

// bareWorkflow is the floor to compare with: five stages, each one no-op
// activity and one update.
func bareWorkflow(ctx workflow.Context) error {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: 10 * time.Second})
	stage := 0
	if err := workflow.SetUpdateHandler(ctx, "next", func(ctx workflow.Context) error { stage++; return nil }); err != nil {
		return err
	}
	for i := range 5 {
		if err := workflow.ExecuteActivity(ctx, noop).Get(ctx, nil); err != nil {
			return err
		}
		if err := workflow.Await(ctx, func() bool { return stage > i }); err != nil {
			return err
		}
	}
	return nil
}

func noop(context.Context) error { return nil }

func newBareSystem(b *testing.B) client.Client {
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	cfg := devConfig(b, b.TempDir(), testenv.FreePortRange(b, devtemporal.PortsUsed))
	d, err := startDev(b.Context(), cfg, quiet)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = d.stop() })
	w := worker.New(d.svc.temporal, "bare", passportworker.TemporalOptions()) // tuned as the move worker is
	w.RegisterWorkflow(bareWorkflow)
	w.RegisterActivity(noop)
	if err := w.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(w.Stop)
	return d.svc.temporal
}

func runBare(ctx context.Context, c client.Client, i int) error {
	id := fmt.Sprintf("bare-%d-%d", time.Now().UnixNano(), i)
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: "bare"}, bareWorkflow)
	if err != nil {
		return err
	}
	for range 5 {
		h, err := c.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: id, UpdateName: "next", WaitForStage: client.WorkflowUpdateStageCompleted})
		if err != nil {
			return err
		}
		if err := h.Get(ctx, nil); err != nil {
			return err
		}
	}
	return run.Get(ctx, nil)
}

// BenchmarkBareWorkflow is the floor for BenchmarkMove.
func BenchmarkBareWorkflow(b *testing.B) {
	c := newBareSystem(b)
	ctx := b.Context()
	b.ResetTimer()
	for i := range b.N {
		if err := runBare(ctx, c, i); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/workflow")
}

// BenchmarkBareWorkflowConcurrent50 is the floor for BenchmarkMoveConcurrent50.
func BenchmarkBareWorkflowConcurrent50(b *testing.B) {
	c := newBareSystem(b)
	benchConcurrent(b, 50, func(ctx context.Context, i int) error { return runBare(ctx, c, i) })
}
