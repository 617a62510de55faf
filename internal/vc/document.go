package vc

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Contexts every document of ours names first; the second describes the
// service's own terms.
var Contexts = []string{"https://www.w3.org/ns/credentials/v2", "https://staff-passport.nhs.uk/contexts/v1"}

// Issuer identifies the trust that signed a document.
type Issuer struct {
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
}

// Subject is the passport a credential speaks of, and what it says.
type Subject struct {
	ID             string          `json:"id"`
	CredentialType string          `json:"credentialType"`
	Claims         json.RawMessage `json:"claims"`
}

// Status points at the credential's bit in its issuer's status list.
type Status struct {
	ID                   string `json:"id"`
	Type                 string `json:"type"`
	StatusPurpose        string `json:"statusPurpose"`
	StatusListIndex      string `json:"statusListIndex"`
	StatusListCredential string `json:"statusListCredential"`
}

// Credential is a Verifiable Credential 2.0 document.
type Credential struct {
	Context           []string `json:"@context"`
	ID                string   `json:"id"`
	Type              []string `json:"type"`
	Issuer            Issuer   `json:"issuer"`
	ValidFrom         string   `json:"validFrom"`
	ValidUntil        string   `json:"validUntil,omitempty"`
	CredentialSubject Subject  `json:"credentialSubject"`
	CredentialStatus  *Status  `json:"credentialStatus,omitempty"`
}

// IssuerURL is the issuer ID of a trust: where its keys and status list live.
func IssuerURL(publicURL, ods string) string {
	return strings.TrimRight(publicURL, "/") + "/api/v1/trusts/" + ods
}

// StatusListURL is where a trust publishes its first revocation list.
func StatusListURL(publicURL, ods string) string {
	return IssuerURL(publicURL, ods) + "/status/revocation"
}

// StatusListURLN is where a trust publishes its revocation list number n
// (0 is the first, at StatusListURL).
func StatusListURLN(publicURL, ods string, n int) string {
	if n == 0 {
		return StatusListURL(publicURL, ods)
	}
	return StatusListURL(publicURL, ods) + "/" + strconv.Itoa(n)
}

// statusListNumber reads which of the issuer's lists a status list URL
// names, or false when it is not one of the issuer's.
func statusListNumber(url, publicURL, ods string) (int, bool) {
	first := StatusListURL(publicURL, ods)
	if url == first {
		return 0, true
	}
	rest, ok := strings.CutPrefix(url, first+"/")
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(rest)
	if err != nil || n < 1 || strconv.Itoa(n) != rest {
		return 0, false
	}
	return n, true
}

// IssuerODS extracts the trust's ODS code from an issuer ID.
func IssuerODS(issuerID string) (string, bool) {
	i := strings.LastIndex(issuerID, "/api/v1/trusts/")
	if i < 0 {
		return "", false
	}
	ods := issuerID[i+len("/api/v1/trusts/"):]
	return ods, ods != "" && !strings.Contains(ods, "/")
}

// NewCredentialInput is what a credential document is made of.
type NewCredentialInput struct {
	PublicURL      string
	ID             string // credential UUID
	IssuerODS      string
	IssuerName     string
	PassportID     string
	CredentialType string
	Claims         json.RawMessage
	ValidFrom      time.Time
	ValidUntil     *time.Time
	StatusList     int // which of the issuer's revocation lists
	StatusIndex    int
}

// NewCredential builds the document to sign.
func NewCredential(in NewCredentialInput) Credential {
	c := Credential{
		Context:   Contexts,
		ID:        "urn:uuid:" + in.ID,
		Type:      []string{"VerifiableCredential", "StaffPassportCredential"},
		Issuer:    Issuer{ID: IssuerURL(in.PublicURL, in.IssuerODS), Name: in.IssuerName},
		ValidFrom: in.ValidFrom.UTC().Format(time.RFC3339),
		CredentialSubject: Subject{
			ID:             "urn:uuid:" + in.PassportID,
			CredentialType: in.CredentialType,
			Claims:         in.Claims,
		},
		CredentialStatus: &Status{
			ID:                   StatusListURLN(in.PublicURL, in.IssuerODS, in.StatusList) + "#" + strconv.Itoa(in.StatusIndex),
			Type:                 "BitstringStatusListEntry",
			StatusPurpose:        "revocation",
			StatusListIndex:      strconv.Itoa(in.StatusIndex),
			StatusListCredential: StatusListURLN(in.PublicURL, in.IssuerODS, in.StatusList),
		},
	}
	if in.ValidUntil != nil {
		c.ValidUntil = in.ValidUntil.UTC().Format(time.RFC3339)
	}
	return c
}

// StatusListSubject is the subject of a status list credential.
type StatusListSubject struct {
	ID            string `json:"id"`
	Type          string `json:"type"`
	StatusPurpose string `json:"statusPurpose"`
	EncodedList   string `json:"encodedList"`
}

// StatusListCredential is a BitstringStatusListCredential document.
type StatusListCredential struct {
	Context           []string          `json:"@context"`
	ID                string            `json:"id"`
	Type              []string          `json:"type"`
	Issuer            Issuer            `json:"issuer"`
	ValidFrom         string            `json:"validFrom"`
	CredentialSubject StatusListSubject `json:"credentialSubject"`
}

// NewStatusListCredential builds one of a trust's revocation list
// documents (number 0 is the first).
func NewStatusListCredential(publicURL, ods, name string, number int, bits []byte, now time.Time) (StatusListCredential, error) {
	enc, err := EncodeList(bits)
	if err != nil {
		return StatusListCredential{}, err
	}
	url := StatusListURLN(publicURL, ods, number)
	return StatusListCredential{
		Context:   Contexts[:1],
		ID:        url,
		Type:      []string{"VerifiableCredential", "BitstringStatusListCredential"},
		Issuer:    Issuer{ID: IssuerURL(publicURL, ods), Name: name},
		ValidFrom: now.UTC().Format(time.RFC3339),
		CredentialSubject: StatusListSubject{
			ID: url + "#list", Type: "BitstringStatusList", StatusPurpose: "revocation", EncodedList: enc,
		},
	}, nil
}

func parseTime(field, s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s %q is not an RFC 3339 time", field, s)
	}
	return t, nil
}
