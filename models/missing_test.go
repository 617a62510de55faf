package models

import (
	"reflect"
	"strings"
	"testing"
)

func TestMissingSaysWhyEachRequestedTypeWasNotShared(t *testing.T) {
	req := []CredentialType{CredIdentity, CredDBSCheck, CredRightToWork, CredOccupationalHealth, CredCoreSkillsTraining}
	got := Missing(req,
		[]CredentialType{CredIdentity, CredDBSCheck, CredRightToWork}, // held
		[]CredentialType{CredIdentity, CredRightToWork},               // chosen
		[]CredentialType{CredIdentity},                                // shared (right to work ran out before the transfer)
		[]RecordItem{{Type: CredOccupationalHealth, State: RecordNoRecord}, {Type: CredCoreSkillsTraining, State: RecordMissing}})
	want := []MissingItem{
		{CredDBSCheck, MissingNotChosen},
		{CredRightToWork, MissingNotHeld},
		{CredOccupationalHealth, MissingNoRecord},
		{CredCoreSkillsTraining, MissingNotHeld},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("missing:\n got %+v\nwant %+v", got, want)
	}
	if got := Missing(req[:1], nil, nil, []CredentialType{CredIdentity}, nil); got == nil || len(got) != 0 {
		t.Errorf("nothing missing must be an empty list, not null: %#v", got)
	}
}

func TestListWords(t *testing.T) {
	for in, want := range map[string]string{"": "", "a": "a", "a|b": "a and b", "a|b|c": "a, b and c"} {
		var words []string
		if in != "" {
			words = strings.Split(in, "|")
		}
		if got := ListWords(words); got != want {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
}
