package devredis

import (
	"encoding/gob"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/alicebob/miniredis/v2"
)

// entry is one key of a snapshot. Values are bytes, not text: asynq keeps
// its tasks as protocol buffers.
type entry struct {
	Key  string
	Type string
	TTL  time.Duration
	Str  []byte
	List [][]byte
	Set  [][]byte
	Hash map[string][]byte
	ZSet map[string]float64
}

// save writes database 0 (the one the service uses) to path, replacing the
// file only once the new one is complete.
func save(m *miniredis.Miniredis, path string) error {
	var entries []entry
	for _, k := range m.Keys() {
		e := entry{Key: k, Type: m.Type(k), TTL: m.TTL(k)}
		var err error
		switch e.Type {
		case "string":
			var s string
			s, err = m.Get(k)
			e.Str = []byte(s)
		case "list":
			var l []string
			l, err = m.List(k)
			e.List = toBytes(l)
		case "set":
			var s []string
			s, err = m.Members(k)
			e.Set = toBytes(s)
		case "hash":
			var fields []string
			fields, err = m.HKeys(k)
			e.Hash = make(map[string][]byte, len(fields))
			for _, f := range fields {
				e.Hash[f] = []byte(m.HGet(k, f))
			}
		case "zset":
			e.ZSet, err = m.SortedSet(k)
		default:
			continue // the service stores no other types
		}
		if err != nil {
			return fmt.Errorf("devredis: snapshot %s: %w", e.Type, err)
		}
		entries = append(entries, e)
	}
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("devredis: snapshot: %w", err)
	}
	if err := gob.NewEncoder(f).Encode(entries); err != nil {
		_ = f.Close()
		return fmt.Errorf("devredis: snapshot: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("devredis: snapshot: %w", err)
	}
	return os.Rename(tmp, path)
}

// load restores a snapshot written by save; a missing file is an empty one.
func load(m *miniredis.Miniredis, path string) error {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("devredis: restore: %w", err)
	}
	defer f.Close()
	var entries []entry
	if err := gob.NewDecoder(f).Decode(&entries); err != nil {
		return fmt.Errorf("devredis: restore %s (delete it to start with an empty queue): %w", path, err)
	}
	for _, e := range entries {
		switch e.Type {
		case "string":
			err = m.Set(e.Key, string(e.Str))
		case "list":
			_, err = m.Push(e.Key, toStrings(e.List)...)
		case "set":
			_, err = m.SetAdd(e.Key, toStrings(e.Set)...)
		case "hash":
			for f, v := range e.Hash {
				m.HSet(e.Key, f, string(v))
			}
		case "zset":
			for member, score := range e.ZSet {
				if _, err = m.ZAdd(e.Key, score, member); err != nil {
					break
				}
			}
		}
		if err != nil {
			return fmt.Errorf("devredis: restore %s: %w", e.Type, err)
		}
		if e.TTL > 0 {
			m.SetTTL(e.Key, e.TTL)
		}
	}
	return nil
}

func toBytes(ss []string) [][]byte {
	out := make([][]byte, len(ss))
	for i, s := range ss {
		out[i] = []byte(s)
	}
	return out
}

func toStrings(bs [][]byte) []string {
	out := make([]string, len(bs))
	for i, b := range bs {
		out[i] = string(b)
	}
	return out
}
