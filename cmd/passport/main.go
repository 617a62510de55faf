// Command passport is the Staff Passport service: one binary for the API,
// the workers, database migrations and a self-contained development mode.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	"text/tabwriter"
	_ "time/tzdata" // the daily jobs keep London time wherever they run

	"github.com/nhs-staff-passport/passport/internal/config"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	if errors.Is(err, errUsage) {
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "passport:", err)
		os.Exit(1)
	}
}

var errUsage = errors.New("usage")

// run is main without the process: tests call it with their own
// environment and output.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		usage(stderr)
		return errUsage
	}
	cmd := args[0]
	switch cmd {
	case "help", "-h", "--help":
		usage(stdout)
		return nil
	case "version", "--version":
		fmt.Fprintln(stdout, "passport", versionString())
		return nil
	case "verify":
		return runVerify(ctx, args[1:], getenv, os.Stdin, stdout, stderr)
	}

	cfg, err := config.Load(getenv)
	if err != nil {
		return fmt.Errorf("configuration:\n%w", err)
	}
	switch cmd {
	case "dev":
		return runDev(ctx, cfg, stdout, stderr)
	case "api":
		return runAPI(ctx, cfg, stderr)
	case "worker":
		return runWorker(ctx, cfg, stderr)
	case "migrate":
		return runMigrate(ctx, cfg, stderr)
	case "temporal":
		return runTemporal(ctx, cfg, stdout, stderr)
	case "keys":
		return runKeys(ctx, cfg, args[1:], stdout, stderr)
	case "trusts":
		return runTrusts(ctx, cfg, args[1:], stdout, stderr)
	case "users":
		return runUsers(ctx, cfg, args[1:], stdout, stderr)
	default:
		fmt.Fprintf(stderr, "passport: unknown command %q\n\n", cmd)
		usage(stderr)
		return errUsage
	}
}

func versionString() string {
	v := version
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, s := range info.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				v += " (" + s.Value[:12] + ")"
			}
		}
		v += " " + info.GoVersion
	}
	return v
}

func usage(w io.Writer) {
	fmt.Fprint(w, `Staff Passport: moves of NHS staff between trusts, with their verified credentials.

Usage: passport <command>

Commands:
  dev       run the whole system in one process on embedded defaults
            (Temporal, database, Redis and a mail catcher inside; nothing to install)
  api       serve the HTTP API and pages (production)
  worker    run the Temporal worker and the email/webhook delivery queue (production)
  migrate   create or update the database schema (idempotent); with PASSPORT_TEMPORAL_ADDRESS
            set, also register the moves' search attributes in the namespace
  temporal  run the embedded Temporal server alone (SQLite in the data dir, port
            PASSPORT_DEV_TEMPORAL_PORT): for several processes on one machine, not production
  trusts    register a trust: passport trusts add -ods RJ1 -name "..." -email hr@...
  keys      create, list and revoke API keys: passport keys create -trust RJ1 -role hr
  users     add, list and remove the people who sign in to the portal:
            passport users add -role operator -email jo@nhs.net -name "Jo Bloggs"
  verify    check a credential (compact JWS) against the keys and revocation
            list a deployment publishes: passport verify -service URL [file]
  version   print the version
  help      print this help

Configuration comes from environment variables:

`)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  VARIABLE\tDEFAULT\tMEANING")
	for _, v := range config.Vars() {
		def := v.Default
		if def == "" {
			def = "-"
		}
		help := v.Help
		if v.Secret {
			help += " [secret]"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", v.Name, def, help)
	}
	_ = tw.Flush()
}
