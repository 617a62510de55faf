package api_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/nhs-staff-passport/passport/api"
	"github.com/nhs-staff-passport/passport/internal/jobs"
	"github.com/nhs-staff-passport/passport/internal/webhooks"
	"github.com/nhs-staff-passport/passport/models"
)

// TestEveryRouteKeepsItsRoles is the access matrix generated from the
// router: every JSON route (the OpenAPI test keeps each one documented,
// with its roles) is called by every role of the trust that owns the data,
// and by every role of a trust that has nothing to do with it. A role the
// document does not list gets 403; a listed one gets past the door; the
// outsider gets 403 or 404 and nothing of the owner's in the answer. A new
// route cannot be added without a rule: undocumented, the OpenAPI test
// fails; documented, it is checked here.
func TestEveryRouteKeepsItsRoles(t *testing.T) {
	ctx := context.Background()
	var hooks *webhooks.Service
	h := newHarness(t, func(o *api.Options) {
		hooks, _ = webhooks.New(o.Store, []byte("0123456789abcdef0123456789abcdef"), nil)
		o.Webhooks = hooks
		o.Deliveries = &jobs.Deliveries{}
		o.IdentityCallbackSecret = []byte("x")
	})
	// RJ1's data: a passport with a credential, a move to RRK, an import,
	// a webhook endpoint.
	p, cred, mv := priyasMove(t, h)
	var imp struct{ ID string }
	h.do("RJ1/hr", http.MethodPost, "/api/v1/credentials/imports", `{"rows":[{"email":"priya@nhs.net","type":"occupational_health","claims":{"clearance":"fit","epp_cleared":false,"assessed_on":"2026-01-01"}}]}`, &imp)
	ep, _, err := hooks.Register(ctx, models.Actor{Kind: models.ActorSystem}, "RJ1", "https://esr.example.nhs.uk/hooks", []string{models.EventMoveCompleted})
	if err != nil {
		t.Fatal(err)
	}
	param := func(route, name string) string {
		switch {
		case name == "ods":
			return "RJ1"
		case name == "share":
			return "share-x"
		case name == "group":
			return "temporary_mover"
		case name == "list":
			return "1"
		case name == "token":
			return "not-a-token"
		case strings.HasPrefix(route, "/api/v1/moves/"):
			return mv.ID
		case strings.HasPrefix(route, "/api/v1/passports/"):
			return p.ID
		case strings.HasPrefix(route, "/api/v1/credentials/imports/"):
			return imp.ID
		case strings.HasPrefix(route, "/api/v1/credentials/"):
			return cred.ID
		case strings.Contains(route, "/webhooks/"):
			return ep.ID
		}
		return uuid.NewString()
	}
	roles := api.OperationRoles()
	checked := 0
	for _, r := range h.handler.(*gin.Engine).Routes() {
		key := r.Method + " " + r.Path
		allowed, documented := roles[key]
		if !strings.HasPrefix(r.Path, "/api/v1/") || !documented || len(allowed) == 0 {
			continue // pages, public endpoints (the OpenAPI test checks every route is documented)
		}
		segs := strings.Split(r.Path, "/")
		for i, s := range segs {
			if strings.HasPrefix(s, ":") {
				segs[i] = param(r.Path, s[1:])
			}
		}
		path := strings.Join(segs, "/")
		body := ""
		if r.Method != http.MethodGet && r.Method != http.MethodDelete {
			body = "{}"
		}
		checked++
		for _, role := range models.Roles() {
			rec := h.do("RJ1/"+string(role), r.Method, path, body, nil)
			switch ok := slices.Contains(allowed, role); {
			case !ok && rec.Code != http.StatusForbidden:
				t.Errorf("RJ1 %s %s: %d, want 403 (the document allows %v)", role, key, rec.Code, allowed)
			case ok && (rec.Code == http.StatusForbidden || rec.Code == http.StatusUnauthorized):
				t.Errorf("RJ1 %s %s: %d, but the document allows %s", role, key, rec.Code, role)
			}
			if !slices.Contains(allowed, role) {
				continue
			}
			// An outsider with the same role. Operators see every trust's
			// moves; service-wide operator routes belong to no trust.
			if role == models.RoleOperator && (strings.HasPrefix(r.Path, "/api/v1/moves") || !strings.Contains(r.Path, ":") ||
				slices.Equal(allowed, []models.Role{models.RoleOperator})) {
				continue
			}
			if r.Method == http.MethodPost && (r.Path == "/api/v1/passports" || r.Path == "/api/v1/moves" || r.Path == "/api/v1/rotations" ||
				r.Path == "/api/v1/credentials/imports" || r.Path == "/api/v1/verify") || r.Path == "/api/v1/moves" || r.Path == "/api/v1/deliveries/failed" ||
				r.Path == "/api/v1/enquiries" {
				continue // the caller's own trust's data, whoever calls
			}
			rec = h.do("R0A/"+string(role), r.Method, path, body, nil)
			if rec.Code != http.StatusNotFound && rec.Code != http.StatusForbidden && rec.Code != http.StatusUnprocessableEntity {
				t.Errorf("R0A %s %s: %d, want 403, 404 or 422", role, key, rec.Code)
			}
			if strings.Contains(rec.Body.String(), "Secretname") || strings.Contains(rec.Body.String(), "priya@") {
				t.Errorf("R0A %s %s: the answer shows RJ1's data", role, key)
			}
		}
	}
	if checked < 30 {
		t.Errorf("only %d routes checked: the matrix no longer sees the router", checked)
	}
}
