package models

import "strings"

// ListWords lists words as a sentence does: "a", "a and b", "a, b and c".
func ListWords(words []string) string {
	if len(words) < 2 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " and " + words[len(words)-1]
}
