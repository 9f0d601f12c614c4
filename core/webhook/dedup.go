package webhook

import (
	"sync"
	"time"
)

// seenSet is a bounded set of message ids, each remembered until its
// expiry. When it is full, the oldest entry is forgotten first. The clock
// is the caller's (the verifier's), so that tests can move it.
type seenSet struct {
	mu      sync.Mutex
	expires map[string]time.Time
	order   []string // ring buffer of ids, oldest at head
	head    int
	n       int
}

func newSeenSet(size int) *seenSet {
	return &seenSet{expires: make(map[string]time.Time, min(size, 1024)), order: make([]string, size)}
}

// contains reports whether id is remembered and not expired at now.
func (s *seenSet) contains(id string, now time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	exp, ok := s.expires[id]
	return ok && now.Before(exp)
}

// add remembers id until expires (at least until now plus nothing: an
// already expired entry is not kept), forgetting expired and, when full,
// the oldest entries.
func (s *seenSet) add(id string, now, expires time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.evictExpired(now)
	if !now.Before(expires) {
		return
	}
	if _, ok := s.expires[id]; ok {
		s.expires[id] = expires
		return
	}
	if s.n == len(s.order) {
		s.popOldest()
	}
	s.order[(s.head+s.n)%len(s.order)] = id
	s.n++
	s.expires[id] = expires
}

// evictExpired forgets the expired entries at the head of the ring. An
// entry behind a live one waits its turn; the size bound holds anyway.
func (s *seenSet) evictExpired(now time.Time) {
	for s.n > 0 {
		if exp := s.expires[s.order[s.head]]; now.Before(exp) {
			return
		}
		s.popOldest()
	}
}

func (s *seenSet) popOldest() {
	id := s.order[s.head]
	delete(s.expires, id)
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
