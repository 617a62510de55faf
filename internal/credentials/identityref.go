package credentials

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// IdentityRef is the keyed hash under which a passport is found by a
// verified professional registration: two invitations giving the same
// regulator and number reach the same passport even when the email
// addresses differ. Keyed, so the stored value reveals nothing by itself.
func (s *Service) IdentityRef(body, number string) string {
	m := hmac.New(sha256.New, s.refKey)
	m.Write([]byte(strings.ToUpper(strings.TrimSpace(body)) + ":" + strings.ToUpper(strings.ReplaceAll(number, " ", ""))))
	return hex.EncodeToString(m.Sum(nil))
}
