package models

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

var today = time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)

// good holds valid claims of every type; each case below breaks one rule.
var good = map[CredentialType]string{
	CredIdentity:                 `{"method":"in_person_documents","level_of_confidence":"medium","documents_seen":["passport","utility_bill"],"verified_by":"A. Clerk, HR","verified_on":"2026-11-02"}`,
	CredRightToWork:              `{"basis":"share_code","share_code":"W2X 4YZ 7AB","checked_on":"2026-10-01","expires":"2028-03-31"}`,
	CredDBSCheck:                 `{"level":"enhanced_barred_lists","workforce":"adult_and_child","certificate_number":"001234567890","issued_on":"2025-06-01","update_service":true}`,
	CredProfessionalRegistration: `{"body":"NMC","number":"12A3456E","status":"registered","checked_on":"2026-11-01","renewal_due":"2027-05-31"}`,
	CredEmploymentHistory:        `{"employer":"Leeds Teaching Hospitals NHS Trust","role":"Staff nurse","from":"2019-09-01","to":"2024-08-31","references_received":2}`,
	CredCoreSkillsTraining:       `{"subject":"resuscitation","level":2,"completed_on":"2026-02-10","provider":"Resuscitation Council UK"}`,
	CredOccupationalHealth:       `{"clearance":"fit","epp_cleared":true,"assessed_on":"2026-09-15"}`,
}

func with(t CredentialType, change func(m map[string]any)) json.RawMessage {
	var m map[string]any
	if err := json.Unmarshal([]byte(good[t]), &m); err != nil {
		panic(err)
	}
	change(m)
	b, _ := json.Marshal(m)
	return b
}

func TestGoodClaimsParse(t *testing.T) {
	for typ, raw := range good {
		p, err := ParseClaims(typ, json.RawMessage(raw), today)
		if err != nil {
			t.Errorf("%s: %v", typ, err)
			continue
		}
		if len(p.Canonical) == 0 {
			t.Errorf("%s: no canonical form", typ)
		}
	}
}

func TestExpiryFollowsTheClaims(t *testing.T) {
	p, _ := ParseClaims(CredCoreSkillsTraining, json.RawMessage(good[CredCoreSkillsTraining]), today)
	if want := time.Date(2027, 2, 10, 0, 0, 0, 0, time.UTC); p.Expiry == nil || !p.Expiry.Equal(want) {
		t.Errorf("resuscitation is refreshed yearly: expiry %v, want %v", p.Expiry, want)
	}
	if p.Subject != "resuscitation" {
		t.Errorf("subject %q", p.Subject)
	}
	ipc := with(CredCoreSkillsTraining, func(m map[string]any) { m["subject"] = "infection_prevention_control"; m["level"] = 1 })
	p, _ = ParseClaims(CredCoreSkillsTraining, ipc, today)
	if want := time.Date(2029, 2, 10, 0, 0, 0, 0, time.UTC); !p.Expiry.Equal(want) {
		t.Errorf("IPC level 1 is refreshed every 3 years: expiry %v", p.Expiry)
	}
	p, _ = ParseClaims(CredRightToWork, json.RawMessage(good[CredRightToWork]), today)
	if p.Expiry == nil || p.Expiry.Format(time.DateOnly) != "2028-03-31" {
		t.Errorf("right to work expires with the permission: %v", p.Expiry)
	}
	p, _ = ParseClaims(CredDBSCheck, json.RawMessage(good[CredDBSCheck]), today)
	if p.Expiry != nil {
		t.Errorf("a DBS check has no fixed expiry, got %v", p.Expiry)
	}
}

func TestEveryRuleNamesItsField(t *testing.T) {
	tests := []struct {
		typ    CredentialType
		change func(m map[string]any)
		field  string
	}{
		{CredIdentity, func(m map[string]any) { m["method"] = "phone_call" }, "claims.method"},
		{CredIdentity, func(m map[string]any) { m["documents_seen"] = []string{"passport"} }, "claims.documents_seen"},
		{CredIdentity, func(m map[string]any) { m["documents_seen"] = []string{"passport", "library_card"} }, "claims.documents_seen"},
		{CredIdentity, func(m map[string]any) { m["method"] = "certified_identity_service"; m["identity_service"] = "" }, "claims.identity_service"},
		{CredIdentity, func(m map[string]any) { m["level_of_confidence"] = "total" }, "claims.level_of_confidence"},
		{CredIdentity, func(m map[string]any) { delete(m, "verified_by") }, "claims.verified_by"},
		{CredIdentity, func(m map[string]any) { m["verified_on"] = "2027-01-01" }, "claims.verified_on"},
		{CredIdentity, func(m map[string]any) { m["verified_on"] = "02/11/2026" }, "claims.verified_on"},
		{CredRightToWork, func(m map[string]any) { m["basis"] = "vibes" }, "claims.basis"},
		{CredRightToWork, func(m map[string]any) { m["share_code"] = "X12345678" }, "claims.share_code"},
		{CredRightToWork, func(m map[string]any) { delete(m, "expires") }, "claims.expires"},
		{CredRightToWork, func(m map[string]any) { m["expires"] = "2026-09-01" }, "claims.expires"},
		{CredDBSCheck, func(m map[string]any) { m["level"] = "super" }, "claims.level"},
		{CredDBSCheck, func(m map[string]any) { delete(m, "workforce") }, "claims.workforce"},
		{CredDBSCheck, func(m map[string]any) { m["level"] = "basic" }, "claims.workforce"},
		{CredDBSCheck, func(m map[string]any) { m["certificate_number"] = "12345" }, "claims.certificate_number"},
		{CredDBSCheck, func(m map[string]any) { m["update_service"] = "yes" }, "claims.update_service"},
		{CredDBSCheck, func(m map[string]any) { delete(m, "issued_on") }, "claims.issued_on"},
		{CredProfessionalRegistration, func(m map[string]any) { m["body"] = "BMA" }, "claims.body"},
		{CredProfessionalRegistration, func(m map[string]any) { m["number"] = "1234567" }, "claims.number"},
		{CredProfessionalRegistration, func(m map[string]any) { m["body"] = "GMC"; m["number"] = "12A3456E" }, "claims.number"},
		{CredProfessionalRegistration, func(m map[string]any) { m["status"] = "registered_with_conditions" }, "claims.conditions"},
		{CredProfessionalRegistration, func(m map[string]any) { m["conditions"] = []string{"supervised"} }, "claims.conditions"},
		{CredProfessionalRegistration, func(m map[string]any) { m["status"] = "struck_off_maybe" }, "claims.status"},
		{CredEmploymentHistory, func(m map[string]any) { m["employer"] = " " }, "claims.employer"},
		{CredEmploymentHistory, func(m map[string]any) { delete(m, "role") }, "claims.role"},
		{CredEmploymentHistory, func(m map[string]any) { m["to"] = "2018-01-01" }, "claims.to"},
		{CredEmploymentHistory, func(m map[string]any) { m["to"] = "2030-01-01" }, "claims.to"},
		{CredEmploymentHistory, func(m map[string]any) { m["references_received"] = -1 }, "claims.references_received"},
		{CredEmploymentHistory, func(m map[string]any) { m["references_received"] = 1.5 }, "claims.references_received"},
		{CredCoreSkillsTraining, func(m map[string]any) { m["subject"] = "knitting" }, "claims.subject"},
		{CredCoreSkillsTraining, func(m map[string]any) { m["subject"] = "fire_safety"; m["level"] = 2 }, "claims.level"},
		{CredCoreSkillsTraining, func(m map[string]any) { delete(m, "provider") }, "claims.provider"},
		{CredCoreSkillsTraining, func(m map[string]any) { m["completed_on"] = "2099-01-01" }, "claims.completed_on"},
		{CredOccupationalHealth, func(m map[string]any) { m["clearance"] = "probably" }, "claims.clearance"},
		{CredOccupationalHealth, func(m map[string]any) { m["diagnosis"] = "asthma" }, "claims.diagnosis"},
		{CredOccupationalHealth, func(m map[string]any) { m["review_due"] = "2026-01-01" }, "claims.review_due"},
	}
	for _, tt := range tests {
		raw := with(tt.typ, tt.change)
		_, err := ParseClaims(tt.typ, raw, today)
		var v *ValidationError
		if !errors.As(err, &v) || !errors.Is(err, ErrInvalid) {
			t.Errorf("%s %s: got %v, want a validation error", tt.typ, raw, err)
			continue
		}
		found := false
		for _, f := range v.Fields {
			found = found || f.Field == tt.field
		}
		if !found {
			t.Errorf("%s %s: errors %+v do not name %s", tt.typ, raw, v.Fields, tt.field)
		}
	}
}

func TestUnknownTypeAndNonObject(t *testing.T) {
	if _, err := ParseClaims("blood_group", json.RawMessage(`{}`), today); err == nil || !strings.Contains(err.Error(), "type") {
		t.Errorf("unknown type: %v", err)
	}
	if _, err := ParseClaims(CredDBSCheck, json.RawMessage(`[1,2]`), today); err == nil || !strings.Contains(err.Error(), "claims") {
		t.Errorf("array claims: %v", err)
	}
}

func TestChecklists(t *testing.T) {
	if got := DefaultChecklist(GroupDoctorInTraining); len(got) != 7 {
		t.Errorf("a doctor in training brings every credential type, got %v", got)
	}
	c, err := NewChecklist("RJ1", GroupTemporaryMover, []CredentialType{CredIdentity, CredDBSCheck, CredIdentity})
	if err != nil || c.Types != "identity,dbs_check" {
		t.Errorf("checklist %+v, %v", c, err)
	}
	if _, err := NewChecklist("RJ1", "visitor", []CredentialType{"x"}); err == nil {
		t.Error("want errors for a bad group and type")
	}
	required := c.CredentialTypes()
	if err := (ChecklistBypass{CredentialType: CredDBSCheck, Reason: "short"}).Validate(required); err == nil {
		t.Error("a bypass needs a real reason")
	}
	if err := (ChecklistBypass{CredentialType: CredOccupationalHealth, Reason: "not needed for a non-clinical role"}).Validate(required); err == nil {
		t.Error("a bypass must name an item on the checklist")
	}
	if err := (ChecklistBypass{CredentialType: CredDBSCheck, Reason: "covered by the host trust's own check"}).Validate(required); err != nil {
		t.Errorf("a good bypass: %v", err)
	}
}

func TestNormalizeEmail(t *testing.T) {
	for in, want := range map[string]string{" Jo.Bloggs@NHS.net ": "jo.bloggs@nhs.net", "a@b": "", "Jo <jo@nhs.net>": "", "": ""} {
		got, ok := NormalizeEmail(in)
		if got != want || ok != (want != "") {
			t.Errorf("NormalizeEmail(%q) = %q, %v", in, got, ok)
		}
	}
}

// Claims hold a few short facts: text over 200 characters, lists over 20
// items and control characters (PostgreSQL refuses NUL) are refused, each
// naming its field.
func TestClaimsBoundTheirText(t *testing.T) {
	long := strings.Repeat("x", 201)
	many := `"passport"` + strings.Repeat(`,"passport"`, 20)
	for name, c := range map[string]struct {
		typ    CredentialType
		claims string
		field  string
	}{
		"NUL in a name":        {CredIdentity, `{"method":"in_person_documents","level_of_confidence":"low","documents_seen":["passport","utility_bill"],"verified_by":"A\u0000B","verified_on":"2026-01-01"}`, "claims.verified_by"},
		"a line break":         {CredEmploymentHistory, `{"employer":"A\nB","role":"Nurse","from":"2025-01-01","references_received":1}`, "claims.employer"},
		"201 characters":       {CredCoreSkillsTraining, `{"subject":"fire_safety","level":1,"completed_on":"2026-01-01","provider":"` + long + `"}`, "claims.provider"},
		"21 documents":         {CredIdentity, `{"method":"in_person_documents","level_of_confidence":"low","documents_seen":[` + many + `],"verified_by":"A","verified_on":"2026-01-01"}`, "claims.documents_seen"},
		"a condition too long": {CredProfessionalRegistration, `{"body":"GMC","number":"1234567","status":"registered_with_conditions","conditions":["` + long + `"],"checked_on":"2026-01-01"}`, "claims.conditions"},
	} {
		_, err := ParseClaims(c.typ, json.RawMessage(c.claims), today)
		v, ok := err.(*ValidationError)
		if !ok || !slices.ContainsFunc(v.Fields, func(f FieldError) bool { return f.Field == c.field }) {
			t.Errorf("%s: %v, want a fault in %s", name, err, c.field)
		}
	}
}

// A fact that has already run out is refused, naming the claim whose date
// says so: it is not one to record.
func TestClaimsThatHaveRunOut(t *testing.T) {
	for typ, c := range map[CredentialType]struct{ claims, field string }{
		CredRightToWork:              {`{"basis":"visa","checked_on":"2024-01-01","expires":"2026-11-01"}`, "claims.expires"},
		CredCoreSkillsTraining:       {`{"subject":"resuscitation","level":2,"completed_on":"2025-01-01","provider":"x"}`, "claims.completed_on"},
		CredProfessionalRegistration: {`{"body":"GMC","number":"1234567","status":"registered","checked_on":"2026-01-01","renewal_due":"2026-11-29"}`, "claims.renewal_due"},
		CredOccupationalHealth:       {`{"clearance":"fit","epp_cleared":false,"assessed_on":"2025-01-01","review_due":"2026-06-01"}`, "claims.review_due"},
	} {
		_, err := ParseClaims(typ, json.RawMessage(c.claims), today)
		v, ok := err.(*ValidationError)
		if !ok || len(v.Fields) != 1 || v.Fields[0].Field != c.field {
			t.Errorf("%s: %v, want one fault in %s", typ, err, c.field)
		}
	}
}
