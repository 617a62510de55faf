package models

// CSTFSubject is one of the 11 subjects of the Core Skills Training
// Framework (England), with how often it must be refreshed.
type CSTFSubject struct {
	ID       string
	Name     string
	MaxLevel int
	// Refresher gives months between refreshers by level (index 0 is
	// level 1); the last entry applies to higher levels.
	Refresher []int
}

var cstfSubjects = []CSTFSubject{
	{ID: "conflict_resolution", Name: "Conflict resolution", MaxLevel: 1, Refresher: []int{36}},
	{ID: "equality_diversity_human_rights", Name: "Equality, diversity and human rights", MaxLevel: 1, Refresher: []int{36}},
	{ID: "fire_safety", Name: "Fire safety", MaxLevel: 1, Refresher: []int{24}},
	{ID: "health_safety_welfare", Name: "Health, safety and welfare", MaxLevel: 1, Refresher: []int{36}},
	{ID: "infection_prevention_control", Name: "Infection prevention and control", MaxLevel: 2, Refresher: []int{36, 12}},
	{ID: "information_governance", Name: "Information governance and data security", MaxLevel: 1, Refresher: []int{12}},
	{ID: "moving_handling", Name: "Moving and handling", MaxLevel: 2, Refresher: []int{36, 24}},
	{ID: "preventing_radicalisation", Name: "Preventing radicalisation", MaxLevel: 3, Refresher: []int{36}},
	{ID: "resuscitation", Name: "Resuscitation", MaxLevel: 3, Refresher: []int{12}},
	{ID: "safeguarding_adults", Name: "Safeguarding adults", MaxLevel: 3, Refresher: []int{36}},
	{ID: "safeguarding_children", Name: "Safeguarding children", MaxLevel: 3, Refresher: []int{36}},
}

// CSTFSubjects lists the 11 subjects.
func CSTFSubjects() []CSTFSubject { return append([]CSTFSubject(nil), cstfSubjects...) }

// CSTFSubjectIDs lists the subjects' identifiers.
func CSTFSubjectIDs() []string {
	ids := make([]string, len(cstfSubjects))
	for i, s := range cstfSubjects {
		ids[i] = s.ID
	}
	return ids
}

// CSTFSubjectByID finds a subject.
func CSTFSubjectByID(id string) (CSTFSubject, bool) {
	for _, s := range cstfSubjects {
		if s.ID == id {
			return s, true
		}
	}
	return CSTFSubject{}, false
}

// RefresherMonths is how long training at level stays current.
func (s CSTFSubject) RefresherMonths(level int) int {
	if level < 1 {
		level = 1
	}
	if level > len(s.Refresher) {
		return s.Refresher[len(s.Refresher)-1]
	}
	return s.Refresher[level-1]
}
