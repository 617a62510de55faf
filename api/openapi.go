package api

import (
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/gin-gonic/gin"

	"github.com/nhs-staff-passport/passport/internal/credentials"
	"github.com/nhs-staff-passport/passport/models"
)

// The OpenAPI 3.1 description of the JSON API, built here beside the routes
// it describes; a test checks that every route is documented and every
// documented operation exists.

type obj = map[string]any

func ref(name string) obj { return obj{"$ref": "#/components/schemas/" + name} }

func str(desc string) obj { return obj{"type": "string", "description": desc} }

func object(required []string, props obj) obj {
	o := obj{"type": "object", "properties": props, "additionalProperties": false}
	if len(required) > 0 {
		o["required"] = required
	}
	return o
}

func list(items obj) obj { return obj{"type": "array", "items": items} }

var schemas = obj{
	"Problem": obj{"type": "object", "description": "RFC 9457 problem details.", "properties": obj{
		"type": str("stable problem type URI"), "title": str(""), "status": obj{"type": "integer"}, "detail": str("what went wrong, for a person"),
		"instance": str(""), "errors": list(object([]string{"field", "reason"}, obj{"field": str("the field at fault"), "reason": str("")})),
	}},
	"Step": object(nil, obj{"name": str("invite, identity, records, consent, transfer, acceptance, complete"),
		"state": str("not_started, running, waiting, done, skipped, failed, cancelled"), "started_at": str("RFC 3339"),
		"finished_at": str("RFC 3339"), "reminders": obj{"type": "integer"}, "error": str("the cause, when failed")}),
	"Share": object(nil, obj{"id": str(""), "credential_id": str(""), "credential_type": str(""),
		"verification": list(ref("Check")), "decision": str("pending, accepted, rejected"), "decision_reason": str(""), "revoked": obj{"type": "boolean"}}),
	"Check": object(nil, obj{"check": str("signature, issuer_registered, not_expired, not_revoked"), "passed": obj{"type": "boolean"}, "reason": str("")}),
	"Move": object(nil, obj{"id": str(""), "status": str("active, completed, cancelled, declined, expired"), "stage": str(""),
		"waiting_on": obj{"type": []string{"string", "null"}, "description": "staff, sending_trust, receiving_trust, operator or null"},
		"kind":       str("temporary_move or rotation"), "passport_id": str(""), "sending_trust": str("ODS code"), "receiving_trust": str("ODS code"),
		"staff_group": str(""), "start_date": str("YYYY-MM-DD"), "end_date": str("YYYY-MM-DD"), "requested_credentials": list(str("")),
		"deadline": str("RFC 3339"), "reminders_sent": obj{"type": "integer"}, "steps": list(ref("Step")), "shares": list(ref("Share")),
		"records": list(object(nil, obj{"credential_type": str(""), "state": str("missing, recorded or no_record"), "at": str("RFC 3339")})),
		"missing": obj{"type": "array", "description": "once the credentials are transferred: each one asked for and not shared, and why " +
			"(not_held: the passport held no valid one; not_chosen: the member of staff chose not to share it; no_record: the sending trust holds no record). " +
			"The receiving trust checks these itself.",
			"items": object([]string{"type", "reason"}, obj{"type": str("credential type"), "reason": str("not_held, not_chosen or no_record")})},
		"last_failure": obj{"type": "object"}, "pending_action": str("what the move waits for, in words"), "end_reason": str(""),
		"paused": obj{"type": "boolean", "description": "held by an operator (its trust suspended); it carries on when released"}, "pause_reason": str(""),
		"timeline": list(object(nil, obj{"at": str(""), "event": str(""), "detail": str("")})), "created_at": str(""), "updated_at": str("")}),
	"MoveList": object([]string{"moves", "next_cursor"}, obj{"moves": list(obj{"type": "object"}),
		"next_cursor": obj{"type": []string{"string", "null"}, "description": "pass as cursor for the next page"}}),
	"StartMove": object([]string{"staff", "receiving_trust", "kind", "start_date"}, obj{
		"staff": object([]string{"email", "given_name", "family_name", "staff_group"}, obj{"email": str(""), "given_name": str(""),
			"family_name": str(""), "staff_group": str("temporary_mover or doctor_in_training"),
			"professional_registration": object([]string{"body", "number"}, obj{"body": str("GMC, NMC, …"), "number": str("")})}),
		"sending_trust": str("the caller's trust (the default): only the sending trust starts a move"), "receiving_trust": str(""), "kind": str(""), "start_date": str(""),
		"end_date": str("temporary moves"), "requested_credentials": list(str("credential type; default: the receiving trust's checklist")),
		"policy": object(nil, obj{"reminder_interval_hours": obj{"type": "integer"}, "max_reminders": obj{"type": "integer"}, "deadline_days": obj{"type": "integer"}}),
		"bypass": list(object([]string{"credential_type", "reason"}, obj{"credential_type": str(""), "reason": str("")})),
	}),
	"Credential": object(nil, obj{"id": str(""), "type": str(""), "title": str(""), "subject": str(""), "issuer": str("ODS code"),
		"status": str("valid, expired, revoked"), "issued_at": str(""), "valid_until": str(""), "claims": obj{"type": "object"}, "jws": str("compact JWS (vc+jwt)")}),
	"Passport":     object(nil, obj{"id": str(""), "email": str(""), "given_name": str(""), "family_name": str(""), "credentials": list(ref("Credential"))}),
	"Verification": object(nil, obj{"valid": obj{"type": "boolean"}, "checks": list(ref("Check")), "credential": obj{"type": "object"}}),
	"Issuer": object([]string{"id", "type", "name", "ods_code", "keys", "status_list"}, obj{"id": str("the credentials' issuer.id"), "type": str("Organization"),
		"name": str(""), "ods_code": str(""), "region": str(""), "registered_since": str("RFC 3339"), "suspended": obj{"type": "boolean"},
		"keys": str("the trust's JWKS"), "status_list": str("its first revocation list")}),
	"JWKS":          object([]string{"keys"}, obj{"keys": list(object(nil, obj{"kty": str("OKP"), "crv": str("Ed25519"), "x": str(""), "kid": str(""), "alg": str("EdDSA"), "use": str("sig")}))}),
	"Link":          obj{"type": "object", "description": "what an emailed link is for, and the move it concerns"},
	"ImportRequest": object([]string{"rows"}, obj{"rows": list(ref("ImportRow"))}),
	"ImportRow": object([]string{"type", "claims"}, obj{
		"email": str("finds the person's passport, or makes one (with given_name and family_name)"), "given_name": str(""), "family_name": str(""),
		"registration_body": str("with registration_number, finds the person first"), "registration_number": str(""),
		"type":   str("credential type"),
		"claims": obj{"type": "object", "description": "the credential's claims, as POST /api/v1/passports/{id}/credentials takes them"}}),
	"ImportCSV": obj{"type": "string", "description": importCSVDescription()},
	"ImportResult": object(nil, obj{"id": str("GET /api/v1/credentials/imports/{id} shows it again"), "dry_run": obj{"type": "boolean"},
		"issued": obj{"type": "integer"}, "already_issued": obj{"type": "integer", "description": "the same person, type, subject, issuer and date of check as an earlier row or import"},
		"would_issue": obj{"type": "integer", "description": "a dry run's count"}, "invalid": obj{"type": "integer"}, "people_added": obj{"type": "integer"},
		"rows": list(object(nil, obj{"row": obj{"type": "integer"}, "result": str("issued, already_issued, would_issue or invalid"),
			"passport_id": str(""), "credential_id": str(""), "new_person": obj{"type": "boolean"},
			"errors": list(object([]string{"field", "reason"}, obj{"field": str("the column (CSV) or field at fault"), "reason": str("")}))}))}),
	"TrainingNames": object([]string{"names"}, obj{"names": list(object([]string{"name", "subject"}, obj{
		"name": str("a course name as the trust's learning system exports it"), "subject": str("the CSTF subject's identifier"),
		"level": obj{"type": "integer", "description": "0: from the row's level column"}}))}),
	"Rotation": object([]string{"id", "status", "total", "started", "already_started", "invalid", "not_tried", "pending", "created_at", "rows"}, obj{
		"id":     str("GET /api/v1/rotations/{id} shows it again"),
		"status": str("starting (rows are still being started in the background) or done"),
		"total":  obj{"type": "integer"}, "started": obj{"type": "integer"},
		"already_started": obj{"type": "integer", "description": "the same person, receiving trust, kind and start as an earlier row or upload"},
		"invalid":         obj{"type": "integer"}, "not_tried": obj{"type": "integer", "description": "the service gave up on them after an outage: upload them again"},
		"pending": obj{"type": "integer", "description": "still to start"}, "created_at": str("RFC 3339"), "finished_at": str("RFC 3339, once done"),
		"rows": list(object([]string{"row", "result"}, obj{"row": obj{"type": "integer"}, "result": str("pending, started, already_started, invalid or error (not tried)"),
			"move_id": str("started or already_started"),
			"errors":  list(object([]string{"field", "reason"}, obj{"field": str(""), "reason": str("")}))}))}),
	"Any": obj{"type": "object"},
}

type op struct {
	method, path, summary string
	roles                 string // "" for public
	body                  string // schema name of the request body
	ok                    int
	result                string // schema name of the answer
}

var operations = []op{
	{"GET", "/healthz", "The process is alive", "", "", 200, "Any"},
	{"GET", "/readyz", "Database, Redis and Temporal are reachable (503 names the one that is not)", "", "", 200, "Any"},
	{"GET", "/openapi.json", "This document", "", "", 200, "Any"},
	{"POST", "/api/v1/moves", "Start a move, as the sending trust (honours Idempotency-Key, which belongs to the caller's trust: 200 with the same move when the same request was seen before, 422 naming Idempotency-Key when another request used it)", "hr, trust_admin", "StartMove", 201, "Move"},
	{"POST", "/api/v1/rotations", "Start many moves (up to 5,000) from a CSV file (text/csv) or a JSON array of StartMove. Every row is checked and the upload recorded, then answered at once: 202 with Location /api/v1/rotations/{id}; rows with errors in their own fields are invalid at once, the rest are started in the background (status starting, then done). ?format=csv: the rows refused so far, as CSV. Each move's invitation follows 10 s after it is started", "hr, trust_admin", "Any", 202, "Rotation"},
	{"GET", "/api/v1/rotations/{id}", "An upload's progress and each row's outcome so far (?summary=true: the counts alone, rows empty, to poll; ?format=csv: the rows that did not start, to fix and upload again)", "hr, trust_admin", "", 200, "Rotation"},
	{"GET", "/api/v1/moves", "List moves of the caller's trust (operators: all), newest first, with cursor pagination. Query filters: status, stage, sending_trust, receiving_trust, direction (in|out), staff_group, waiting_on, waiting_on_us (true: waiting on the caller's trust; operators: on an operator), overdue (true: every reminder sent and escalated), has_failed_step, q (staff name or email), started_after, started_before; sort (created_at|-created_at), limit (1-100), cursor", "hr, trust_admin, operator", "", 200, "MoveList"},
	{"GET", "/api/v1/moves/{id}", "A move's progress, steps, shares and timeline", "hr, trust_admin, operator", "", 200, "Move"},
	{"GET", "/api/v1/moves/{id}/events", "A move's audit trail", "hr, trust_admin, operator", "", 200, "Any"},
	{"POST", "/api/v1/moves/{id}/cancel", "Cancel a move {reason}", "hr, trust_admin, operator", "Any", 200, "Move"},
	{"POST", "/api/v1/moves/{id}/identity", "Record an in-person identity check (sending trust)", "hr, trust_admin", "Any", 200, "Move"},
	{"POST", "/api/v1/moves/{id}/records/no-record", "At the records step, answer that the sending trust holds no record of one credential the move asks for {credential_type}; the receiving trust then checks it itself. (Recording a credential on the move's passport answers the rest: the move looks again.)", "hr, trust_admin", "Any", 200, "Move"},
	{"POST", "/api/v1/moves/{id}/shares/{share}/decision", "Accept or reject a shared credential (receiving trust) {decision, reason}", "hr, trust_admin", "Any", 200, "Move"},
	{"POST", "/api/v1/moves/{id}/retry", "Run a failed step again {step}", "trust_admin, operator", "Any", 200, "Move"},
	{"POST", "/api/v1/moves/{id}/deadline", "Move the deadline later {deadline}", "hr, trust_admin, operator", "Any", 200, "Move"},
	{"POST", "/api/v1/passports", "Find or make a person's passport {email, given_name, family_name}", "hr, trust_admin", "Any", 201, "Passport"},
	{"GET", "/api/v1/passports/{id}", "A passport with the credentials the caller's trust issued or was shared", "hr, trust_admin", "", 200, "Passport"},
	{"POST", "/api/v1/passports/{id}/credentials", "Issue a credential {type, claims, valid_until}", "hr, trust_admin", "Any", 201, "Credential"},
	{"POST", "/api/v1/credentials/imports", "Record many credentials from the trust's HR and learning systems: a CSV file (text/csv, see ImportCSV) or {rows} (application/json), up to 50,000 rows, one a person and credential. People are found by registration number, then email address, and added when new. ?dry_run=true checks and matches every row and records nothing; ?format=csv answers with the rows to fix. The same file again records nothing twice", "hr, trust_admin", "ImportRequest", 201, "ImportResult"},
	{"GET", "/api/v1/credentials/imports/{id}", "An import's counts and the rows it did not record (?format=csv: as CSV)", "hr, trust_admin", "", 200, "Any"},
	{"POST", "/api/v1/credentials/{id}/revoke", "Revoke a credential the caller's trust issued {reason}", "hr, trust_admin", "Any", 200, "Credential"},
	{"POST", "/api/v1/verify", "Verify a credential {credential: compact JWS}", "hr, trust_admin, operator", "Any", 200, "Verification"},
	{"GET", "/api/v1/trusts", "The trusts taking part (?q= searches name or ODS code); no key needed", "", "", 200, "Any"},
	{"POST", "/api/v1/trusts", "Register a trust {ods_code, name, region, contact_email}", "operator", "Any", 201, "Any"},
	{"POST", "/api/v1/trusts/{ods}/suspend", "Suspend a trust {reason, in_flight: continue|pause|cancel}: no new moves to or from it; its active moves run on, are held until it is reinstated, or are cancelled", "operator", "Any", 200, "Any"},
	{"GET", "/api/v1/enquiries", "Enquiries from the contact forms (?status=open|answered)", "operator", "", 200, "Any"},
	{"POST", "/api/v1/enquiries/{id}/answered", "Mark an enquiry answered", "operator", "", 204, ""},
	{"POST", "/api/v1/trusts/{ods}/reinstate", "Reinstate a suspended trust; its held moves carry on", "operator", "", 200, "Any"},
	{"GET", "/api/v1/trusts/{ods}", "A trust as the issuer its credentials name (their issuer.id): name, ODS code, where its keys and revocation list are", "", "", 200, "Issuer"},
	{"GET", "/api/v1/trusts/{ods}/keys", "A trust's public signing keys, retired ones included", "", "", 200, "JWKS"},
	{"GET", "/api/v1/trusts/{ods}/status/revocation", "A trust's (first) revocation list: a signed BitstringStatusListCredential (application/vc+jwt). Each credential's bit is at a random index", "", "", 200, "Any"},
	{"GET", "/api/v1/trusts/{ods}/status/revocation/{list}", "A trust's later revocation lists (1, 2, …), opened as each fills: named by its credentials' statusListCredential", "", "", 200, "Any"},
	{"POST", "/api/v1/trusts/{ods}/keys/rotate", "Give the trust a new signing key", "trust_admin", "", 200, "JWKS"},
	{"GET", "/api/v1/trusts/{ods}/checklists", "The credentials the trust asks of each staff group", "hr, trust_admin", "", 200, "Any"},
	{"PUT", "/api/v1/trusts/{ods}/checklists/{group}", "Set the trust's checklist for a staff group {credential_types}", "trust_admin", "Any", 200, "Any"},
	{"GET", "/api/v1/trusts/{ods}/policy", "The trust's move policy: reminder_interval_hours, max_reminders, deadline_days, ask_for_records, also_tell (addresses told of its moves besides its own)", "hr, trust_admin", "", 200, "Any"},
	{"PUT", "/api/v1/trusts/{ods}/policy", "Set the trust's move policy (also_tell: up to 5 addresses; left out, it stays as it was)", "trust_admin", "Any", 200, "Any"},
	{"GET", "/api/v1/trusts/{ods}/training-names", "The trust's own course names for the CSTF subjects, used by imports before the common names", "hr, trust_admin", "", 200, "TrainingNames"},
	{"PUT", "/api/v1/trusts/{ods}/training-names", "Set the trust's own course names (replacing the list, up to 500)", "hr, trust_admin", "TrainingNames", 200, "TrainingNames"},
	{"POST", "/api/v1/trusts/{ods}/webhooks", "Register a webhook endpoint {url, events}; answers its signing secret once", "trust_admin", "Any", 201, "Any"},
	{"GET", "/api/v1/trusts/{ods}/webhooks", "The trust's webhook endpoints", "hr, trust_admin", "", 200, "Any"},
	{"DELETE", "/api/v1/trusts/{ods}/webhooks/{id}", "Stop deliveries to an endpoint", "trust_admin", "", 204, ""},
	{"GET", "/api/v1/trusts/{ods}/webhooks/failures", "The trust's webhook deliveries that failed for good", "hr, trust_admin", "", 200, "Any"},
	{"POST", "/api/v1/trusts/{ods}/webhooks/failures/retry", "Re-run a failed delivery to one of the trust's endpoints {key}", "trust_admin", "Any", 202, "Any"},
	{"GET", "/api/v1/deliveries/failed", "Emails that failed for good", "operator", "", 200, "Any"},
	{"GET", "/api/v1/deliveries/retrying", "Emails failing now and being tried again, longest failing first, with the last error", "operator", "", 200, "Any"},
	{"POST", "/api/v1/deliveries/retry", "Run a failed email again {key}", "operator", "Any", 202, "Any"},
	{"GET", "/api/v1/links/{token}", "What an emailed link is for (the token authorises)", "", "", 200, "Link"},
	{"POST", "/api/v1/links/{token}/accept", "Accept the invitation", "", "", 200, "Any"},
	{"POST", "/api/v1/links/{token}/identity/simulate", "Confirm identity with the development simulator (dev mode only)", "", "", 200, "Any"},
	{"POST", "/api/v1/links/{token}/consent", "Share the chosen credentials {credential_types}", "", "Any", 200, "Any"},
	{"POST", "/api/v1/links/{token}/decline", "Stop the move {reason}", "", "Any", 200, "Any"},
	{"POST", "/api/v1/links/{token}/withdraw", "Withdraw consent", "", "", 200, "Any"},
	{"POST", "/api/v1/identity/callback", "An identity provider's verdict, signed: X-Passport-Signature: t=<unix>,v1=<hex HMAC-SHA256 of t.body>", "", "Any", 204, ""},
}

var openAPIDoc = sync.OnceValue(func() obj {
	paths := obj{}
	for _, o := range operations {
		item, _ := paths[o.path].(obj)
		if item == nil {
			item = obj{}
			paths[o.path] = item
		}
		operation := obj{"summary": o.summary, "responses": obj{}}
		resp := operation["responses"].(obj)
		if o.result != "" {
			resp[strconv.Itoa(o.ok)] = obj{"description": "OK", "content": obj{"application/json": obj{"schema": ref(o.result)}}}
		} else {
			resp[strconv.Itoa(o.ok)] = obj{"description": "Done"}
		}
		problem := obj{"description": "Problem", "content": obj{"application/problem+json": obj{"schema": ref("Problem")}}}
		resp["default"] = problem
		if o.body != "" {
			content := obj{"application/json": obj{"schema": ref(o.body)}}
			if o.body == "ImportRequest" {
				content["text/csv"] = obj{"schema": ref("ImportCSV")}
			}
			operation["requestBody"] = obj{"required": true, "content": content}
		}
		if o.roles != "" {
			operation["security"] = []obj{{"apiKey": []string{}}}
			operation["description"] = "Roles: " + o.roles + ". A move or passport of another trust answers 404."
		} else {
			operation["security"] = []obj{}
		}
		var params []obj
		for _, seg := range strings.Split(o.path, "/") {
			if strings.HasPrefix(seg, "{") {
				params = append(params, obj{"name": strings.Trim(seg, "{}"), "in": "path", "required": true, "schema": obj{"type": "string"}})
			}
		}
		if len(params) > 0 {
			operation["parameters"] = params
		}
		item[strings.ToLower(o.method)] = operation
	}
	return obj{
		"openapi": "3.1.0",
		"info": obj{"title": "Staff Passport API", "version": "1",
			"description": "Moves of NHS staff between trusts, with their verified credentials. Errors are application/problem+json."},
		"servers":    []obj{{"url": "/"}},
		"paths":      paths,
		"components": obj{"schemas": schemas, "securitySchemes": obj{"apiKey": obj{"type": "http", "scheme": "bearer", "description": "an API key: sp_<prefix>_<secret>"}}},
		"security":   []obj{{"apiKey": []string{}}},
	}
})

// importCSVDescription lists the columns of an import file.
func importCSVDescription() string {
	var b strings.Builder
	b.WriteString("CSV with a header row naming its columns, in any order; one row a person and credential. Dates are YYYY-MM-DD or DD/MM/YYYY; lists are separated by semicolons; a column of another type's row stays empty. Columns:")
	for _, c := range credentials.ImportColumns() {
		b.WriteString(" " + c.Name + " (" + c.TypeNames() + "): " + c.Meaning + ";")
	}
	return strings.TrimSuffix(b.String(), ";") + "."
}

// openAPI: GET /openapi.json.
func openAPI(c *gin.Context) {
	c.Header("Cache-Control", "public, max-age=300")
	c.JSON(http.StatusOK, openAPIDoc())
}

// DocumentedOperations lists "METHOD /path" of every documented operation,
// with gin's :param syntax, for the test that keeps the document true.
func DocumentedOperations() []string {
	var out []string
	for _, o := range operations {
		p := o.path
		for strings.Contains(p, "{") {
			i, j := strings.Index(p, "{"), strings.Index(p, "}")
			p = p[:i] + ":" + p[i+1:j] + p[j+1:]
		}
		out = append(out, o.method+" "+p)
	}
	sort.Strings(out)
	return out
}

// OperationRoles maps "METHOD /path" (gin's :param syntax) of every
// documented operation to the roles the document says may call it (none
// for a public one), for the access matrix that checks the routes keep to
// it.
func OperationRoles() map[string][]models.Role {
	out := map[string][]models.Role{}
	for _, o := range operations {
		p := o.path
		for strings.Contains(p, "{") {
			i, j := strings.Index(p, "{"), strings.Index(p, "}")
			p = p[:i] + ":" + p[i+1:j] + p[j+1:]
		}
		var roles []models.Role
		for _, r := range strings.Split(o.roles, ",") {
			if r = strings.TrimSpace(r); r != "" {
				roles = append(roles, models.Role(r))
			}
		}
		out[o.method+" "+p] = roles
	}
	return out
}
