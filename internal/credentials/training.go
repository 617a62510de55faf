package credentials

import (
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/nhs-staff-passport/passport/models"
)

// Learning systems name CSTF courses in their own words, such as
// "NHS|CSTF|Information Governance and Data Security - 1 Year|". An
// import finds the subject (and a level the name gives) by the trust's own
// names first, then by the common names below.

// commonTrainingNames are names learning systems give the 11 subjects,
// normalised (see NormaliseTrainingName); each subject's own name and
// identifier are known too.
var commonTrainingNames = map[string]string{
	"conflict resolution":                      "conflict_resolution",
	"equality and diversity":                   "equality_diversity_human_rights",
	"equality diversity and human rights":      "equality_diversity_human_rights",
	"equality diversity human rights":          "equality_diversity_human_rights",
	"fire safety":                              "fire_safety",
	"fire awareness":                           "fire_safety",
	"fire safety awareness":                    "fire_safety",
	"health safety and welfare":                "health_safety_welfare",
	"health and safety":                        "health_safety_welfare",
	"health and safety awareness":              "health_safety_welfare",
	"infection prevention and control":         "infection_prevention_control",
	"infection prevention":                     "infection_prevention_control",
	"infection control":                        "infection_prevention_control",
	"information governance":                   "information_governance",
	"information governance and data security": "information_governance",
	"data security awareness":                  "information_governance",
	"data security":                            "information_governance",
	"moving and handling":                      "moving_handling",
	"manual handling":                          "moving_handling",
	"preventing radicalisation":                "preventing_radicalisation",
	"prevent":                                  "preventing_radicalisation",
	"prevent awareness":                        "preventing_radicalisation",
	"basic prevent awareness":                  "preventing_radicalisation",
	"resuscitation":                            "resuscitation",
	"basic life support":                       "resuscitation",
	"adult basic life support":                 "resuscitation",
	"paediatric basic life support":            "resuscitation",
	"safeguarding adults":                      "safeguarding_adults",
	"safeguarding vulnerable adults":           "safeguarding_adults",
	"safeguarding children":                    "safeguarding_children",
	"safeguarding children and young people":   "safeguarding_children",
}

var (
	levelRE     = regexp.MustCompile(`\blevel ?([1-3])\b`)
	periodRE    = regexp.MustCompile(`\b[0-9]+ ?(year|yr|month)s?\b|\b(annual|yearly|refresher|e-?learning|elearning|course|training|module)\b`)
	nonWordRE   = regexp.MustCompile(`[^a-z0-9]+`)
	noiseTokens = []string{"nhs", "cstf", "mand", "stat", "mandatory", "statutory", "core skills training framework", "core skills"}
)

// NormaliseTrainingName reduces a course name to the words that name its
// subject, and the level it names (0 when none): lower case, "and" for
// "&", without the system's prefixes ("NHS|CSTF|"), periods ("- 1 Year")
// or punctuation.
func NormaliseTrainingName(name string) (string, int) {
	s := strings.ToLower(strings.TrimSpace(name))
	s = strings.ReplaceAll(s, "&", " and ")
	var parts []string
	for _, p := range strings.Split(s, "|") {
		p = strings.TrimSpace(p)
		if p != "" && !slices.Contains(noiseTokens, p) {
			parts = append(parts, p)
		}
	}
	s = strings.Join(parts, " ")
	level := 0
	if m := levelRE.FindStringSubmatch(s); m != nil {
		level, _ = strconv.Atoi(m[1])
		s = levelRE.ReplaceAllString(s, " ")
	}
	s = periodRE.ReplaceAllString(s, " ")
	s = strings.TrimSpace(nonWordRE.ReplaceAllString(s, " "))
	return s, level
}

// TrainingNames finds CSTF subjects by the names a trust's exports use.
type TrainingNames struct {
	own map[string]models.TrainingName // by normalised name
}

// NewTrainingNames makes the lookup with a trust's own names, which come
// before the common ones.
func NewTrainingNames(own []models.TrainingName) TrainingNames {
	t := TrainingNames{own: map[string]models.TrainingName{}}
	for _, n := range own {
		key, _ := NormaliseTrainingName(n.Name)
		t.own[key] = n
	}
	return t
}

// Subject returns the subject a course name stands for, and the level
// the name (or the trust's mapping) gives, 0 when neither does.
func (t TrainingNames) Subject(name string) (subject string, level int, ok bool) {
	key, level := NormaliseTrainingName(name)
	if n, found := t.own[key]; found {
		if n.Level > 0 {
			level = n.Level
		}
		return n.Subject, level, true
	}
	if id := strings.ReplaceAll(key, " ", "_"); slices.Contains(models.CSTFSubjectIDs(), id) {
		return id, level, true
	}
	if id, found := commonTrainingNames[key]; found {
		return id, level, true
	}
	for _, s := range models.CSTFSubjects() {
		if n, _ := NormaliseTrainingName(s.Name); n == key {
			return s.ID, level, true
		}
	}
	// A name that starts with a known one ("resuscitation adult basic life
	// support"): the longest known start wins.
	best := ""
	for known, id := range commonTrainingNames {
		if strings.HasPrefix(key, known+" ") && len(known) > len(best) {
			best, subject = known, id
		}
	}
	return subject, level, best != ""
}
