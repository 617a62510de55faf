package models

import (
	"reflect"
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
