package web_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/nhs-staff-passport/passport/models"
	"github.com/nhs-staff-passport/passport/web"
)

// TestEveryPageKeepsItsRoles is the portal's access matrix, generated from
// the router: every page and form under /portal is called by a signed-in
// person of each role of the trust that owns the data, and by each role of
// a trust that has nothing to do with it. A role the page's permission
// does not list gets 403; a listed one gets past the door; the outsider
// gets 403 or 404 and nothing of the owner's. A page added without a
// permission fails here.
func TestEveryPageKeepsItsRoles(t *testing.T) {
	ph := newPortalHarness(t)
	p, cred, mv := priyasMove(t, ph.harness)
	public := []string{"GET /portal/sign-in", "POST /portal/sign-in", "GET /portal/sign-in/:token", "POST /portal/sign-in/:token", "POST /portal/demo-sign-in"}
	roles := web.PageRoles()
	// What each page should allow, written here apart from the router (the
	// pages mirror the API's permissions): the router's table must agree.
	h, a, o := models.RoleHR, models.RoleTrustAdmin, models.RoleOperator
	expect := func(key string) []models.Role {
		method, path, _ := strings.Cut(key, " ")
		switch {
		case path == "/portal" || path == "/portal/sign-out":
			return []models.Role{h, a, o}
		case method == "GET" && strings.HasPrefix(path, "/portal/moves"),
			strings.HasSuffix(path, "/cancel"), strings.HasSuffix(path, "/deadline"):
			return []models.Role{h, a, o}
		case strings.HasSuffix(path, "/retry") && strings.HasPrefix(path, "/portal/moves/"):
			return []models.Role{a, o}
		case strings.HasPrefix(path, "/portal/moves/"), strings.HasPrefix(path, "/portal/start"), strings.HasPrefix(path, "/portal/rotations"),
			strings.HasPrefix(path, "/portal/passports"), strings.HasPrefix(path, "/portal/imports"), key == "GET /portal/settings":
			return []models.Role{h, a}
		case strings.HasPrefix(path, "/portal/settings/"):
			return []models.Role{a}
		case strings.HasPrefix(path, "/portal/operator"):
			return []models.Role{o}
		}
		return nil
	}
	param := func(route, name string) string {
		switch {
		case name == "id" && strings.HasPrefix(route, "/portal/moves/"):
			return mv.ID
		case name == "id" && strings.HasPrefix(route, "/portal/passports/"):
			return p.ID
		case name == "cid":
			return cred.ID
		case name == "type":
			return "dbs_check"
		case name == "group":
			return "temporary_mover"
		case name == "ods":
			return "ZZZ" // an operator's suspend must not hit a real trust
		case name == "share":
			return "share-x"
		}
		return uuid.NewString()
	}
	sessions := map[string]*browser{}
	token := map[string]string{}
	for _, who := range []string{"RJ1/hr", "RJ1/trust_admin", "RJ1/operator", "R0A/hr", "R0A/trust_admin"} {
		sessions[who] = ph.signIn(who)
		token[who] = csrf(t, sessions[who].send("GET", "/portal", nil).Body.String())
	}
	checked := 0
	for _, r := range ph.handler.(*gin.Engine).Routes() {
		key := r.Method + " " + r.Path
		if !strings.HasPrefix(r.Path, "/portal") || slices.Contains(public, key) {
			continue
		}
		allowed, known := roles[key]
		if !known {
			t.Errorf("%s has no permission: mount it with one", key)
			continue
		}
		if want := expect(key); !slices.Equal(want, allowed) {
			t.Errorf("%s allows %v, want %v", key, allowed, want)
		}
		if key == "POST /portal/sign-out" {
			continue // every role; calling it would end the session
		}
		segs := strings.Split(r.Path, "/")
		for i, s := range segs {
			if strings.HasPrefix(s, ":") {
				segs[i] = param(r.Path, s[1:])
			}
		}
		path := strings.Join(segs, "/")
		call := func(who string) (int, string) {
			var form url.Values
			if r.Method == http.MethodPost {
				form = url.Values{"csrf": {token[who]}}
			}
			rec := sessions[who].send(r.Method, path, form)
			return rec.Code, rec.Body.String()
		}
		checked++
		for _, role := range models.Roles() {
			code, _ := call("RJ1/" + string(role))
			ok := slices.Contains(allowed, role)
			switch {
			case !ok && code != http.StatusForbidden:
				t.Errorf("RJ1 %s %s: %d, want 403 (the page allows %v)", role, key, code, allowed)
			case ok && (code == http.StatusForbidden || code == http.StatusUnauthorized):
				t.Errorf("RJ1 %s %s: %d, but the page allows %s", role, key, code, role)
			}
			// The outsider, on pages about RJ1's move or passport.
			if role == models.RoleOperator || !ok || !(strings.Contains(r.Path, "/moves/:id") || strings.Contains(r.Path, "/passports/:id")) {
				continue
			}
			code, body := call("R0A/" + string(role))
			if code != http.StatusNotFound && code != http.StatusForbidden {
				t.Errorf("R0A %s %s: %d, want 403 or 404", role, key, code)
			}
			if strings.Contains(body, "Secretname") || strings.Contains(body, "priya@") {
				t.Errorf("R0A %s %s: the page shows RJ1's person", role, key)
			}
		}
	}
	if checked < 30 {
		t.Errorf("only %d pages checked: the matrix no longer sees the router", checked)
	}
}
