// Package devredis runs an in-process Redis (miniredis) on loopback for
// development mode, so the delivery queue connects to it as to any Redis.
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
	m    *miniredis.Miniredis
	stop chan struct{}
	done chan struct{}
}

// Start listens on addr ("127.0.0.1:0" picks a free port).
func Start(addr string) (*Server, error) {
	m := miniredis.NewMiniRedis()
	if err := m.StartAddr(addr); err != nil {
		return nil, fmt.Errorf("devredis: listen on %s: %w", addr, err)
	}
	s := &Server{m: m, stop: make(chan struct{}), done: make(chan struct{})}
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

// Close stops the server; its data is gone.
func (s *Server) Close() {
	close(s.stop)
	<-s.done
	s.m.Close()
}
