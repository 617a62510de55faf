package devredis

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

func TestSnapshotSurvivesRestart(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "redis.snapshot")
	s, err := Start("127.0.0.1:0", path)
	if err != nil {
		t.Fatal(err)
	}
	c := redis.NewClient(&redis.Options{Addr: s.Addr()})
	binary := string([]byte{0, 0xff, 0x10, 'x'}) // asynq stores protobuf bytes
	c.Set(ctx, "str", binary, 0)
	c.Set(ctx, "lease", "v", time.Hour)
	c.RPush(ctx, "list", "a", "b", "c")
	c.SAdd(ctx, "set", "m1", "m2")
	c.HSet(ctx, "hash", "f1", binary, "f2", "v2")
	c.ZAdd(ctx, "zset", redis.Z{Score: 1.5, Member: "one"}, redis.Z{Score: 3, Member: "three"})
	_ = c.Close()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s, err = Start("127.0.0.1:0", path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	c = redis.NewClient(&redis.Options{Addr: s.Addr()})
	defer c.Close()
	if v, _ := c.Get(ctx, "str").Result(); v != binary {
		t.Errorf("string: %q", v)
	}
	if ttl, _ := c.TTL(ctx, "lease").Result(); ttl <= 0 || ttl > time.Hour {
		t.Errorf("ttl lost: %v", ttl)
	}
	if l, _ := c.LRange(ctx, "list", 0, -1).Result(); len(l) != 3 || l[0] != "a" || l[2] != "c" {
		t.Errorf("list: %v", l)
	}
	if n, _ := c.SCard(ctx, "set").Result(); n != 2 {
		t.Errorf("set: %d members", n)
	}
	if h, _ := c.HGetAll(ctx, "hash").Result(); h["f1"] != binary || h["f2"] != "v2" {
		t.Errorf("hash: %v", h)
	}
	if z, _ := c.ZRangeWithScores(ctx, "zset", 0, -1).Result(); len(z) != 2 || z[0].Member != "one" || z[1].Score != 3 {
		t.Errorf("zset: %v", z)
	}
}

func TestKeysExpireWithRealTime(t *testing.T) {
	ctx := context.Background()
	s, err := Start("127.0.0.1:0", "")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	c := redis.NewClient(&redis.Options{Addr: s.Addr()})
	defer c.Close()
	// asynq's unique-task locks are keys like this one.
	c.Set(ctx, "lock", "1", 500*time.Millisecond)
	deadline := time.Now().Add(5 * time.Second)
	for c.Exists(ctx, "lock").Val() == 1 {
		if time.Now().After(deadline) {
			t.Fatal("a key with a TTL never expired")
		}
		time.Sleep(50 * time.Millisecond)
	}
}
