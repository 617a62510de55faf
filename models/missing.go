package models

import "slices"

// MissingReason says why a credential the receiving trust asked for was
// not shared in a move.
type MissingReason string

// Why a requested credential was not shared.
const (
	// MissingNotHeld: the passport held no valid credential of the type.
	MissingNotHeld MissingReason = "not_held"
	// MissingNotChosen: the passport held one; the member of staff chose
	// not to share it.
	MissingNotChosen MissingReason = "not_chosen"
	// MissingNoRecord: the records step asked the sending trust, which
	// holds no record of it.
	MissingNoRecord MissingReason = "no_record"
)

// MissingItem is one credential type asked for and not shared.
type MissingItem struct {
	Type   CredentialType `json:"type"`
	Reason MissingReason  `json:"reason"`
}

// Missing lists, in the order asked, each requested type that was not
// shared and why: held are the types the passport held valid when the
// member of staff chose, consented those they chose, shared those with a
// share, records what the sending trust answered.
func Missing(requested, held, consented, shared []CredentialType, records []RecordItem) []MissingItem {
	out := []MissingItem{}
	for _, t := range requested {
		if slices.Contains(shared, t) {
			continue
		}
		reason := MissingNotHeld
		switch {
		case slices.ContainsFunc(records, func(r RecordItem) bool { return r.Type == t && r.State == RecordNoRecord }):
			reason = MissingNoRecord
		case slices.Contains(held, t) && !slices.Contains(consented, t):
			reason = MissingNotChosen
		}
		out = append(out, MissingItem{Type: t, Reason: reason})
	}
	return out
}

// OwnCheck says what a receiving trust does itself for a credential it
// did not receive.
func (t CredentialType) OwnCheck() string {
	switch t {
	case CredIdentity:
		return "Check their identity documents in person, to the NHS Employers identity check standard."
	case CredRightToWork:
		return "Check their right to work: original documents, or the Home Office online check with a share code."
	case CredDBSCheck:
		return "Apply for a DBS check at the level the role needs, or check the DBS Update Service with their consent."
	case CredProfessionalRegistration:
		return "Check the regulator's online register for their registration and any conditions."
	case CredEmploymentHistory:
		return "Ask their previous employers for references."
	case CredCoreSkillsTraining:
		return "Ask for their training certificates, or book them onto the training."
	case CredOccupationalHealth:
		return "Refer them to your occupational health service for clearance."
	}
	return "Check it as your usual pre-employment checks do."
}

// Words says the reason in a sentence's words, naming the member of staff
// and the sending trust.
func (r MissingReason) Words(staff, sendingTrust string) string {
	switch r {
	case MissingNotChosen:
		return staff + " chose not to share it"
	case MissingNoRecord:
		return sendingTrust + " holds no record of it"
	}
	return staff + "'s passport holds no valid one"
}
