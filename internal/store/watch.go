package store

import (
	"context"
	"sync"
	"time"

	"github.com/nhs-staff-passport/passport/models"
)

// watchers wake whoever waits on a move when this process writes its
// progress. When the API and the worker share a process (dev mode) an
// answer's wait for the read model ends the moment the worker writes it;
// across processes the waiter's own timer re-reads the row.
type watchers struct {
	mu      sync.Mutex
	waiting map[string]map[*chan struct{}]struct{}
}

// watch returns a channel closed at the next progress write of the move,
// and a function that stops watching.
func (w *watchers) watch(moveID string) (<-chan struct{}, func()) {
	ch := make(chan struct{})
	key := &ch
	w.mu.Lock()
	if w.waiting == nil {
		w.waiting = map[string]map[*chan struct{}]struct{}{}
	}
	if w.waiting[moveID] == nil {
		w.waiting[moveID] = map[*chan struct{}]struct{}{}
	}
	w.waiting[moveID][key] = struct{}{}
	w.mu.Unlock()
	return ch, func() {
		w.mu.Lock()
		defer w.mu.Unlock()
		if set, ok := w.waiting[moveID]; ok {
			delete(set, key)
			if len(set) == 0 {
				delete(w.waiting, moveID)
			}
		}
	}
}

func (w *watchers) wake(moveID string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for key := range w.waiting[moveID] {
		close(*key)
	}
	delete(w.waiting, moveID)
}

// WaitMove returns the move once until says it is as wanted. When ctx ends
// first it returns the move as last read (zero if no read finished) with
// ctx's error. A progress write by this process wakes it at once; every
// recheck re-reads the row as well, for writes by other processes.
func (s *Store) WaitMove(ctx context.Context, moveID string, recheck time.Duration, until func(models.Move) bool) (models.Move, error) {
	t := time.NewTimer(recheck)
	defer t.Stop()
	var last models.Move
	for {
		woken, stop := s.watchers.watch(moveID)
		mv, err := s.Move(ctx, moveID)
		switch {
		case err != nil && ctx.Err() != nil:
			stop()
			return last, ctx.Err()
		case err != nil:
			stop()
			return mv, err
		case until(mv):
			stop()
			return mv, nil
		}
		last = mv
		t.Reset(recheck)
		select {
		case <-woken:
		case <-t.C:
		case <-ctx.Done():
			stop()
			return last, ctx.Err()
		}
		stop()
	}
}
