package moves

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/nhs-staff-passport/passport/internal/hmacsig"
	"github.com/nhs-staff-passport/passport/models"
	"github.com/nhs-staff-passport/passport/workflows"
)

// ProviderResult is what an external identity provider reports about the
// person of a move.
type ProviderResult struct {
	MoveID            string `json:"move_id"`
	Verified          bool   `json:"verified"`
	Provider          string `json:"provider" max:"200"`
	LevelOfConfidence string `json:"level_of_confidence,omitempty"`
	Reference         string `json:"reference,omitempty"`
	Reason            string `json:"reason,omitempty" max:"500"`
}

// SignatureHeader carries a provider's signature: "t=<unix seconds>,v1=<hex
// HMAC-SHA256 of "<t>.<body>">".
const SignatureHeader = "X-Passport-Signature"

// callbackWindow is how far a callback's timestamp may be from now.
const callbackWindow = 5 * time.Minute

// ErrBadSignature is returned for a callback that is not signed with the
// shared secret, or signed too long ago.
var ErrBadSignature = hmacsig.ErrBad

// SignCallback signs a callback body as a provider must (and as tests do).
func SignCallback(secret []byte, body []byte, at time.Time) string {
	return hmacsig.Sign(secret, body, at)
}

// CheckCallbackSignature verifies a provider's signature on body at now.
func CheckCallbackSignature(secret []byte, header string, body []byte, now time.Time) error {
	return hmacsig.Check(secret, header, body, now, callbackWindow)
}

// RecordProviderResult passes a provider's verdict to the move.
func (s *Service) RecordProviderResult(ctx context.Context, r ProviderResult) error {
	var v models.ValidationError
	if r.MoveID == "" {
		v.Add("move_id", "is required")
	}
	if strings.TrimSpace(r.Provider) == "" {
		v.Add("provider", "is required")
	}
	if r.Verified && r.LevelOfConfidence != "medium" && r.LevelOfConfidence != "high" {
		v.Add("level_of_confidence", "a verified identity is medium or high")
	}
	if !r.Verified && strings.TrimSpace(r.Reason) == "" {
		v.Add("reason", "say why the identity could not be verified")
	}
	if err := v.Err(); err != nil {
		return err
	}
	if _, err := s.Store.Move(ctx, r.MoveID); err != nil {
		return err
	}
	claims, _ := json.Marshal(models.IdentityClaims{
		Method: "certified_identity_service", LevelOfConfidence: r.LevelOfConfidence, IdentityService: r.Provider,
		VerifiedBy: r.Provider, VerifiedOn: models.Date{Time: s.now().UTC().Truncate(24 * time.Hour)},
	})
	caller := workflows.Caller{Kind: models.ActorSystem, ID: "identity-provider/" + r.Provider}
	_, err := s.Answer(ctx, r.MoveID, workflows.UpdateIdentityResult, workflows.IdentityResult{
		Caller: caller, Verified: r.Verified, Method: "certified_identity_service", Claims: string(claims), Reason: r.Reason,
	}, Note(models.Actor{Kind: models.ActorSystem, ID: caller.ID}, "identity.provider_result",
		map[string]any{"verified": r.Verified, "provider": r.Provider, "reference": r.Reference}))
	return err
}
