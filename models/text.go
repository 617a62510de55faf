package models

import (
	"strings"
	"unicode/utf8"
)

// CleanText reports whether s is text the service takes: valid UTF-8,
// without NUL or other control characters (PostgreSQL refuses NUL and
// invalid bytes; no field needs the others). Line breaks and tabs pass
// only where multiline is true.
func CleanText(s string, multiline bool) bool {
	if !utf8.ValidString(s) {
		return false
	}
	return !strings.ContainsFunc(s, func(r rune) bool {
		if multiline && (r == '\n' || r == '\r' || r == '\t') {
			return false
		}
		return r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0)
	})
}

// LooksLikeAddress reports whether s holds a web address, which names
// must not (they go into emails the service sends).
func LooksLikeAddress(s string) bool {
	l := strings.ToLower(s)
	return strings.Contains(l, "://") || strings.Contains(l, "www.") || strings.Contains(l, "http:") || strings.Contains(l, "https:")
}
