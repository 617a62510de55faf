package testenv

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/nhs-staff-passport/passport/internal/apikey"
	"github.com/nhs-staff-passport/passport/internal/store"
	"github.com/nhs-staff-passport/passport/models"
)

// TrustsWithKeys registers the trusts ("Trust RJ1" and so on) and makes an
// API key for HR and the trust admin of each, and one for the service's
// operators. It returns the keys by "ODS/role"; "RJ1/operator" and the
// like all name the operators' one key, so tables can be written per
// trust and role.
func TrustsWithKeys(tb testing.TB, st *store.Store, trusts ...string) map[string]string {
	tb.Helper()
	ctx := context.Background()
	keys := map[string]string{}
	operator := apikey.New()
	if err := st.CreateAPIKey(ctx, &models.APIKey{ID: uuid.NewString(), Prefix: operator.Prefix, SecretHash: operator.Hash, Role: models.RoleOperator}); err != nil {
		tb.Fatal(err)
	}
	for _, ods := range trusts {
		if err := st.SaveTrust(ctx, &models.Trust{ODSCode: ods, Name: "Trust " + ods, Registered: true, RegisteredAt: time.Now()}); err != nil {
			tb.Fatal(err)
		}
		keys[ods+"/"+string(models.RoleOperator)] = operator.Plain
		for _, role := range []models.Role{models.RoleHR, models.RoleTrustAdmin} {
			k := apikey.New()
			if err := st.CreateAPIKey(ctx, &models.APIKey{ID: uuid.NewString(), Prefix: k.Prefix, SecretHash: k.Hash, TrustODS: ods, Role: role}); err != nil {
				tb.Fatal(err)
			}
			keys[ods+"/"+string(role)] = k.Plain
		}
	}
	return keys
}

// FailingEmail records an email whose delivery has failed since ago, as
// the relay refusing it would.
func FailingEmail(tb testing.TB, st *store.Store, key string, ago time.Duration) {
	tb.Helper()
	ctx := context.Background()
	n := models.Notification{ID: key, MoveID: "00000000-0000-0000-0000-000000000001", Template: "invitation", Recipient: "staff",
		Status: models.NotificationQueued, CreatedAt: time.Now(), UpdatedAt: time.Now()}
	if _, err := st.AddNotification(ctx, &n); err != nil {
		tb.Fatal(err)
	}
	if err := st.NotificationAttemptFailed(ctx, key, "421 4.3.2 service not available", time.Now().Add(-ago)); err != nil {
		tb.Fatal(err)
	}
}
