package linktoken

import (
	"bytes"
	"testing"
)

// FuzzParse: whatever arrives in a link's place is refused or parsed,
// never a panic; only a token this signer made parses, to what it made.
func FuzzParse(f *testing.F) {
	s, err := NewSigner([]byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		f.Fatal(err)
	}
	good := s.New()
	f.Add(good.Plain)
	f.Add("")
	f.Add(".")
	f.Add(good.Plain[:len(good.Plain)-1])
	f.Fuzz(func(t *testing.T, plain string) {
		id, hash, err := s.Parse(plain)
		if err != nil {
			return
		}
		if plain != good.Plain && id == good.ID {
			t.Errorf("%q parsed as the real token's ID", plain)
		}
		if plain == good.Plain && (id != good.ID || !bytes.Equal(hash, good.Hash)) {
			t.Errorf("the real token parsed to %s", id)
		}
	})
}
