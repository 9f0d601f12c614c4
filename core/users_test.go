package core_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/clerkgo/clerk/core"
	"github.com/clerkgo/clerk/core/clerktest"
)

func TestUserFetch(t *testing.T) {
	tests := []struct {
		name   string
		setup  func(s *clerktest.Server) string // returns the user id to fetch
		reason core.Reason
		class  error
	}{
		{"found", func(s *clerktest.Server) string { return s.DefaultUserID() }, "", nil},
		{"deleted user", func(s *clerktest.Server) string { id := s.DefaultUserID(); s.DeleteUser(id); return id }, core.ReasonUserNotFound, core.ErrInvalidCredentials},
		{"server error", func(s *clerktest.Server) string { s.Fail(clerktest.EndpointGetUser, 500); return s.DefaultUserID() }, core.ReasonUserFetchFailed, core.ErrUnavailable},
		{"unavailable", func(s *clerktest.Server) string { s.Fail(clerktest.EndpointGetUser, 503); return s.DefaultUserID() }, core.ReasonUserFetchFailed, core.ErrUnavailable},
		{"connection dropped", func(s *clerktest.Server) string {
			s.Fail(clerktest.EndpointGetUser, clerktest.DropConnection)
			return s.DefaultUserID()
		}, core.ReasonUserFetchFailed, core.ErrUnavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := newClock()
			s := newFake(t, clk)
			c := newClient(t, fakeConfig(s, clk))
			id := tt.setup(s)
			u, err := c.User(context.Background(), id)
			if got := core.ReasonOf(err); got != tt.reason {
				t.Fatalf("reason %q (%v), want %q", got, err, tt.reason)
			}
			if err != nil {
				if u != nil || !errors.Is(err, tt.class) {
					t.Fatalf("err %v, user %v", err, u)
				}
				if msg := err.Error(); strings.Contains(msg, s.SecretKey()) || strings.Contains(msg, "Bearer ") {
					t.Fatalf("error leaks the secret key: %v", err)
				}
				return
			}
			if u.ID != id {
				t.Fatalf("user %q, want %q", u.ID, id)
			}
		})
	}
}

func TestUserFetchDedupAndCache(t *testing.T) {
	clk := newClock()
	s := newFake(t, clk)
	cfg := fakeConfig(s, clk)
	cfg.UserCacheTTL = 10 * time.Second
	c := newClient(t, cfg)
	id := s.DefaultUserID()

	release := s.Block(clerktest.EndpointGetUser)
	const n = 50
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := c.User(context.Background(), id)
			errs <- err
		}()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.AwaitWaiting(ctx, clerktest.EndpointGetUser, 1); err != nil {
		t.Fatal(err)
	}
	release()
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if got := s.Requests(clerktest.EndpointGetUser); got != 1 {
		t.Fatalf("%d concurrent fetches made %d calls, want 1", n, got)
	}
	// Within the TTL: served from the cache.
	clk.Advance(9 * time.Second)
	if _, err := c.User(context.Background(), id); err != nil || s.Requests(clerktest.EndpointGetUser) != 1 {
		t.Fatalf("within TTL: %v, %d calls", err, s.Requests(clerktest.EndpointGetUser))
	}
	// After the TTL: fetched again.
	clk.Advance(2 * time.Second)
	if _, err := c.User(context.Background(), id); err != nil || s.Requests(clerktest.EndpointGetUser) != 2 {
		t.Fatalf("after TTL: %v, %d calls", err, s.Requests(clerktest.EndpointGetUser))
	}
}

func TestUserCacheDisabled(t *testing.T) {
	clk := newClock()
	s := newFake(t, clk)
	cfg := fakeConfig(s, clk)
	cfg.UserCacheTTL = -1
	c := newClient(t, cfg)
	for i := 1; i <= 3; i++ {
		if _, err := c.User(context.Background(), s.DefaultUserID()); err != nil {
			t.Fatal(err)
		}
		if got := s.Requests(clerktest.EndpointGetUser); got != i {
			t.Fatalf("call %d: %d requests", i, got)
		}
	}
}

func TestUserWaiterGivesUp(t *testing.T) {
	clk := newClock()
	s := newFake(t, clk)
	c := newClient(t, fakeConfig(s, clk))
	release := s.Block(clerktest.EndpointGetUser)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := c.User(ctx, s.DefaultUserID())
		done <- err
	}()
	wctx, wcancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer wcancel()
	if err := s.AwaitWaiting(wctx, clerktest.EndpointGetUser, 1); err != nil {
		t.Fatal(err)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) || !errors.Is(err, core.ErrUnavailable) {
		t.Fatalf("%v", err)
	}
	// Another caller still gets the result of the shared fetch.
	go release()
	if _, err := c.User(context.Background(), s.DefaultUserID()); err != nil {
		t.Fatal(err)
	}
}

func TestAuthenticatorOptions(t *testing.T) {
	clk := newClock()
	s := newFake(t, clk)
	c := newClient(t, fakeConfig(s, clk))
	pemOnly := newClient(t, core.Config{JWTKey: s.PublicKeyPEM(), Now: clk.Now})
	if _, err := core.NewAuthenticator(core.Options{Client: pemOnly}); !errors.Is(err, core.ErrFetchUserNeedsSecretKey) {
		t.Fatalf("FetchUser without secret: %v", err)
	}
	// The user fetch serves sessions only: a route that takes no session
	// token needs no secret key for it (an M2M-only service).
	if _, err := core.NewAuthenticator(core.Options{Client: pemOnly, AcceptsToken: []core.TokenKind{core.M2MToken}}); err != nil {
		t.Fatalf("FetchUser on an M2M-only route without secret: %v", err)
	}
	if _, err := core.NewAuthenticator(core.Options{Client: c, SkipUserFetch: true, SessionKey: "bad name;"}); err == nil {
		t.Fatal("invalid cookie name accepted")
	}
	tests := []struct {
		name     string
		opts     core.Options
		authz    string
		wantUser bool
		wantNil  bool // signed out, no error
		reason   core.Reason
	}{
		{"fetch user", core.Options{Client: c}, "Bearer " + s.Token(), true, false, ""},
		{"no user", core.Options{Client: c, SkipUserFetch: true}, "Bearer " + s.Token(), false, false, ""},
		{"required, missing", core.Options{Client: c, SkipUserFetch: true}, "", false, false, core.ReasonTokenMissing},
		{"optional, missing", core.Options{Client: c, SkipUserFetch: true, Optional: true}, "", false, true, ""},
		{"optional, invalid", core.Options{Client: c, SkipUserFetch: true, Optional: true}, "Bearer x.y.z", false, true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := core.NewAuthenticator(tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			req := httptest.NewRequest(http.MethodGet, "/", nil)
			if tt.authz != "" {
				req.Header.Set("Authorization", tt.authz)
			}
			auth, err := a.Authenticate(context.Background(), core.HTTPRequest(req))
			if core.ReasonOf(err) != tt.reason {
				t.Fatalf("err %v, want %q", err, tt.reason)
			}
			if tt.wantNil || tt.reason != "" {
				if auth != nil {
					t.Fatalf("auth %+v, want nil", auth)
				}
				return
			}
			if (auth.User != nil) != tt.wantUser || auth.Session == nil {
				t.Fatalf("auth %+v", auth)
			}
			ctx := core.WithAuth(context.Background(), auth)
			if core.SessionFromContext(ctx) != auth.Session || core.UserFromContext(ctx) != auth.User {
				t.Fatal("context getters")
			}
		})
	}
	if core.SessionFromContext(context.Background()) != nil || core.UserFromContext(context.Background()) != nil {
		t.Fatal("getters on an empty context")
	}
}
