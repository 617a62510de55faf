package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/nhs-staff-passport/passport/internal/vc"
)

// errInvalid makes the process exit 1 when a credential does not verify.
var errInvalid = errors.New("the credential is not valid")

// runVerify checks a credential (compact JWS, from a file or standard input)
// against the keys and revocation list that a deployment of the service
// publishes, as any receiving system would: no database, no API key.
func runVerify(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("verify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	service := fs.String("service", getenv("PASSPORT_PUBLIC_URL"), "base URL of the service whose trusts you accept as issuers")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: passport verify [-service URL] [file]\n\nVerifies a credential (compact JWS) read from file or standard input.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	if *service == "" {
		*service = "http://localhost:8080"
	}
	var in io.Reader = stdin
	if fs.NArg() == 1 {
		f, err := os.Open(fs.Arg(0))
		if err != nil {
			return err
		}
		defer f.Close()
		in = f
	}
	raw, err := io.ReadAll(io.LimitReader(in, 1<<20))
	if err != nil {
		return err
	}
	compact := strings.TrimSpace(string(raw))
	ods, err := vc.IssuerOf(compact, *service)
	if err != nil {
		return fmt.Errorf("%w (service %s)", err, *service)
	}
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	remote, err := vc.FetchRemote(ctx, &http.Client{Timeout: 10 * time.Second}, *service, ods)
	if err != nil {
		return err
	}
	res, err := vc.Verifier{Keys: remote, Registry: remote, Status: remote}.Verify(ctx, compact, time.Now())
	if err != nil {
		return err
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(res); err != nil {
		return err
	}
	if !res.Valid {
		return errInvalid
	}
	return nil
}
