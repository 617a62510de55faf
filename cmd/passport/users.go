package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/google/uuid"

	"github.com/nhs-staff-passport/passport/internal/config"
	"github.com/nhs-staff-passport/passport/internal/store"
	"github.com/nhs-staff-passport/passport/models"
)

const usersUsage = `Usage:
  passport users add -trust ODS -role hr|trust_admin -email ADDRESS -name NAME
  passport users add -role operator -email ADDRESS -name NAME
  passport users list [-trust ODS]
  passport users remove -email ADDRESS

Operators belong to the service, not to a trust: add them without -trust.`

// runUsers adds the people who sign in to the portal: how a new deployment
// gets its first operator (and a trust its first administrator, if not
// invited through the portal). They sign in at /portal/sign-in with an
// emailed link; there is no password to hand over.
func runUsers(ctx context.Context, cfg config.Config, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || (args[0] != "add" && args[0] != "list" && args[0] != "remove") {
		fmt.Fprintln(stderr, usersUsage)
		return errUsage
	}
	fs := flag.NewFlagSet("users "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	trust := fs.String("trust", "", "the person's trust (ODS code)")
	role := fs.String("role", "", "hr, trust_admin or operator")
	email := fs.String("email", "", "their work email address: sign-in links go there")
	name := fs.String("name", "", "their name")
	st, err := parseAndOpen(ctx, cfg, fs, args[1:])
	if err != nil {
		return err
	}
	defer st.Close()
	if args[0] == "list" {
		users, err := st.Users(ctx, *trust)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "TRUST\tROLE\tNAME\tEMAIL\tLAST SIGN-IN\tREMOVED")
		for _, u := range users {
			last, removed := "-", "-"
			if u.LastSignInAt != nil {
				last = u.LastSignInAt.Format(time.DateOnly)
			}
			if u.DisabledAt != nil {
				removed = u.DisabledAt.Format(time.DateOnly)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", cmp.Or(u.TrustODS, "service"), u.Role, u.Name, u.Email, last, removed)
		}
		return tw.Flush()
	}
	if args[0] == "remove" {
		return removeUser(ctx, st, *email, stdout)
	}
	u := models.User{ID: uuid.NewString(), TrustODS: *trust, Role: models.Role(*role), Email: *email, Name: *name, CreatedAt: time.Now().UTC()}
	if err := u.Validate(); err != nil {
		return fmt.Errorf("users add: %w", err)
	}
	if u.TrustODS != "" {
		if _, err := st.Trust(ctx, u.TrustODS); err != nil {
			return fmt.Errorf("users add: -trust %q: %w", u.TrustODS, err)
		}
	}
	if err := st.CreateUser(ctx, &u); err != nil {
		if errors.Is(err, models.ErrConflict) {
			return fmt.Errorf("users add: %s already has an account", u.Email)
		}
		return err
	}
	if err := st.Audit(ctx, models.Actor{Kind: models.ActorSystem, ID: "cli"}, "user.invited", "user", u.ID,
		map[string]any{"trust": u.TrustODS, "role": u.Role}); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "added %s (%s, %s): they sign in at /portal/sign-in with a link emailed to them\n", u.Email, cmp.Or(u.TrustODS, "service"), u.Role)
	return nil
}

// removeUser stops a person signing in, whatever their trust or role, and
// ends their sessions: how the service's operators are removed.
func removeUser(ctx context.Context, st *store.Store, email string, out io.Writer) error {
	addr, ok := models.NormalizeEmail(email)
	if !ok {
		return fmt.Errorf("users remove: -email %q is not an email address", email)
	}
	u, err := st.UserByEmail(ctx, addr)
	if err != nil {
		return fmt.Errorf("users remove: %s: %w", addr, err)
	}
	err = st.Audited(ctx, models.Actor{Kind: models.ActorSystem, ID: "cli"}, "user.removed", "user", u.ID, nil,
		func(tx *store.Store) error {
			return tx.DisableUser(ctx, models.RoleOperator, u.TrustODS, u.ID, time.Now())
		})
	if err != nil {
		return fmt.Errorf("users remove: %s: %w", addr, err)
	}
	fmt.Fprintf(out, "removed %s (%s, %s): their sessions have ended\n", addr, cmp.Or(u.TrustODS, "service"), u.Role)
	return nil
}
