package webhook

import (
	"sync"
	"time"
)

// seenSet is a bounded set of message ids, each remembered up to and
// including its last instant (the last instant at which the verifier
// accepts a delivery of it). When it is full, the oldest entry is forgotten
// first. The clock is the caller's (the verifier's), so that tests can move
// it.
type seenSet struct {
	mu    sync.Mutex
	until map[string]time.Time
	order []string // ring buffer of ids, oldest at head
	head  int
	n     int
}

func newSeenSet(size int) *seenSet {
	return &seenSet{until: make(map[string]time.Time, min(size, 1024)), order: make([]string, size)}
}

// check reports whether id is remembered at now (its last instant not
// passed). A remembered id is then kept at least until until as well: a
// later retry of the message (same id, newer timestamp) is accepted by the
// verifier for longer than the first delivery was, and must stay a
// duplicate for as long.
func (s *seenSet) check(id string, now, until time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	last, ok := s.until[id]
	if !ok || now.After(last) {
		return false
	}
	if until.After(last) {
		s.until[id] = until
	}
	return true
}

// add remembers id up to until included (an entry whose until has passed
// at now is not kept), forgetting expired and, when full, the oldest
// entries.
func (s *seenSet) add(id string, now, until time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.evictExpired(now)
	if now.After(until) {
		return
	}
	if last, ok := s.until[id]; ok {
		if until.After(last) {
			s.until[id] = until
		}
		return
	}
	if s.n == len(s.order) {
		s.popOldest()
	}
	s.order[(s.head+s.n)%len(s.order)] = id
	s.n++
	s.until[id] = until
}

// evictExpired forgets the expired entries at the head of the ring. An
// entry behind a live one waits its turn; the size bound holds anyway.
func (s *seenSet) evictExpired(now time.Time) {
	for s.n > 0 {
		if last := s.until[s.order[s.head]]; !now.After(last) {
			return
		}
		s.popOldest()
	}
}

func (s *seenSet) popOldest() {
	id := s.order[s.head]
	delete(s.until, id)
	s.order[s.head] = ""
	s.head = (s.head + 1) % len(s.order)
	s.n--
}

// len returns the number of ids held.
func (s *seenSet) len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.n
}
