package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/nhs-staff-passport/passport/internal/moves"
	"github.com/nhs-staff-passport/passport/internal/problem"
	"github.com/nhs-staff-passport/passport/models"
)

// The JSON face of the emailed links, for a wallet app: the same actions as
// the pages, authorised by the link's token alone.

type trustRef struct {
	ODS  string `json:"ods"`
	Name string `json:"name"`
}

type linkView struct {
	Action         models.LinkAction     `json:"action"`
	ExpiresAt      time.Time             `json:"expires_at"`
	MoveID         string                `json:"move_id"`
	Kind           models.MoveKind       `json:"kind"`
	Stage          string                `json:"stage"`
	Status         models.MoveStatus     `json:"status"`
	StartDate      string                `json:"start_date"`
	SendingTrust   trustRef              `json:"sending_trust"`
	ReceivingTrust trustRef              `json:"receiving_trust"`
	Requested      []moves.RequestedItem `json:"requested_credentials,omitempty"`
	ConsentWording string                `json:"consent_wording,omitempty"`
	Passport       *passportView         `json:"passport,omitempty"`
}

func (h *handlers) linkJSON(c *gin.Context) {
	l, err := h.moves.ResolveLink(c.Request.Context(), c.Param("token"))
	if err != nil {
		problem.Error(c, err)
		return
	}
	v := linkView{
		Action: l.Token.Action, ExpiresAt: l.Token.ExpiresAt, MoveID: l.Move.ID, Kind: l.Move.Kind, Stage: l.Move.Stage,
		Status: l.Move.Status, StartDate: l.Move.StartDate.Format(time.DateOnly),
		SendingTrust:   trustRef{l.Sending.ODSCode, l.Sending.Name},
		ReceivingTrust: trustRef{l.Receiving.ODSCode, l.Receiving.Name},
	}
	switch l.Token.Action {
	case models.LinkGiveConsent:
		v.Requested = l.Requested()
		v.ConsentWording = moves.ConsentText(l.Receiving.Name)
	case models.LinkViewPassport:
		p, _, err := h.moves.HolderPassport(c.Request.Context(), l)
		if err != nil {
			problem.Error(c, err)
			return
		}
		pv := viewPassport(p, time.Now())
		v.Passport = &pv
	}
	c.JSON(http.StatusOK, v)
}

// linkDone answers a link action with the move as it now stands.
func (h *handlers) linkDone(c *gin.Context, l moves.Link, err error) {
	if err != nil {
		problem.Error(c, err)
		return
	}
	mv, err := h.store.Move(c.Request.Context(), l.Move.ID)
	if err != nil {
		problem.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"move_id": mv.ID, "status": mv.Status, "stage": mv.Stage})
}

func (h *handlers) linkAccept(c *gin.Context) {
	l, err := h.moves.AcceptInvitation(c.Request.Context(), c.Param("token"))
	h.linkDone(c, l, err)
}

func (h *handlers) linkSimulateIdentity(c *gin.Context) {
	l, err := h.moves.SimulateIdentity(c.Request.Context(), c.Param("token"))
	h.linkDone(c, l, err)
}

type consentRequest struct {
	CredentialTypes []models.CredentialType `json:"credential_types"`
}

func (h *handlers) linkConsent(c *gin.Context) {
	var in consentRequest
	if !bindJSON(c, &in) {
		return
	}
	if len(in.CredentialTypes) == 0 {
		var v models.ValidationError
		v.Add("credential_types", "choose at least one credential to share, or decline")
		problem.Error(c, &v)
		return
	}
	l, err := h.moves.GiveConsent(c.Request.Context(), c.Param("token"), in.CredentialTypes)
	h.linkDone(c, l, err)
}

func (h *handlers) linkDecline(c *gin.Context) {
	var in reasonRequest
	if !bindJSON(c, &in) {
		return
	}
	l, err := h.moves.Decline(c.Request.Context(), c.Param("token"), in.Reason)
	h.linkDone(c, l, err)
}

func (h *handlers) linkWithdraw(c *gin.Context) {
	l, err := h.moves.WithdrawConsent(c.Request.Context(), c.Param("token"))
	h.linkDone(c, l, err)
}
