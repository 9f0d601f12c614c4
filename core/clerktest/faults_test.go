package clerktest

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

func status(t *testing.T, s *Server, method, path string) int {
	t.Helper()
	resp, _ := do(t, s, method, path, true, "")
	return resp.StatusCode
}

func TestFailAndRecover(t *testing.T) {
	tests := []struct {
		endpoint, path string
		status         int
		code           string
	}{
		{EndpointJWKS, "/v1/jwks", 500, "internal_clerk_error"},
		{EndpointWellKnownJWKS, "/.well-known/jwks.json", 503, "service_unavailable"},
		{EndpointGetUser, "/v1/users/USER", 429, "too_many_requests"},
		{EndpointListUsers, "/v1/users", 502, "service_unavailable"},
		{EndpointCountUsers, "/v1/users/count", 404, "resource_not_found"},
	}
	for _, tt := range tests {
		t.Run(tt.endpoint, func(t *testing.T) {
			s := newTestServer(t)
			path := strings.Replace(tt.path, "USER", s.DefaultUserID(), 1)
			s.Fail(tt.endpoint, tt.status)
			for range 3 {
				resp, body := do(t, s, "GET", path, true, "")
				if resp.StatusCode != tt.status {
					t.Fatalf("status %d, want %d", resp.StatusCode, tt.status)
				}
				if er := decodeErrors(t, body); er.Errors[0].Code != tt.code {
					t.Errorf("code %q, want %q", er.Errors[0].Code, tt.code)
				}
				if tt.status == 429 && resp.Header.Get("Retry-After") == "" {
					t.Error("no Retry-After")
				}
			}
			// Failure injection comes before authentication: an outage is an outage.
			if resp, _ := do(t, s, "GET", path, false, ""); resp.StatusCode != tt.status {
				t.Errorf("unauthenticated: %d", resp.StatusCode)
			}
			if n := s.Requests(tt.endpoint); n != 4 {
				t.Errorf("Requests = %d, want 4", n)
			}
			s.Recover(tt.endpoint)
			if got := status(t, s, "GET", path); got != 200 {
				t.Errorf("after Recover: %d", got)
			}
		})
	}
}

func TestFailNext(t *testing.T) {
	s := newTestServer(t)
	s.FailNext(EndpointJWKS, 503, 2)
	var got []int
	for range 4 {
		got = append(got, status(t, s, "GET", "/v1/jwks"))
	}
	if want := []int{503, 503, 200, 200}; !equalInts(got, want) {
		t.Errorf("statuses %v, want %v", got, want)
	}
	// FailNext takes precedence over Fail, then Fail applies again.
	s.Fail(EndpointJWKS, 500)
	s.FailNext(EndpointJWKS, 429, 1)
	got = got[:0]
	for range 2 {
		got = append(got, status(t, s, "GET", "/v1/jwks"))
	}
	if want := []int{429, 500}; !equalInts(got, want) {
		t.Errorf("statuses %v, want %v", got, want)
	}
	s.Recover(AnyEndpoint)
	if st := status(t, s, "GET", "/v1/jwks"); st != 200 {
		t.Errorf("after Recover(AnyEndpoint): %d", st)
	}
	// AnyEndpoint fails everything; a specific rule wins over it.
	s.Fail(AnyEndpoint, 500)
	s.Fail(EndpointWellKnownJWKS, 502)
	if a, b := status(t, s, "GET", "/v1/users"), status(t, s, "GET", "/.well-known/jwks.json"); a != 500 || b != 502 {
		t.Errorf("any %d, specific %d", a, b)
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestDropConnection(t *testing.T) {
	s := newTestServer(t)
	s.FailNext(EndpointWellKnownJWKS, DropConnection, 1)
	req, _ := newRequest(s, "GET", "/.well-known/jwks.json", "")
	if resp, err := s.Client().Do(req); err == nil {
		resp.Body.Close()
		t.Fatalf("got a response %d, want a transport error", resp.StatusCode)
	}
	if st := status(t, s, "GET", "/.well-known/jwks.json"); st != 200 {
		t.Errorf("next request %d", st)
	}
}

func TestLatency(t *testing.T) {
	s := newTestServer(t)
	s.SetLatency(EndpointJWKS, 150*time.Millisecond)
	start := time.Now()
	if st := status(t, s, "GET", "/v1/jwks"); st != 200 {
		t.Fatal(st)
	}
	if d := time.Since(start); d < 150*time.Millisecond {
		t.Errorf("answered after %v", d)
	}

	// The delay respects the request context.
	s.SetLatency(EndpointJWKS, time.Hour)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", s.URL+"/v1/jwks", nil)
	req.Header.Set("Authorization", "Bearer "+s.SecretKey())
	start = time.Now()
	if resp, err := s.Client().Do(req); !errors.Is(err, context.DeadlineExceeded) {
		if err == nil {
			resp.Body.Close()
		}
		t.Fatalf("err = %v, want deadline exceeded", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("cancellation took %v", d)
	}
	s.SetLatency(EndpointJWKS, 0)
	if st := status(t, s, "GET", "/v1/jwks"); st != 200 {
		t.Errorf("after clearing latency: %d", st)
	}
}

func TestBlockRelease(t *testing.T) {
	s := newTestServer(t)
	release := s.Block(EndpointWellKnownJWKS)
	const n = 8
	var wg sync.WaitGroup
	codes := make(chan int, n)
	for range n {
		wg.Go(func() {
			resp, err := s.Client().Get(s.URL + "/.well-known/jwks.json")
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			codes <- resp.StatusCode
		})
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.AwaitWaiting(ctx, EndpointWellKnownJWKS, n); err != nil {
		t.Fatalf("AwaitWaiting: %v (waiting %d)", err, s.Waiting(EndpointWellKnownJWKS))
	}
	if got := s.Requests(EndpointWellKnownJWKS); got != n {
		t.Errorf("Requests = %d while held, want %d", got, n)
	}
	if len(codes) != 0 {
		t.Fatal("a request got through the block")
	}
	// Other endpoints are not held.
	if st := status(t, s, "GET", "/v1/jwks"); st != 200 {
		t.Errorf("unblocked endpoint %d", st)
	}
	release()
	release() // idempotent
	wg.Wait()
	close(codes)
	for c := range codes {
		if c != 200 {
			t.Errorf("status %d", c)
		}
	}
	if w := s.Waiting(AnyEndpoint); w != 0 {
		t.Errorf("still waiting: %d", w)
	}
	// After release, requests pass straight through.
	if st := status(t, s, "GET", "/.well-known/jwks.json"); st != 200 {
		t.Errorf("after release %d", st)
	}
}

func TestBlockRespectsContext(t *testing.T) {
	s := newTestServer(t)
	defer s.Block(EndpointGetUser)()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", s.URL+"/v1/users/"+s.DefaultUserID(), nil)
	done := make(chan error, 1)
	go func() {
		resp, err := s.Client().Do(req)
		if err == nil {
			resp.Body.Close()
		}
		done <- err
	}()
	wctx, wcancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer wcancel()
	if err := s.AwaitWaiting(wctx, EndpointGetUser, 1); err != nil {
		t.Fatal(err)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v", err)
	}
	// The server notices the cancellation and stops holding the request.
	if err := awaitCond(wctx, func() bool { return s.Waiting(EndpointGetUser) == 0 }); err != nil {
		t.Errorf("request still held after cancellation")
	}
}

func awaitCond(ctx context.Context, cond func() bool) error {
	for !cond() {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(5 * time.Millisecond):
		}
	}
	return nil
}

func TestCloseReleasesBlockedRequests(t *testing.T) {
	s := New(WithKey(testKeyA()))
	s.Block(AnyEndpoint)
	s.SetLatency(EndpointJWKS, time.Hour)
	done := make(chan struct{})
	go func() {
		defer close(done)
		resp, err := s.Client().Get(s.URL + "/.well-known/jwks.json")
		if err == nil {
			resp.Body.Close()
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.AwaitWaiting(ctx, AnyEndpoint, 1); err != nil {
		t.Fatal(err)
	}
	closed := make(chan struct{})
	go func() { s.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(10 * time.Second):
		t.Fatal("Close hangs on a blocked request")
	}
	<-done
	s.Close() // twice is fine
}

func TestCountersAndHeaders(t *testing.T) {
	s := newTestServer(t)
	do(t, s, "GET", "/v1/jwks", true, "")
	do(t, s, "GET", "/v1/jwks", false, "") // unauthorized requests count too
	do(t, s, "GET", "/.well-known/jwks.json", false, "")
	do(t, s, "GET", "/v1/users/user_nope", true, "")
	if got := [4]int{s.Requests(EndpointJWKS), s.Requests(EndpointWellKnownJWKS), s.Requests(EndpointGetUser), s.Requests(AnyEndpoint)}; got != [4]int{2, 1, 1, 4} {
		t.Errorf("counts %v", got)
	}
	req, _ := newRequest(s, "GET", "/v1/users", "")
	req.Header.Set("Authorization", "Bearer "+s.SecretKey())
	req.Header.Set("Clerk-API-Version", "2026-05-12")
	send(t, s, req)
	if h := s.LastHeader(EndpointListUsers); h.Get("Clerk-API-Version") != "2026-05-12" {
		t.Errorf("LastHeader %v", h)
	}
	s.ResetCounts()
	if s.Requests(AnyEndpoint) != 0 || s.LastHeader(EndpointListUsers) != nil {
		t.Error("ResetCounts")
	}
}

func TestSetJWKSBody(t *testing.T) {
	s := newTestServer(t)
	big := []byte("{\"keys\":[" + strings.Repeat(" ", 3<<20) + "]}")
	for _, body := range [][]byte{[]byte("not json"), []byte(`{"keys":[]}`), big, {}} {
		s.SetJWKSBody(body)
		for _, path := range []string{"/v1/jwks", "/.well-known/jwks.json"} {
			resp, got := do(t, s, "GET", path, true, "")
			if resp.StatusCode != 200 || string(got) != string(body) {
				t.Errorf("%s: %d, %d bytes, want %d", path, resp.StatusCode, len(got), len(body))
			}
		}
	}
	s.SetJWKSBody(nil)
	if set := fetchJWKS(t, s, "/v1/jwks"); len(set.Keys) != 1 {
		t.Errorf("restored JWKS %v", set)
	}
}

func TestUnknownEndpointPanics(t *testing.T) {
	s := newTestServer(t)
	for name, f := range map[string]func(){
		"Fail":       func() { s.Fail("GET /v1/jwk", 500) },
		"Requests":   func() { s.Requests("/v1/jwks") },
		"Block":      func() { s.Block("GET /v1/user/{id}") },
		"bad status": func() { s.Fail(EndpointJWKS, 0) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
}
