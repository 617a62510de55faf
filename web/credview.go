package web

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/nhs-staff-passport/passport/models"
)

// fact is one claim of a credential in words, as pages show it.
type fact struct{ Label, Value string }

// longDate is how pages write a calendar date.
const longDate = "2 January 2006"

// claimFacts says a credential's claims in words, in the order its form
// asks them; claims it cannot read are left out.
func claimFacts(t models.CredentialType, raw json.RawMessage) []fact {
	var claims map[string]any
	if json.Unmarshal(raw, &claims) != nil {
		return nil
	}
	if t == models.CredCoreSkillsTraining {
		var c models.CoreSkillsTrainingClaims
		if json.Unmarshal(raw, &c) != nil {
			return nil
		}
		return []fact{{"Subject", subjectName(c.Subject)}, {"Level", fmt.Sprintf("Level %d", c.Level)},
			{"Completed", c.CompletedOn.Format(longDate)}, {"Provider", c.Provider}}
	}
	var out []fact
	for _, fd := range credForms[t] {
		v, ok := claims[fd.Name]
		if !ok || v == nil || v == "" {
			continue
		}
		out = append(out, fact{Label: strings.TrimSuffix(fd.Label, "?"), Value: factValue(fd, v)})
	}
	return out
}

func factValue(fd credField, v any) string {
	text := func(s string) string {
		for _, o := range fd.Options {
			if o.Value == s {
				return o.Text
			}
		}
		return s
	}
	switch x := v.(type) {
	case bool:
		if x {
			return "Yes"
		}
		return "No"
	case float64:
		return fmt.Sprint(int(x))
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = text(fmt.Sprint(e))
		}
		return strings.Join(parts, ", ")
	case string:
		if fd.Kind == kindDate {
			if d, err := time.Parse(time.DateOnly, x); err == nil {
				return d.Format(longDate)
			}
		}
		return text(x)
	}
	return fmt.Sprint(v)
}

func subjectName(id string) string {
	if s, ok := models.CSTFSubjectByID(id); ok {
		return s.Name
	}
	return id
}

// expiringWithin is how soon before its end a credential shows as
// expiring.
const expiringWithin = 30 * 24 * time.Hour

// standing is where a credential stands today, in words and as a tag
// colour: valid, expiring within 30 days, expired or revoked.
type standing struct {
	Key, Text, Colour string
}

func credentialStanding(c models.Credential, now time.Time) standing {
	switch c.Status(now) {
	case models.StatusRevoked:
		return standing{"revoked", "Revoked", "red"}
	case models.StatusExpired:
		return standing{"expired", "Expired", "grey"}
	}
	if c.ValidUntil != nil && c.ValidUntil.Sub(now) <= expiringWithin {
		return standing{"expiring", "Expires " + c.ValidUntil.In(ukTime).Format(longDate), "orange"}
	}
	return standing{"valid", "Valid", "green"}
}
