package moves

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/nhs-staff-passport/passport/internal/linktoken"
	"github.com/nhs-staff-passport/passport/models"
	"github.com/nhs-staff-passport/passport/workflows"
)

// ConsentWording is the consent text the person agrees to, by version. A
// changed text gets a new version, so every consent names what was shown.
var ConsentWording = map[string]string{
	"v1": "I agree that %s may see the credentials I have chosen, for my move and while I work there. " +
		"I can withdraw my consent at any time, and they will then no longer see them.",
}

// CurrentWording is the version shown to people now.
const CurrentWording = "v1"

// ConsentText is the current wording for a receiving trust.
func ConsentText(receiver string) string {
	return fmt.Sprintf(ConsentWording[CurrentWording], receiver)
}

// Link is an emailed link resolved: what it is for, and the move and
// person it concerns.
type Link struct {
	Token     models.LinkToken
	Move      models.Move
	Passport  models.Passport
	Sending   models.Trust
	Receiving models.Trust
	Progress  models.MoveProgress
}

// RequestedItem is one credential type the receiving trust asked for, and
// whether the person's passport holds a valid one.
type RequestedItem struct {
	Type  models.CredentialType `json:"type"`
	Title string                `json:"title"`
	Held  bool                  `json:"held"`
	// NoRecord: the sending trust holds no record of it, so the receiving
	// trust checks it itself.
	NoRecord bool `json:"no_record,omitempty"`
}

// Requested lists what the move asks for, as the consent page and the
// wallet show it.
func (l Link) Requested() []RequestedItem {
	var out []RequestedItem
	for _, t := range l.Move.RequestedTypes() {
		item := RequestedItem{Type: t, Title: t.Title(), Held: slices.Contains(l.Progress.Held, t)}
		for _, r := range l.Progress.Records {
			item.NoRecord = item.NoRecord || (r.Type == t && r.State == models.RecordNoRecord)
		}
		out = append(out, item)
	}
	return out
}

// ErrLinkInvalid is returned for a link that is not one of ours.
var ErrLinkInvalid = fmt.Errorf("this link is not valid: %w", models.ErrNotFound)

// ResolveLink checks a link (signature, stored hash, expiry, single use)
// and loads what it concerns.
func (s *Service) ResolveLink(ctx context.Context, plain string) (Link, error) {
	if s.Links == nil {
		return Link{}, ErrLinkInvalid
	}
	id, hash, err := s.Links.Parse(plain)
	if err != nil {
		return Link{}, ErrLinkInvalid
	}
	tok, err := s.Store.LinkToken(ctx, id)
	if errors.Is(err, models.ErrNotFound) || (err == nil && !linktoken.Equal(hash, tok.SecretHash)) {
		return Link{}, ErrLinkInvalid
	}
	if err != nil {
		return Link{}, err
	}
	if tok.UsedAt != nil {
		return Link{}, &models.RefusedError{Reason: "this link has been used already"}
	}
	if !s.now().Before(tok.ExpiresAt) {
		return Link{}, &models.RefusedError{Reason: "this link has expired"}
	}
	l := Link{Token: tok}
	if l.Move, err = s.Store.Move(ctx, tok.MoveID); err != nil {
		return Link{}, err
	}
	if l.Passport, err = s.Store.PassportOnly(ctx, tok.PassportID); err != nil {
		return Link{}, err
	}
	if l.Sending, err = s.Store.Trust(ctx, l.Move.SendingODS); err != nil {
		return Link{}, err
	}
	if l.Receiving, err = s.Store.Trust(ctx, l.Move.ReceivingODS); err != nil {
		return Link{}, err
	}
	l.Progress = Progress(l.Move)
	return l, nil
}

// staffCaller is the person behind a link.
func staffCaller(l Link) workflows.Caller {
	return workflows.Caller{Kind: models.ActorStaff, ID: l.Passport.ID}
}

func staffActor(l Link) models.Actor {
	return models.Actor{Kind: models.ActorStaff, ID: l.Passport.ID}
}

// act resolves a link for one action and sends the answer with its audit
// record; only once the move took it is the link marked used.
func (s *Service) act(ctx context.Context, plain string, action models.LinkAction, update string, arg func(Link) any, audit string, details any) (Link, error) {
	l, err := s.ResolveLink(ctx, plain)
	if err != nil {
		return l, err
	}
	if l.Token.Action != action {
		return l, &models.RefusedError{Reason: "this link is for something else"}
	}
	if _, err := s.Answer(ctx, l.Move.ID, update, arg(l), Note(staffActor(l), audit, details)); err != nil {
		return l, err
	}
	// The move took the answer (and writes its record): marking the link
	// used must not turn that into an error (the move refuses the same
	// answer twice, so a link left unmarked does no harm).
	if err := s.Store.UseLinkToken(ctx, l.Token.ID, s.now()); err != nil && !errors.Is(err, models.ErrConflict) && s.Log != nil {
		s.Log.Warn("could not mark a used link", "move", l.Move.ID, "err", err)
	}
	return l, nil
}

// AcceptInvitation is the person's yes, through their link.
func (s *Service) AcceptInvitation(ctx context.Context, plain string) (Link, error) {
	return s.act(ctx, plain, models.LinkAcceptInvitation, workflows.UpdateAcceptInvitation,
		func(l Link) any { return workflows.AcceptInvitation{Caller: staffCaller(l)} }, "invitation.accepted", nil)
}

// SimulateIdentity confirms the person's identity with the development
// simulator, which stands in for a certified identity service. Only
// development mode offers it.
func (s *Service) SimulateIdentity(ctx context.Context, plain string) (Link, error) {
	if !s.DevIdentity {
		return Link{}, &models.RefusedError{Reason: "the identity simulator is for development only"}
	}
	return s.act(ctx, plain, models.LinkVerifyIdentity, workflows.UpdateIdentityResult, func(l Link) any {
		claims := fmt.Sprintf(`{"method":"certified_identity_service","level_of_confidence":"medium","identity_service":"Development identity simulator","verified_by":"Development identity simulator","verified_on":%q}`,
			s.now().UTC().Format("2006-01-02"))
		return workflows.IdentityResult{Caller: staffCaller(l), Verified: true, Method: "certified_identity_service", Claims: claims}
	}, "identity.verified", map[string]string{"provider": "development simulator"})
}

// GiveConsent shares the chosen credentials, through the person's link.
func (s *Service) GiveConsent(ctx context.Context, plain string, types []models.CredentialType) (Link, error) {
	slices.Sort(types)
	return s.act(ctx, plain, models.LinkGiveConsent, workflows.UpdateGiveConsent, func(l Link) any {
		return workflows.GiveConsent{Caller: staffCaller(l), Types: types, WordingVersion: CurrentWording}
	}, "consent.given", map[string]any{"credential_types": types, "wording": CurrentWording})
}

// Decline ends the move at the person's request, through any of their
// links for the stages before consent.
func (s *Service) Decline(ctx context.Context, plain, reason string) (Link, error) {
	l, err := s.ResolveLink(ctx, plain)
	if err != nil {
		return l, err
	}
	return s.act(ctx, plain, l.Token.Action, workflows.UpdateDecline, func(l Link) any {
		return workflows.Decline{Caller: staffCaller(l), Reason: reason}
	}, "move.declined", nil)
}

// WithdrawConsent ends the receiving trust's access to what the person
// shared in the move, through their passport link.
//
// A rotation's workflow ends at completion, but consent outlives it: then
// the access is ended here, directly.
func (s *Service) WithdrawConsent(ctx context.Context, plain string) (Link, error) {
	l, err := s.act(ctx, plain, models.LinkViewPassport, workflows.UpdateWithdrawConsent, func(l Link) any {
		return workflows.WithdrawConsent{Caller: staffCaller(l), Reason: "withdrawn by the member of staff"}
	}, "consent.withdrawn", nil)
	var refused *models.RefusedError
	if !errors.As(err, &refused) || l.Move.Status != models.MoveCompleted || refused.Reason != reasonEnded {
		return l, err
	}
	n, err := s.Store.RevokeShares(ctx, l.Move.ID, s.now())
	if err != nil {
		return l, err
	}
	if n == 0 {
		return l, &models.RefusedError{Reason: "the receiving trust's access has ended already"}
	}
	if err := s.Store.UseLinkToken(ctx, l.Token.ID, s.now()); err != nil && !errors.Is(err, models.ErrConflict) {
		return l, err
	}
	return l, s.Store.Audit(ctx, staffActor(l), "consent.withdrawn", "move", l.Move.ID, map[string]any{"shares_revoked": n})
}

// HolderPassport is the person's own passport, every credential on it,
// and the shares of the link's move.
func (s *Service) HolderPassport(ctx context.Context, l Link) (models.Passport, []models.Share, error) {
	if l.Token.Action != models.LinkViewPassport {
		return models.Passport{}, nil, &models.RefusedError{Reason: "this link is for something else"}
	}
	p, err := s.Store.Passport(ctx, l.Passport.ID)
	if err != nil {
		return p, nil, err
	}
	shares, err := s.Store.Shares(ctx, l.Move.ID)
	return p, shares, err
}
