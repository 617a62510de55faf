package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/nhs-staff-passport/passport/internal/config"
	"github.com/nhs-staff-passport/passport/models"
)

// runTrusts registers a trust from the command line: how a new deployment
// gets its first trust (and so its first operator key). After that,
// operators register trusts through the API.
func runTrusts(ctx context.Context, cfg config.Config, args []string, stdout, stderr io.Writer) error {
	const usage = "Usage: passport trusts add -ods ODS -name NAME [-region REGION] [-email CONTACT]"
	if len(args) == 0 || args[0] != "add" {
		fmt.Fprintln(stderr, usage)
		return errUsage
	}
	fs := flag.NewFlagSet("trusts add", flag.ContinueOnError)
	fs.SetOutput(stderr)
	ods := fs.String("ods", "", "the trust's ODS code, e.g. RJ1")
	name := fs.String("name", "", "the trust's name")
	region := fs.String("region", "", "NHS region")
	email := fs.String("email", "", "HR contact address for the service's emails")
	st, err := parseAndOpen(ctx, cfg, fs, args[1:])
	if err != nil {
		return err
	}
	defer st.Close()
	t := models.Trust{ODSCode: strings.ToUpper(*ods), Name: *name, Region: *region, ContactEmail: strings.ToLower(*email), RegisteredAt: time.Now().UTC()}
	if err := st.RegisterTrust(ctx, &t); err != nil {
		return fmt.Errorf("trusts add: %w", err)
	}
	if err := st.Audit(ctx, models.Actor{Kind: models.ActorSystem, ID: "cli"}, "trust.registered", "trust", t.ODSCode, nil); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "registered %s %s\n", t.ODSCode, t.Name)
	return nil
}
