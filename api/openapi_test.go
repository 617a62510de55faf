package api_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/nhs-staff-passport/passport/api"
	"github.com/nhs-staff-passport/passport/internal/jobs"
	"github.com/nhs-staff-passport/passport/internal/webhooks"
)

// TestOpenAPIMatchesTheRoutes keeps /openapi.json true: every JSON route
// is documented and every documented operation is served.
func TestOpenAPIMatchesTheRoutes(t *testing.T) {
	h := newHarness(t, func(o *api.Options) {
		o.IdentityCallbackSecret = []byte("x")
		o.Deliveries = &jobs.Deliveries{}
		o.Webhooks = &webhooks.Service{}
	})
	var served []string
	for _, r := range h.handler.(*gin.Engine).Routes() {
		if r.Path == "/metrics" {
			continue // the Prometheus endpoint is not the JSON API (the pages are package web's)
		}
		served = append(served, r.Method+" "+r.Path)
	}
	slices.Sort(served)
	documented := api.DocumentedOperations()
	for _, s := range served {
		if !slices.Contains(documented, s) {
			t.Errorf("served but not documented: %s", s)
		}
	}
	for _, d := range documented {
		if !slices.Contains(served, d) {
			t.Errorf("documented but not served: %s", d)
		}
	}

	var doc struct {
		OpenAPI    string                    `json:"openapi"`
		Paths      map[string]map[string]any `json:"paths"`
		Components struct {
			Schemas map[string]any `json:"schemas"`
		} `json:"components"`
	}
	rec := h.do("", http.MethodGet, "/openapi.json", nil, &doc)
	if rec.Code != http.StatusOK || doc.OpenAPI != "3.1.0" || len(doc.Paths) < 25 {
		t.Errorf("openapi.json: %d %s, %d paths", rec.Code, doc.OpenAPI, len(doc.Paths))
	}
	// Every reference points at a schema that exists.
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if r, ok := x["$ref"].(string); ok {
				if _, ok := doc.Components.Schemas[strings.TrimPrefix(r, "#/components/schemas/")]; !ok {
					t.Errorf("dangling reference %s", r)
				}
			}
			for _, e := range x {
				walk(e)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	var all any
	_ = json.Unmarshal(rec.Body.Bytes(), &all)
	walk(all)
}
