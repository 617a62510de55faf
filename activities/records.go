package activities

import (
	"context"
	"fmt"
	"slices"

	"github.com/nhs-staff-passport/passport/models"
)

// RequestRecords finds what the move's passport lacks of what the
// receiving trust asked for and, while something is missing, emails the
// sending trust a link to the move's page to record it (N > 0: a reminder).
// It returns what is missing: nothing when the sending trust does not take
// such requests (then the receiving trust checks what is missing itself).
func (a *Activities) RequestRecords(ctx context.Context, in RecordsInput) ([]models.CredentialType, error) {
	mc, err := a.load(ctx, in.MoveID)
	if err != nil {
		return nil, err
	}
	if in.N == 0 && mc.sending.SkipRecordRequests {
		return nil, nil
	}
	missing, err := a.missingRecords(ctx, mc, in.NoRecord)
	if err != nil || len(missing) == 0 {
		return nil, err
	}
	d := mc.data(a.moveLink(in.MoveID) + "#records")
	d.Count, d.Items = len(missing), itemWords(missing)
	template := TemplateRecordsRequested
	if in.N > 0 {
		template = "records_reminder"
	}
	key := fmt.Sprintf("%s/%s/sending/%d", in.MoveID, TemplateRecordsRequested, in.N)
	return missing, a.send(ctx, mc, key, template, "sending_trust", mc.sending.ContactEmail, d)
}

// CheckRecords returns what the move's passport still lacks, leaving out
// what the sending trust holds no record of.
func (a *Activities) CheckRecords(ctx context.Context, in RecordsInput) ([]models.CredentialType, error) {
	mc, err := a.load(ctx, in.MoveID)
	if err != nil {
		return nil, err
	}
	return a.missingRecords(ctx, mc, in.NoRecord)
}

func (a *Activities) missingRecords(ctx context.Context, mc moveContext, noRecord []models.CredentialType) ([]models.CredentialType, error) {
	held, err := a.heldTypes(ctx, mc)
	if err != nil {
		return nil, err
	}
	var missing []models.CredentialType
	for _, t := range mc.move.RequestedTypes() {
		if !slices.Contains(held, t) && !slices.Contains(noRecord, t) {
			missing = append(missing, t)
		}
	}
	return missing, nil
}

// itemWords lists credential types as a sentence: "DBS check and Right to
// work".
func itemWords(types []models.CredentialType) string {
	words := make([]string, len(types))
	for i, t := range types {
		words[i] = t.Title()
	}
	return models.ListWords(words)
}
