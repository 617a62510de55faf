package api_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nhs-staff-passport/passport/api"
	"github.com/nhs-staff-passport/passport/models"
)

func TestRegisterTrustAndPublicList(t *testing.T) {
	h := newHarness(t)
	body := map[string]string{"ods_code": "rth", "name": "Oxford University Hospitals NHS Foundation Trust", "region": "South East", "contact_email": "HR@ouh.nhs.uk"}
	if rec := h.do("RJ1/trust_admin", http.MethodPost, "/api/v1/trusts", body, nil); rec.Code != http.StatusForbidden {
		t.Errorf("a trust admin registering a trust: %d", rec.Code)
	}
	var list []struct {
		ODSCode string `json:"ods_code"`
		Name    string
	}
	h.do("", http.MethodGet, "/api/v1/trusts", nil, &list) // fills the cache
	if rec := h.do("RJ1/operator", http.MethodPost, "/api/v1/trusts", body, nil); rec.Code != http.StatusCreated {
		t.Fatalf("register: %d %s", rec.Code, rec.Body)
	}
	if rec := h.do("RJ1/operator", http.MethodPost, "/api/v1/trusts", body, nil); rec.Code != http.StatusConflict {
		t.Errorf("registering twice: %d", rec.Code)
	}
	rec := h.do("RJ1/operator", http.MethodPost, "/api/v1/trusts", map[string]string{"ods_code": "x!", "name": "", "contact_email": "nope", "region": strings.Repeat("r", 101)}, nil)
	if p := h.problem(rec); rec.Code != http.StatusUnprocessableEntity || !hasField(p, "ods_code") || !hasField(p, "name") || !hasField(p, "contact_email") || !hasField(p, "region") {
		t.Errorf("bad trust: %d %+v", rec.Code, p.Errors)
	}
	if rec := h.do("", http.MethodGet, "/api/v1/trusts", nil, &list); rec.Code != http.StatusOK || !slices.ContainsFunc(list, func(x struct {
		ODSCode string `json:"ods_code"`
		Name    string
	}) bool {
		return x.ODSCode == "RTH"
	}) {
		t.Errorf("the new trust is not listed at once: %+v", list)
	}
	h.do("", http.MethodGet, "/api/v1/trusts?q=oxford", nil, &list)
	if len(list) != 1 || list[0].ODSCode != "RTH" {
		t.Errorf("search: %+v", list)
	}
	// An unregistered trust takes no part.
	if err := h.store.SaveTrust(context.Background(), &models.Trust{ODSCode: "RX1", Name: "Not yet", RegisteredAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	h.do("", http.MethodGet, "/api/v1/trusts?q=RX1", nil, &list)
	if len(list) != 0 {
		t.Errorf("an unregistered trust is listed: %+v", list)
	}
	soon := time.Now().AddDate(0, 1, 0).Format("2006-01-02")
	rec = h.do("RJ1/hr", http.MethodPost, "/api/v1/moves", `{"staff":{"email":"a@nhs.net","given_name":"A","family_name":"B","staff_group":"temporary_mover"},
		"receiving_trust":"RX1","kind":"rotation","start_date":"`+soon+`"}`, nil)
	if p := h.problem(rec); rec.Code != http.StatusUnprocessableEntity || !hasField(p, "receiving_trust") {
		t.Errorf("a move to an unregistered trust: %d %+v", rec.Code, p.Errors)
	}
}

// BenchmarkPublicTrustList250 is GET /api/v1/trusts with every NHS trust in
// England registered (250).
func BenchmarkPublicTrustList250(b *testing.B) {
	h := newBenchHarness(b)
	for i := range 250 {
		if err := h.store.RegisterTrust(context.Background(), &models.Trust{ODSCode: fmt.Sprintf("B%03d", i), Name: fmt.Sprintf("Bench Trust %d NHS Foundation Trust", i), Region: "London", RegisteredAt: time.Now()}); err != nil {
			b.Fatal(err)
		}
	}
	var all []time.Duration
	b.ResetTimer()
	for range b.N {
		rec := httptest.NewRecorder()
		start := time.Now()
		h.handler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/v1/trusts", nil))
		all = append(all, time.Since(start))
		if rec.Code != http.StatusOK {
			b.Fatal(rec.Code)
		}
	}
	b.StopTimer()
	slices.Sort(all)
	b.ReportMetric(float64(all[len(all)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(all[len(all)*99/100].Microseconds())/1000, "p99-ms")
}

// A credential's issuer.id answers: the trust as issuer, with where its
// keys and revocation list are (issue 16: it answered 404).
func TestIssuerIDAnswers(t *testing.T) {
	h := newHarness(t, func(o *api.Options) { o.PublicURL = "https://passport.example.nhs.uk" })
	_, cred, _ := priyasMove(t, h)
	dbs, err := h.store.Credential(context.Background(), cred.ID)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(dbs.JWS, ".")
	payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
	var doc struct {
		Issuer struct{ ID string } `json:"issuer"`
	}
	if err := json.Unmarshal(payload, &doc); err != nil || doc.Issuer.ID == "" {
		t.Fatalf("issuer of %s: %v", payload, err)
	}
	var got struct {
		ID, Name, Keys string
		StatusList     string `json:"status_list"`
	}
	path := strings.TrimPrefix(doc.Issuer.ID, "https://passport.example.nhs.uk")
	if rec := h.do("", http.MethodGet, path, nil, &got); rec.Code != http.StatusOK {
		t.Fatalf("GET %s: %d", path, rec.Code)
	}
	if got.ID != doc.Issuer.ID || got.Name != "Trust RJ1" || got.Keys != doc.Issuer.ID+"/keys" || !strings.HasPrefix(got.StatusList, doc.Issuer.ID+"/status/") {
		t.Errorf("the issuer: %+v", got)
	}
	if rec := h.do("", http.MethodGet, "/api/v1/trusts/ZZZ9", nil, nil); rec.Code != http.StatusNotFound {
		t.Errorf("a trust not taking part: %d", rec.Code)
	}
}
