package jobs

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"

	"github.com/nhs-staff-passport/passport/models"
)

// errNotPublic is a webhook endpoint whose name resolved to an address
// inside this service's network (or the cloud's metadata service).
var errNotPublic = errors.New("the endpoint's address is not a public one")

// webhookClient posts webhooks: to public addresses only, judged as each
// connection is made (after DNS, so a name that changes to a private
// address is caught), and never following a redirect. allowPrivate lets
// development mode reach this machine.
func webhookClient(allowPrivate bool) *http.Client {
	dialer := &net.Dialer{Timeout: 10 * time.Second, Control: func(_, address string, _ syscall.RawConn) error {
		if allowPrivate {
			return nil
		}
		ap, err := netip.ParseAddrPort(address)
		if err != nil || !models.PublicAddress(ap.Addr()) {
			return fmt.Errorf("%w (%s)", errNotPublic, address)
		}
		return nil
	}}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.Proxy = nil // a proxy would connect for us, to anywhere
	transport.DialContext = dialer.DialContext
	return &http.Client{
		Timeout:   20 * time.Second,
		Transport: transport,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse // a redirect is an answer, not a new address to post to
		},
	}
}
