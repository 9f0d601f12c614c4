package clerktest

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"time"
)

// DropConnection is a status for [Server.Fail] or [Server.FailNext] that
// makes the server cut the connection without any response, as a network
// failure would (clients see an EOF / connection reset).
const DropConnection = -1

type endpointState struct {
	count      int
	failStatus int // 0: none
	nextStatus int
	nextN      int
	latency    time.Duration
	gates      []*gate
	waiting    int
	lastHeader http.Header
}

type gate struct {
	ch   chan struct{}
	once sync.Once
}

func (g *gate) open() { g.once.Do(func() { close(g.ch) }) }

func checkEndpoint(endpoint string) {
	if endpoint == AnyEndpoint || slices.Contains(Endpoints(), endpoint) {
		return
	}
	panic(fmt.Sprintf("clerktest: unknown endpoint %q (use the Endpoint* constants)", endpoint))
}

// state returns the state of endpoint, creating it. s.mu must be held.
func (s *Server) state(endpoint string) *endpointState {
	st := s.endpoints[endpoint]
	if st == nil {
		st = &endpointState{}
		s.endpoints[endpoint] = st
	}
	return st
}

func checkStatus(status int) {
	if status != DropConnection && (status < 200 || status > 999) {
		panic(fmt.Sprintf("clerktest: invalid status %d", status))
	}
}

// Fail makes every request to endpoint answer status with a Clerk error body
// (or [DropConnection]) until [Server.Recover]. The request is still counted.
// It panics on an unknown endpoint name.
func (s *Server) Fail(endpoint string, status int) {
	checkEndpoint(endpoint)
	checkStatus(status)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.state(endpoint).failStatus = status
}

// FailNext makes the next n requests to endpoint answer status with a Clerk
// error body (or [DropConnection]); later requests are served normally
// (unless [Server.Fail] is also in force). It replaces an earlier FailNext of
// the same endpoint.
func (s *Server) FailNext(endpoint string, status, n int) {
	checkEndpoint(endpoint)
	checkStatus(status)
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.state(endpoint)
	st.nextStatus, st.nextN = status, max(n, 0)
}

// Recover ends [Server.Fail] and [Server.FailNext] for endpoint
// ([AnyEndpoint] recovers every endpoint).
func (s *Server) Recover(endpoint string) {
	checkEndpoint(endpoint)
	s.mu.Lock()
	defer s.mu.Unlock()
	for name, st := range s.endpoints {
		if endpoint == AnyEndpoint || name == endpoint {
			st.failStatus, st.nextStatus, st.nextN = 0, 0, 0
		}
	}
}

// SetLatency delays every response of endpoint by d, as a slow network
// would. The wait ends early when the request's context ends (the client
// gave up), and then no response is written. d <= 0 removes the latency.
func (s *Server) SetLatency(endpoint string, d time.Duration) {
	checkEndpoint(endpoint)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.state(endpoint).latency = max(d, 0)
}

// Block holds every request to endpoint that arrives from now on until
// release is called or the request's context ends; it lets a test line up
// many concurrent requests deterministically (see [Server.Waiting] and
// [Server.AwaitWaiting]). release is idempotent. Held requests are counted
// by [Server.Requests] on arrival. Block may be called several times; a
// request waits for every block in force when it arrived.
func (s *Server) Block(endpoint string) (release func()) {
	checkEndpoint(endpoint)
	g := &gate{ch: make(chan struct{})}
	s.mu.Lock()
	st := s.state(endpoint)
	st.gates = append(st.gates, g)
	s.mu.Unlock()
	return func() {
		g.open()
		s.mu.Lock()
		defer s.mu.Unlock()
		st.gates = slices.DeleteFunc(st.gates, func(x *gate) bool { return x == g })
	}
}

// Waiting returns how many requests to endpoint are currently held by
// [Server.Block] (for [AnyEndpoint], the total).
func (s *Server) Waiting(endpoint string) int {
	checkEndpoint(endpoint)
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.waitingLocked(endpoint)
}

func (s *Server) waitingLocked(endpoint string) int {
	if endpoint != AnyEndpoint {
		if st := s.endpoints[endpoint]; st != nil {
			return st.waiting
		}
		return 0
	}
	n := 0
	for _, st := range s.endpoints {
		n += st.waiting
	}
	return n
}

// AwaitWaiting waits until at least n requests to endpoint are held by
// [Server.Block], or ctx ends (returning its error).
func (s *Server) AwaitWaiting(ctx context.Context, endpoint string, n int) error {
	checkEndpoint(endpoint)
	for {
		s.mu.Lock()
		w := s.waitingLocked(endpoint)
		ch := s.changed
		s.mu.Unlock()
		if w >= n {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// Requests returns how many requests endpoint has received, including failed,
// unauthorized and held ones ([AnyEndpoint]: all endpoints together).
func (s *Server) Requests(endpoint string) int {
	checkEndpoint(endpoint)
	s.mu.Lock()
	defer s.mu.Unlock()
	if endpoint != AnyEndpoint {
		if st := s.endpoints[endpoint]; st != nil {
			return st.count
		}
		return 0
	}
	n := 0
	for _, st := range s.endpoints {
		n += st.count
	}
	return n
}

// LastHeader returns a copy of the headers of the last request endpoint
// received (nil if none), e.g. to check a client's User-Agent or
// Clerk-API-Version.
func (s *Server) LastHeader(endpoint string) http.Header {
	checkEndpoint(endpoint)
	s.mu.Lock()
	defer s.mu.Unlock()
	if st := s.endpoints[endpoint]; st != nil {
		return st.lastHeader.Clone()
	}
	return nil
}

// ResetCounts sets every request counter to zero and forgets the last
// headers.
func (s *Server) ResetCounts() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, st := range s.endpoints {
		st.count = 0
		st.lastHeader = nil
	}
}

// notifyLocked wakes AwaitWaiting callers. s.mu must be held.
func (s *Server) notifyLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// sleep waits d or until ctx or the server ends; it reports whether the
// full delay elapsed.
func (s *Server) sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	case <-s.done:
		return false
	}
}

// admit runs the fault machinery for one request to endpoint: count, hold,
// delay and injected failure. It reports whether the request should go on
// to its handler.
func (s *Server) admit(w http.ResponseWriter, r *http.Request, endpoint string) bool {
	ctx := r.Context()
	s.mu.Lock()
	st := s.state(endpoint)
	all := s.state(AnyEndpoint)
	st.count++
	st.lastHeader = r.Header.Clone()
	gates := append(slices.Clone(st.gates), all.gates...)
	if len(gates) > 0 {
		st.waiting++
		s.notifyLocked()
	}
	s.mu.Unlock()

	if len(gates) > 0 {
		ok := true
		for _, g := range gates {
			select {
			case <-g.ch:
			case <-ctx.Done():
				ok = false
			case <-s.done:
			}
			if !ok {
				break
			}
		}
		s.mu.Lock()
		st.waiting--
		s.notifyLocked()
		s.mu.Unlock()
		if !ok {
			return false
		}
	}

	s.mu.Lock()
	latency := st.latency
	if latency == 0 {
		latency = all.latency
	}
	s.mu.Unlock()
	if latency > 0 && !s.sleep(ctx, latency) {
		select {
		case <-s.done:
			// The server is closing: answer as an outage would.
			s.writeError(w, http.StatusServiceUnavailable, "service_unavailable", "Service unavailable", "The fake Clerk server is shutting down.")
		default:
		}
		return false
	}

	s.mu.Lock()
	status := 0
	switch {
	case st.nextN > 0:
		status = st.nextStatus
		st.nextN--
	case all.nextN > 0:
		status = all.nextStatus
		all.nextN--
	case st.failStatus != 0:
		status = st.failStatus
	case all.failStatus != 0:
		status = all.failStatus
	}
	s.mu.Unlock()
	if status == 0 {
		return true
	}
	if status == DropConnection {
		panic(http.ErrAbortHandler)
	}
	s.writeInjected(w, status)
	return false
}

func (s *Server) writeInjected(w http.ResponseWriter, status int) {
	code, msg := "injected_failure", http.StatusText(status)
	switch status {
	case http.StatusBadRequest:
		code = "bad_request"
	case http.StatusUnauthorized:
		code, msg = "authentication_invalid", "Unauthorized request"
	case http.StatusForbidden:
		code, msg = "authorization_invalid", "Unauthorized request"
	case http.StatusNotFound:
		code, msg = "resource_not_found", "not found"
	case http.StatusUnprocessableEntity:
		code, msg = "form_param_value_invalid", "is invalid"
	case http.StatusTooManyRequests:
		code, msg = "too_many_requests", "Too many requests"
		w.Header().Set("Retry-After", "1")
	case http.StatusInternalServerError:
		code, msg = "internal_clerk_error", "Oops, an unexpected error occurred"
	case http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		code = "service_unavailable"
	}
	if msg == "" {
		msg = fmt.Sprintf("status %d", status)
	}
	s.writeError(w, status, code, msg, "Failure injected by clerktest.")
}
