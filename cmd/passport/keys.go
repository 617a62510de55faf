package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/nhs-staff-passport/passport/internal/config"
	"github.com/nhs-staff-passport/passport/internal/store"
	"github.com/nhs-staff-passport/passport/models"
)

const keysUsage = `Usage:
  passport keys create -trust ODS -role hr|trust_admin [-name NAME]
  passport keys create -role operator [-name NAME]
  passport keys list [-trust ODS]
  passport keys revoke -prefix PREFIX

An operator's key belongs to the service, not to a trust: make it without
-trust; "keys list" without -trust lists the operators' keys. The new key is
printed once; only its hash is stored. Needs PASSPORT_DATABASE_URL.`

// runKeys manages API keys from the command line: how the first keys of a
// production deployment are made.
func runKeys(ctx context.Context, cfg config.Config, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprintln(stderr, keysUsage)
		return errUsage
	}
	fs := flag.NewFlagSet("keys "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	trust := fs.String("trust", "", "the trust's ODS code")
	role := fs.String("role", "", "hr, trust_admin or operator")
	name := fs.String("name", "", "what the key is for, e.g. ESR integration")
	prefix := fs.String("prefix", "", "the key's visible prefix (the part after sp_)")
	st, err := parseAndOpen(ctx, cfg, fs, args[1:])
	if err != nil {
		return err
	}
	defer st.Close()
	switch args[0] {
	case "create":
		return createKey(ctx, st, *trust, models.Role(*role), *name, stdout)
	case "list":
		return listKeys(ctx, st, *trust, stdout)
	case "revoke":
		return revokeKey(ctx, st, *prefix, stdout)
	}
	fmt.Fprintln(stderr, keysUsage)
	return errUsage
}

func createKey(ctx context.Context, st *store.Store, trust string, role models.Role, name string, out io.Writer) error {
	if !role.Valid() {
		return errors.New("keys create: -role must be hr, trust_admin or operator")
	}
	trust = strings.ToUpper(strings.TrimSpace(trust))
	if problem := models.AccountTrust(role, trust); problem != "" {
		return fmt.Errorf("keys create: -trust: %s", problem)
	}
	if trust != "" {
		if _, err := st.Trust(ctx, trust); err != nil {
			return fmt.Errorf("keys create: -trust %q: %w", trust, err)
		}
	}
	plain, _, err := st.IssueAPIKey(ctx, models.Actor{Kind: models.ActorSystem, ID: "cli"}, trust, role, name)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "%s\n", plain)
	return nil
}

func listKeys(ctx context.Context, st *store.Store, trust string, out io.Writer) error {
	keys, err := st.APIKeys(ctx, trust)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "PREFIX\tROLE\tNAME\tCREATED\tLAST USED\tREVOKED")
	day := func(t *time.Time) string {
		if t == nil {
			return "-"
		}
		return t.Format(time.DateOnly)
	}
	for _, k := range keys {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", k.Prefix, k.Role, k.Name, k.CreatedAt.Format(time.DateOnly), day(k.LastUsedAt), day(k.RevokedAt))
	}
	return tw.Flush()
}

func revokeKey(ctx context.Context, st *store.Store, prefix string, out io.Writer) error {
	k, err := st.WithdrawAPIKey(ctx, models.Actor{Kind: models.ActorSystem, ID: "cli"}, "", prefix)
	if err != nil {
		return fmt.Errorf("keys revoke: -prefix %q: %w", prefix, err)
	}
	fmt.Fprintf(out, "revoked %s (%s, %s)\n", k.Prefix, cmp.Or(k.TrustODS, "service"), k.Role)
	return nil
}

// openStore opens the database for a command that needs only it.
// parseAndOpen parses a command's flags and opens the database it works on.
func parseAndOpen(ctx context.Context, cfg config.Config, fs *flag.FlagSet, args []string) (*store.Store, error) {
	if err := fs.Parse(args); err != nil {
		return nil, errUsage
	}
	return openStore(ctx, cfg)
}

func openStore(ctx context.Context, cfg config.Config) (*store.Store, error) {
	if err := cfg.Validate(config.ModeMigrate); err != nil {
		return nil, fmt.Errorf("configuration:\n%w", err)
	}
	return store.Open(ctx, cfg.DatabaseURL)
}
