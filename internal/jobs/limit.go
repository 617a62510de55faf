package jobs

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"time"

	"github.com/redis/go-redis/v9"
)

// RecipientLimit bounds the emails one recipient can be sent by what
// anyone may ask for (a sign-in link, an enquiry's acknowledgement),
// counted in Redis so that every process shares the count. Keys are
// hashed: no address is written to Redis.
type RecipientLimit struct{ rdb redis.UniversalClient }

// NewRecipientLimit counts in rdb.
func NewRecipientLimit(rdb redis.UniversalClient) *RecipientLimit { return &RecipientLimit{rdb: rdb} }

// Allow counts one more email to recipient (of the kind) and reports
// whether it is within max in the window that began with the first.
func (l *RecipientLimit) Allow(ctx context.Context, kind, recipient string, max int, window time.Duration) (bool, error) {
	sum := sha256.Sum256([]byte(recipient))
	key := "passport:recipient:" + kind + ":" + hex.EncodeToString(sum[:12])
	// The window starts with the first email; SET NX gives it its expiry
	// in the same step, so a count never outlives it.
	if err := l.rdb.SetNX(ctx, key, 0, window).Err(); err != nil {
		return false, err
	}
	n, err := l.rdb.Incr(ctx, key).Result()
	if err != nil {
		return false, err
	}
	return n <= int64(max), nil
}
