// Package devredis runs an in-process Redis (miniredis) on loopback for
// development mode, so the delivery queue connects to it as to any Redis.
// miniredis keeps nothing on disk, so the server writes a snapshot when it
// stops and reads it back when it starts: email queued but not yet sent
// survives a restart.
package devredis

import (
	"fmt"
	"time"

	"github.com/alicebob/miniredis/v2"
)

// tick is how often the server's clock is moved on. miniredis never expires
// keys on its own, and asynq relies on expiring keys (unique-task locks,
// server heartbeats), so the clock must follow real time.
const tick = 250 * time.Millisecond

// Server is a running in-process Redis.
type Server struct {
	m        *miniredis.Miniredis
	snapshot string
	stop     chan struct{}
	done     chan struct{}
}

// Start restores the snapshot file (if snapshot is not empty and the file
// exists) and listens on addr ("127.0.0.1:0" picks a free port).
func Start(addr, snapshot string) (*Server, error) {
	m := miniredis.NewMiniRedis()
	if snapshot != "" {
		if err := load(m, snapshot); err != nil {
			return nil, err
		}
	}
	if err := m.StartAddr(addr); err != nil {
		return nil, fmt.Errorf("devredis: listen on %s: %w", addr, err)
	}
	s := &Server{m: m, snapshot: snapshot, stop: make(chan struct{}), done: make(chan struct{})}
	go s.advanceClock()
	return s, nil
}

func (s *Server) advanceClock() {
	defer close(s.done)
	t := time.NewTicker(tick)
	defer t.Stop()
	last := time.Now()
	for {
		select {
		case <-s.stop:
			return
		case now := <-t.C:
			s.m.SetTime(now)
			s.m.FastForward(now.Sub(last))
			last = now
		}
	}
}

// Addr is the host:port clients connect to.
func (s *Server) Addr() string { return s.m.Addr() }

// Close stops the server and writes its snapshot; stop the clients first.
func (s *Server) Close() error {
	close(s.stop)
	<-s.done
	s.m.Close()
	if s.snapshot == "" {
		return nil
	}
	return save(s.m, s.snapshot)
}
