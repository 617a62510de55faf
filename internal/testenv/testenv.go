// Package testenv gives integration tests their own throwaway resources on
// the real servers that scripts/test makes sure are running: a PostgreSQL
// database per test, a Redis database per test, and free ports.
package testenv

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	mrand "math/rand/v2"
	"net"
	"net/url"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/redis/go-redis/v9"
)

// PostgresAdminURL is the server tests create their databases on, from
// PASSPORT_TEST_POSTGRES_URL.
func PostgresAdminURL() string {
	if u := os.Getenv("PASSPORT_TEST_POSTGRES_URL"); u != "" {
		return u
	}
	return "postgres://postgres:postgres@127.0.0.1:5432/postgres?sslmode=disable"
}

// RedisAddr is the Redis server tests use, from PASSPORT_TEST_REDIS_ADDR.
func RedisAddr() string {
	if a := os.Getenv("PASSPORT_TEST_REDIS_ADDR"); a != "" {
		return a
	}
	return "127.0.0.1:6379"
}

const unreachable = "%s is not reachable at %s (%v); run the tests with scripts/test, which starts it"

// PostgresDB creates an empty database for the test, drops it when the test
// ends, and returns its URL.
func PostgresDB(t testing.TB) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	admin := PostgresAdminURL()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		t.Fatalf(unreachable, "PostgreSQL", admin, err)
	}
	defer conn.Close(ctx)
	name := "passport_test_" + randomHex(6)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, admin)
		if err != nil {
			t.Errorf("drop test database: %v", err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("drop test database: %v", err)
		}
	})
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

// Redis reserves one of the server's numbered databases (1-15) for the
// test, empties it, and returns a client for it. Tests in parallel packages
// hold different databases; the reservation lives in database 0 and lapses
// if a test process dies.
func Redis(t testing.TB) *redis.Client {
	t.Helper()
	ctx := context.Background()
	lock := redis.NewClient(&redis.Options{Addr: RedisAddr()})
	t.Cleanup(func() { _ = lock.Close() })
	if err := lock.Ping(ctx).Err(); err != nil {
		t.Fatalf(unreachable, "Redis", RedisAddr(), err)
	}
	owner := randomHex(8)
	deadline := time.Now().Add(2 * time.Minute)
	for {
		for db := 1; db <= 15; db++ {
			key := "passport-test-db:" + strconv.Itoa(db)
			ok, err := lock.SetNX(ctx, key, owner, 10*time.Minute).Result()
			if err != nil {
				t.Fatalf("reserve redis database: %v", err)
			}
			if !ok {
				continue
			}
			c := redis.NewClient(&redis.Options{Addr: RedisAddr(), DB: db})
			if err := c.FlushDB(ctx).Err(); err != nil {
				t.Fatalf("empty redis database %d: %v", db, err)
			}
			t.Cleanup(func() {
				_ = c.FlushDB(ctx).Err()
				_ = c.Close()
				if v, _ := lock.Get(ctx, key).Result(); v == owner {
					lock.Del(ctx, key)
				}
			})
			return c
		}
		if time.Now().After(deadline) {
			t.Fatal("no free redis test database (1-15) after 2 minutes")
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// FreePortRange returns the first of n consecutive free loopback ports. They
// are picked below the kernel's ephemeral range (32768 and up), so that no
// outgoing connection of this or another test takes one of them between a
// server's stop and its restart on the same ports.
func FreePortRange(t testing.TB, n int) int {
	t.Helper()
	const low, high = 10000, 32000
	for range 500 {
		base := low + mrand.IntN(high-low-n)
		if rangeFree(base, n) {
			return base
		}
	}
	t.Fatalf("no %d consecutive free ports between %d and %d", n, low, high)
	return 0
}

func rangeFree(base, n int) bool {
	for p := base; p < base+n; p++ {
		l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", p))
		if err != nil {
			return false
		}
		_ = l.Close()
	}
	return true
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
