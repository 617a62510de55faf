package activities

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/google/uuid"
	"go.temporal.io/sdk/temporal"

	"github.com/nhs-staff-passport/passport/internal/credentials"
	"github.com/nhs-staff-passport/passport/models"
)

// SendInvitation emails the person a single-use link to accept the move
// (N > 0: a reminder with a new link).
func (a *Activities) SendInvitation(ctx context.Context, in NoticeInput) error {
	mc, err := a.load(ctx, in.MoveID)
	if err != nil {
		return err
	}
	if in.N == 0 {
		if err := a.emit(ctx, []string{mc.move.SendingODS, mc.move.ReceivingODS}, models.EventMoveStarted, in.MoveID,
			map[string]string{"move_id": in.MoveID}); err != nil {
			return err
		}
	}
	return a.staffLink(ctx, mc, in, models.LinkAcceptInvitation)
}

// PrepareIdentity reports whether the identity check can be skipped (the
// passport holds a valid identity credential); if not, it emails the
// person a link to confirm their identity.
func (a *Activities) PrepareIdentity(ctx context.Context, in NoticeInput) (bool, error) {
	mc, err := a.load(ctx, in.MoveID)
	if err != nil {
		return false, err
	}
	if in.N == 0 {
		held, err := a.Store.ValidCredentials(ctx, mc.passport.ID, a.now())
		if err != nil {
			return false, err
		}
		for _, c := range held {
			if c.Type == models.CredIdentity {
				return true, nil
			}
		}
	}
	return false, a.staffLink(ctx, mc, in, models.LinkVerifyIdentity)
}

// RecordIdentity puts the verified identity on the passport as a credential
// signed by the trust that checked. Run twice, it issues once.
func (a *Activities) RecordIdentity(ctx context.Context, in IdentityInput) error {
	mc, err := a.load(ctx, in.MoveID)
	if err != nil {
		return err
	}
	held, err := a.Store.ValidCredentials(ctx, mc.passport.ID, a.now())
	if err != nil {
		return err
	}
	for _, c := range held {
		if c.Type == models.CredIdentity && !c.IssuedAt.Before(mc.move.CreatedAt) {
			return nil // recorded by an earlier attempt
		}
	}
	actor := models.Actor{Kind: models.ActorSystem, ID: "move/" + in.MoveID, Trust: in.VerifiedBy}
	_, err = a.Credentials.Issue(ctx, actor, credentials.IssueInput{
		PassportID: mc.passport.ID, Type: string(models.CredIdentity), Claims: json.RawMessage(in.Claims),
	})
	return businessError(err)
}

// RequestConsent emails the person a link to choose what to share, and
// returns which of the requested credential types their passport holds.
func (a *Activities) RequestConsent(ctx context.Context, in NoticeInput) ([]models.CredentialType, error) {
	mc, err := a.load(ctx, in.MoveID)
	if err != nil {
		return nil, err
	}
	held, err := a.heldTypes(ctx, mc)
	if err != nil {
		return nil, err
	}
	return held, a.staffLink(ctx, mc, in, models.LinkGiveConsent)
}

func (a *Activities) heldTypes(ctx context.Context, mc moveContext) ([]models.CredentialType, error) {
	valid, err := a.Store.ValidCredentials(ctx, mc.passport.ID, a.now())
	if err != nil {
		return nil, err
	}
	var held []models.CredentialType
	for _, t := range mc.move.RequestedTypes() {
		for _, c := range valid {
			if c.Type == t {
				held = append(held, t)
				break
			}
		}
	}
	return held, nil
}

// shareNamespace makes share IDs from the move and credential, so that a
// repeated transfer finds the shares it made before.
var shareNamespace = uuid.MustParse("7d1e2c7e-4f53-4a55-9a3c-6c1f0f3d8b21")

// Transfer records the consent, verifies every consented credential,
// shares them with the receiving trust and tells it. For each type it
// shares the newest valid credential of each subject (every CSTF subject,
// every job).
func (a *Activities) Transfer(ctx context.Context, in TransferInput) ([]models.ShareState, error) {
	mc, err := a.load(ctx, in.MoveID)
	if err != nil {
		return nil, err
	}
	now := a.now().UTC()
	valid, err := a.Store.ValidCredentials(ctx, mc.passport.ID, now)
	if err != nil {
		return nil, err
	}
	var out []models.ShareState
	var shares []models.Share
	for _, t := range in.Types {
		subjects := map[string]bool{}
		for _, c := range valid { // newest first
			if c.Type != t || subjects[c.Subject] {
				continue
			}
			subjects[c.Subject] = true
			res, err := a.Credentials.Verify(ctx, c.JWS)
			if err != nil {
				return nil, err
			}
			st := models.ShareState{
				ID: uuid.NewSHA1(shareNamespace, []byte(in.MoveID+"/"+c.ID)).String(), CredentialID: c.ID,
				CredentialType: c.Type, Verified: res.Valid, Problems: res.Reasons(), Decision: models.DecisionPending,
			}
			verification, _ := json.Marshal(res.Checks)
			shares = append(shares, models.Share{
				ID: st.ID, MoveID: in.MoveID, CredentialID: c.ID, CredentialType: c.Type, ReceiverODS: mc.move.ReceivingODS,
				PassportID: mc.passport.ID, SharedAt: now, Verification: string(verification), Decision: models.DecisionPending,
			})
			out = append(out, st)
		}
	}
	if len(out) == 0 {
		return nil, temporal.NewNonRetryableApplicationError("none of the consented credentials is still valid", ErrTypeInvalid, nil)
	}
	types := make([]string, len(in.Types))
	for i, t := range in.Types {
		types[i] = string(t)
	}
	slices.Sort(types)
	consent := models.Consent{
		ID: uuid.NewSHA1(shareNamespace, []byte(in.MoveID+"/consent")).String(), MoveID: in.MoveID, PassportID: mc.passport.ID,
		ReceiverODS: mc.move.ReceivingODS, CredentialTypes: strings.Join(types, ","), WordingVersion: in.WordingVersion, GivenAt: now,
	}
	if err := a.Store.RecordTransfer(ctx, consent, shares, mc.move.ReceivingODS); err != nil {
		return nil, err
	}
	for _, sh := range out {
		if err := a.emit(ctx, []string{mc.move.ReceivingODS}, models.EventShareReceived, sh.ID,
			map[string]string{"move_id": in.MoveID, "share_id": sh.ID}); err != nil {
			return nil, err
		}
	}
	d := mc.data(a.moveLink(in.MoveID))
	d.Count = len(out)
	d.Items, d.Missing = sharedWords(mc, valid, in.Types, out)
	if err := a.send(ctx, mc, in.MoveID+"/shares_received/receiving/0", TemplateSharesReceived, "receiving_trust", mc.receiving.ContactEmail, d); err != nil {
		return nil, err
	}
	return out, nil
}

// RevokeShares ends the receiving trust's access to a move's shares.
func (a *Activities) RevokeShares(ctx context.Context, in RevokeInput) error {
	n, err := a.Store.RevokeShares(ctx, in.MoveID, a.now())
	if err != nil {
		return err
	}
	if n == 0 {
		return nil // revoked by an earlier attempt
	}
	return a.Store.Audit(ctx, models.Actor{Kind: models.ActorSystem, ID: "move/" + in.MoveID}, "shares.revoked", "move", in.MoveID,
		map[string]any{"count": n, "reason": in.Reason})
}

// RecordProgress writes the move's progress to the read model; a stale
// write (lower Seq) changes nothing. notes, the audit records of answers
// the move took, are written with it (each once).
// It tells the trusts' systems when the stage changes, and the trust the
// move now waits on.
func (a *Activities) RecordProgress(ctx context.Context, p models.MoveProgress, notes []models.AuditNote) error {
	before, applied, err := a.Store.SaveProgress(ctx, p, notes...)
	if err != nil {
		return fmt.Errorf("record progress: %w", err)
	}
	if !applied || a.Webhooks == nil {
		return nil
	}
	mv, err := a.Store.Move(ctx, p.MoveID)
	if err != nil {
		return err
	}
	both := []string{mv.SendingODS, mv.ReceivingODS}
	if before.Stage != p.Stage {
		if err := a.emit(ctx, both, models.EventMoveStageChanged, p.MoveID+"/"+p.Stage,
			map[string]string{"move_id": p.MoveID, "stage": p.Stage}); err != nil {
			return err
		}
	}
	if before.WaitingOn != p.WaitingOn {
		var trust string
		switch p.WaitingOn {
		case models.WaitingSendingTrust:
			trust = mv.SendingODS
		case models.WaitingReceivingTrust:
			trust = mv.ReceivingODS
		}
		if trust != "" {
			if err := a.emit(ctx, []string{trust}, models.EventMoveWaitingOnYou, fmt.Sprintf("%s/%d", p.MoveID, p.Seq),
				map[string]string{"move_id": p.MoveID, "stage": p.Stage}); err != nil {
				return err
			}
		}
	}
	return nil
}

// sharedWords says what a transfer shared ("DBS check and Right to work")
// and, a sentence each, what the receiving trust asked for and did not
// get, why, and what it checks itself.
func sharedWords(mc moveContext, valid []models.Credential, consented []models.CredentialType, shares []models.ShareState) (string, []string) {
	var held, shared []models.CredentialType
	for _, c := range valid {
		held = append(held, c.Type)
	}
	for _, sh := range shares {
		if !slices.Contains(shared, sh.CredentialType) {
			shared = append(shared, sh.CredentialType)
		}
	}
	var p models.MoveProgress
	_ = json.Unmarshal([]byte(mc.move.Progress), &p) // the records the sending trust answered
	staff := mc.passport.GivenName + " " + mc.passport.FamilyName
	var missing []string
	for _, m := range models.Missing(mc.move.RequestedTypes(), held, consented, shared, p.Records) {
		missing = append(missing, m.Type.Title()+": "+m.Reason.Words(staff, mc.sending.Name)+". "+m.Type.OwnCheck())
	}
	return itemWords(shared), missing
}
