package core

// AwaitIdle waits until the source has no mint in flight, so that tests
// driving an injected clock see a background renewal's outcome before they
// move the clock on.
func (s *M2MTokenSource) AwaitIdle() {
	s.mu.Lock()
	m := s.inflight
	s.mu.Unlock()
	if m != nil {
		<-m.done
	}
}
