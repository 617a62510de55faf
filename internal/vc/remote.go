package vc

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
)

// Remote is what one deployment of the service publishes about one issuer:
// its keys and its revocation list, fetched once, so that credentials can
// then be checked without asking again (offline).
type Remote struct {
	ODS  string
	Keys map[string]ed25519.PublicKey
	// Bits are the revocation lists fetched, by number; a list a
	// credential names that was not fetched yet is fetched once, then kept.
	Bits map[int][]byte

	hc         *http.Client
	serviceURL string
}

// FetchRemote downloads an issuer's JWKS and signed status list from the
// service at serviceURL (for example https://passport.example.nhs.uk) and
// checks the status list's signature against the keys.
func FetchRemote(ctx context.Context, hc *http.Client, serviceURL, ods string) (*Remote, error) {
	base := IssuerURL(serviceURL, ods)
	var set JWKS
	if err := getJSON(ctx, hc, base+"/keys", &set); err != nil {
		return nil, err
	}
	r := &Remote{ODS: ods, Keys: map[string]ed25519.PublicKey{}, Bits: map[int][]byte{}, hc: hc, serviceURL: serviceURL}
	for _, k := range set.Keys {
		pub, err := k.PublicKey()
		if err != nil {
			return nil, err
		}
		r.Keys[k.Kid] = pub
	}
	if _, err := r.fetchList(ctx, 0); err != nil {
		return nil, err
	}
	return r, nil
}

// fetchList downloads one of the issuer's signed status lists and checks
// its signature against the keys.
func (r *Remote) fetchList(ctx context.Context, number int) ([]byte, error) {
	body, err := get(ctx, r.hc, StatusListURLN(r.serviceURL, r.ODS, number))
	if err != nil {
		return nil, err
	}
	jws, err := Parse(string(body))
	if err != nil {
		return nil, fmt.Errorf("vc: status list of %s: %w", r.ODS, err)
	}
	pub, ok := r.Keys[jws.Header.Kid]
	if !ok {
		return nil, fmt.Errorf("vc: status list of %s is signed with an unpublished key", r.ODS)
	}
	if err := jws.Verify(pub); err != nil {
		return nil, fmt.Errorf("vc: status list of %s: %w", r.ODS, err)
	}
	var doc StatusListCredential
	if err := json.Unmarshal(jws.Payload, &doc); err != nil || !slices.Contains(doc.Type, "BitstringStatusListCredential") ||
		doc.ID != StatusListURLN(r.serviceURL, r.ODS, number) {
		return nil, fmt.Errorf("vc: status list %d of %s is not its BitstringStatusListCredential", number, r.ODS)
	}
	bits, err := DecodeList(doc.CredentialSubject.EncodedList)
	if err != nil {
		return nil, err
	}
	r.Bits[number] = bits
	return bits, nil
}

// PublicKey implements Keys.
func (r *Remote) PublicKey(_ context.Context, kid string) (ed25519.PublicKey, string, error) {
	pub, ok := r.Keys[kid]
	if !ok {
		return nil, "", ErrUnknownKey
	}
	return pub, r.ODS, nil
}

// Registered implements Registry: a trust is taken as registered when the
// service publishes its keys.
func (r *Remote) Registered(_ context.Context, ods string) (bool, error) {
	return ods == r.ODS && len(r.Keys) > 0, nil
}

// RevocationList implements StatusLists.
func (r *Remote) RevocationList(ctx context.Context, ods string, number int) ([]byte, error) {
	if ods != r.ODS {
		return nil, fmt.Errorf("vc: no status list fetched for %s", ods)
	}
	if bits, ok := r.Bits[number]; ok {
		return bits, nil
	}
	return r.fetchList(ctx, number)
}

func getJSON(ctx context.Context, hc *http.Client, url string, v any) error {
	body, err := get(ctx, hc, url)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("vc: %s: %w", url, err)
	}
	return nil
}

func get(ctx context.Context, hc *http.Client, url string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	res, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("vc: fetch %s: %w", url, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("vc: fetch %s: %w", url, err)
	}
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("vc: fetch %s: %s", url, res.Status)
	}
	return body, nil
}

// ErrForeignIssuer is returned for a credential whose issuer is not a trust
// of the service the caller chose to trust.
var ErrForeignIssuer = errors.New("vc: the issuer is not a trust of this service")

// IssuerOf reads, without checking anything, which trust of serviceURL
// claims to have issued a credential.
func IssuerOf(compact, serviceURL string) (string, error) {
	jws, err := Parse(compact)
	if err != nil {
		return "", err
	}
	var doc Credential
	if err := json.Unmarshal(jws.Payload, &doc); err != nil {
		return "", ErrMalformed
	}
	ods, ok := IssuerODS(doc.Issuer.ID)
	if !ok || doc.Issuer.ID != IssuerURL(serviceURL, ods) || !strings.HasPrefix(doc.Issuer.ID, strings.TrimRight(serviceURL, "/")+"/") {
		return "", ErrForeignIssuer
	}
	return ods, nil
}
