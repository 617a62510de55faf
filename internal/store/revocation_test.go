package store_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/nhs-staff-passport/passport/internal/store"
	"github.com/nhs-staff-passport/passport/internal/testenv"
	"github.com/nhs-staff-passport/passport/internal/vc"
)

// Status indexes are handed out at random places, never twice, and a
// trust whose list fills gets a second one.
func TestRevocationListsHandOutRandomIndexesAndOpenAnotherWhenFull(t *testing.T) {
	ctx := context.Background()
	for name, s := range backends(t) {
		t.Run(name, func(t *testing.T) {
			first, err := s.AllocateStatusIndexes(ctx, "RJ1", 200)
			if err != nil {
				t.Fatal(err)
			}
			seen := map[int]bool{}
			inOrder := 0
			for i, r := range first {
				if r.List != 0 || seen[r.Index] {
					t.Fatalf("allocation %d: %+v (seen before: %v)", i, r, seen[r.Index])
				}
				seen[r.Index] = true
				if r.Index == i {
					inOrder++
				}
			}
			if inOrder > 2 {
				t.Errorf("%d of 200 indexes were handed out in issue order; they should be random", inOrder)
			}
			// Fill the first list to the last place, then two more.
			rest, err := s.AllocateStatusIndexes(ctx, "RJ1", vc.StatusListBits-200+2)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range rest[:len(rest)-2] {
				if r.List != 0 || seen[r.Index] {
					t.Fatalf("index %+v handed out twice or in the wrong list", r)
				}
				seen[r.Index] = true
			}
			if len(seen) != vc.StatusListBits {
				t.Fatalf("the first list holds %d indexes", len(seen))
			}
			if a, b := rest[len(rest)-2], rest[len(rest)-1]; a.List != 1 || b.List != 1 || a.Index == b.Index {
				t.Errorf("after the first list filled: %+v %+v", a, b)
			}
			if n, err := s.RevocationListCount(ctx, "RJ1"); err != nil || n != 2 {
				t.Errorf("lists: %d, %v", n, err)
			}
			// Revoking sets the bit in the right list only.
			last := rest[len(rest)-1]
			if err := s.SetRevokedBit(ctx, "RJ1", last); err != nil {
				t.Fatal(err)
			}
			second, _ := s.RevocationList(ctx, "RJ1", 1)
			firstBits, _ := s.RevocationList(ctx, "RJ1", 0)
			if on, _ := vc.Bit(second, last.Index); !on {
				t.Error("the revoked bit is clear in the second list")
			}
			if on, _ := vc.Bit(firstBits, last.Index); on {
				t.Error("revoking in the second list set a bit in the first")
			}
			// A trust's lists fill one after another, even within one call.
			many, err := s.AllocateStatusIndexes(ctx, "RRK", 2*vc.StatusListBits+1)
			if err != nil {
				t.Fatal(err)
			}
			perList := map[int]map[int]bool{}
			for _, r := range many {
				if perList[r.List] == nil {
					perList[r.List] = map[int]bool{}
				}
				if perList[r.List][r.Index] {
					t.Fatalf("index %+v handed out twice", r)
				}
				perList[r.List][r.Index] = true
			}
			if len(perList[0]) != vc.StatusListBits || len(perList[1]) != vc.StatusListBits || len(perList[2]) != 1 {
				t.Errorf("two and a bit lists' worth went %d / %d / %d", len(perList[0]), len(perList[1]), len(perList[2]))
			}
			if n, _ := s.RevocationListCount(ctx, "RRK"); n != 3 {
				t.Errorf("RRK has %d lists, want 3", n)
			}
			if next, err := s.AllocateStatusIndexes(ctx, "RRK", 1); err != nil || next[0].List != 2 || perList[2][next[0].Index] {
				t.Errorf("the next index after a call that filled two lists: %+v %v", next, err)
			}
			if _, err := s.RevocationList(ctx, "RJ1", 5); err == nil {
				t.Error("a list never opened was found")
			}
			if bits, err := s.RevocationList(ctx, "RRK", 0); err != nil || len(bits)*8 != vc.StatusListBits {
				t.Errorf("a trust that issued nothing: %d bits, %v", len(bits)*8, err)
			}
		})
	}
}

// A database made before trusts could have several lists keeps its
// revocations and never hands out an index it handed out before.
func TestOldStatusListsAreCarriedOver(t *testing.T) {
	ctx := context.Background()
	dsn := testenv.PostgresDB(t)
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	bits := vc.NewBitstring()
	_ = vc.SetBit(bits, 3) // credential 3 was revoked
	if _, err := conn.Exec(ctx, `CREATE TABLE status_lists (trust_ods varchar(5), purpose varchar(20), bits bytea NOT NULL,
		next_index bigint NOT NULL, updated_at timestamptz, PRIMARY KEY (trust_ods, purpose))`); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, `INSERT INTO status_lists VALUES ('RJ1', 'revocation', $1, 10, now())`, bits); err != nil {
		t.Fatal(err)
	}
	s, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for range 2 {
		if err := s.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.RevocationList(ctx, "RJ1", 0)
	if err != nil {
		t.Fatal(err)
	}
	if on, _ := vc.Bit(got, 3); !on {
		t.Error("the revocation of index 3 was lost")
	}
	refs, err := s.AllocateStatusIndexes(ctx, "RJ1", 500)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range refs {
		if r.List == 0 && r.Index < 10 {
			t.Fatalf("index %d was handed out again", r.Index)
		}
	}
}
