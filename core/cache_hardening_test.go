package core_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/clerkgo/clerk/core"
	"github.com/clerkgo/clerk/core/bapi"
	"github.com/clerkgo/clerk/core/clerktest"
)

// hangingCache is a core.Cache that honours ctx and never answers.
type hangingCache struct {
	mu         sync.Mutex
	gets, sets int
}

func (h *hangingCache) Get(ctx context.Context, _ string) ([]byte, bool, error) {
	h.mu.Lock()
	h.gets++
	h.mu.Unlock()
	<-ctx.Done()
	return nil, false, ctx.Err()
}

func (h *hangingCache) Set(ctx context.Context, _ string, _ []byte, _ time.Duration) error {
	h.mu.Lock()
	h.sets++
	h.mu.Unlock()
	<-ctx.Done()
	return ctx.Err()
}

// syncBuffer is a log sink safe for the fetch goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// TestHungSharedCache: a shared cache that never answers costs its own
// short budget, not Config.Timeout: the user fetch and the opaque machine
// token that follow it still succeed (before, the lookup used up the one
// deadline and both failed with 503).
func TestHungSharedCache(t *testing.T) {
	clk := newClock()
	s := newFake(t, clk)
	var logs syncBuffer
	cfg := fakeConfig(s, clk)
	cfg.Cache = &hangingCache{}
	cfg.Timeout = 2 * time.Second
	cfg.SharedCacheTimeout = 20 * time.Millisecond
	cfg.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	c := newClient(t, cfg)
	ctx := context.Background()
	if u, err := c.User(ctx, s.DefaultUserID()); err != nil || u.ID != s.DefaultUserID() {
		t.Fatalf("user fetch behind a hung shared cache: %v", err)
	}
	k := s.NewAPIKey(clerktest.MachineTokenParams{})
	if _, err := c.VerifyMachineToken(ctx, k.Token, core.APIKey); err != nil {
		t.Fatalf("API key behind a hung shared cache: %v", err)
	}
	if !strings.Contains(logs.String(), "shared cache failed") {
		t.Fatalf("no warning: %q", logs.String())
	}
	if strings.Contains(logs.String(), s.DefaultUserID()) {
		t.Fatalf("the warning names the user: %q", logs.String())
	}

	// Through an Authenticator, a signed-in request with a user fetch.
	c2 := newClient(t, cfg)
	a, err := core.NewAuthenticator(core.Options{Client: c2})
	if err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header.Set("Authorization", "Bearer "+s.Token())
	if auth, err := a.Authenticate(ctx, core.HTTPRequest(r)); err != nil || auth.User == nil {
		t.Fatalf("authenticated request behind a hung shared cache: %v", err)
	}
}

// sharedKey finds the shared-cache key of a user id or ending in suffix.
func sharedKey(t *testing.T, c *mapCache, suffix string) string {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	for k := range c.m {
		if strings.HasSuffix(k, suffix) {
			return k
		}
	}
	t.Fatalf("no shared key ending in %q", suffix)
	return ""
}

func (c *mapCache) copyValue(from, to string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m[to] = c.m[from]
}

func (c *mapCache) alter(key string, fn func([]byte)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.m[key]
	e.v = bytes.Clone(e.v)
	fn(e.v)
	c.m[key] = e
}

// TestSharedCacheValuesAuthenticated: a value copied to another key (a
// user's to another user id, an API key's verdict to the hash of an
// invented token), a tampered value and a value written by another instance
// are all misses, re-fetched from Clerk, with a warning that names neither
// key nor value.
func TestSharedCacheValuesAuthenticated(t *testing.T) {
	clk := newClock()
	s := newFake(t, clk)
	shared := newMapCache(clk.Now)
	var logs syncBuffer
	replica := func(s *clerktest.Server) *core.Client {
		cfg := fakeConfig(s, clk)
		cfg.Cache = shared
		cfg.Logger = slog.New(slog.NewTextHandler(&logs, nil))
		return newClient(t, cfg)
	}
	ctx := context.Background()
	alice := s.DefaultUserID()
	bob := s.CreateUser(clerktest.UserParams{FirstName: "Bob"}).ID
	k := s.NewAPIKey(clerktest.MachineTokenParams{Subject: "user_owner", Scopes: []string{"admin"}})
	a := replica(s)
	if _, err := a.User(ctx, alice); err != nil {
		t.Fatal(err)
	}
	if _, err := a.VerifyMachineToken(ctx, k.Token, core.APIKey); err != nil {
		t.Fatal(err)
	}
	aliceKey := sharedKey(t, shared, ":user:"+alice)
	ns := strings.TrimSuffix(aliceKey, ":user:"+alice)
	verdictKey := sharedKey(t, shared, sharedKeyOfMachine(t, shared))

	// Alice's value copied to Bob's key: a miss; Bob is fetched.
	shared.copyValue(aliceKey, ns+":user:"+bob)
	u, err := replica(s).User(ctx, bob)
	if err != nil || u.ID != bob {
		t.Fatalf("copied user value: %v, %v", u, err)
	}
	if n := s.Requests(clerktest.EndpointGetUser); n != 2 {
		t.Fatalf("%d user fetches, want 2", n)
	}

	// The API key's verdict copied to the hash of an invented token.
	invented := "ak_" + strings.Repeat("f", 40)
	shared.copyValue(verdictKey, ns+":machine:"+sha256Hex(invented))
	if _, err := replica(s).VerifyMachineToken(ctx, invented, core.APIKey); core.ReasonOf(err) != core.ReasonTokenNotFound {
		t.Fatalf("invented token with a copied verdict: %v", err)
	}
	if n := verifyCalls(s); n != 2 {
		t.Fatalf("%d verify calls, want 2", n)
	}

	// A tampered value (one byte of Alice's JSON changed).
	shared.alter(aliceKey, func(v []byte) { v[len(v)/2] ^= 1 })
	if u, err := replica(s).User(ctx, alice); err != nil || u.ID != alice {
		t.Fatalf("tampered value: %v, %v", u, err)
	}
	if n := s.Requests(clerktest.EndpointGetUser); n != 3 {
		t.Fatalf("%d user fetches, want 3", n)
	}

	// A value written by another instance, under this instance's key.
	other := newFake(t, clk)
	carol := other.DefaultUserID()
	if _, err := replica(other).User(ctx, carol); err != nil {
		t.Fatal(err)
	}
	shared.copyValue(sharedKey(t, shared, ":user:"+carol), ns+":user:"+carol)
	if _, err := replica(s).User(ctx, carol); core.ReasonOf(err) != core.ReasonUserNotFound {
		t.Fatalf("another instance's user: %v", err)
	}
	if n := s.Requests(clerktest.EndpointGetUser); n != 4 {
		t.Fatalf("%d user fetches, want 4", n)
	}

	log := logs.String()
	if got := strings.Count(log, "shared-cache value failed authentication"); got != 4 {
		t.Fatalf("%d authentication warnings, want 4:\n%s", got, log)
	}
	for _, secret := range []string{ns, alice, bob, carol, k.Token, invented, "admin", "user_owner"} {
		if strings.Contains(log, secret) {
			t.Fatalf("the log names %q:\n%s", secret, log)
		}
	}
}

// sharedKeyOfMachine returns the suffix of the one machine verdict key.
func sharedKeyOfMachine(t *testing.T, c *mapCache) string {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	for k := range c.m {
		if i := strings.Index(k, ":machine:"); i >= 0 {
			return k[i:]
		}
	}
	t.Fatal("no machine verdict in the shared cache")
	return ""
}

// TestSharedCacheReaderTTL: a replica uses a shared entry only while its
// fetch time plus the replica's own TTL is in the future, whatever TTL the
// writer had: a revoked API key and a deleted user are seen after the
// reader's TTL, not the writer's.
func TestSharedCacheReaderTTL(t *testing.T) {
	clk := newClock()
	s := newFake(t, clk)
	shared := newMapCache(clk.Now)
	replica := func(machineTTL, userTTL time.Duration) *core.Client {
		cfg := fakeConfig(s, clk)
		cfg.Cache = shared
		cfg.MachineTokenCacheTTL = machineTTL
		cfg.UserCacheTTL = userTTL
		return newClient(t, cfg)
	}
	long := replica(5*time.Minute, time.Minute)
	ctx := context.Background()
	k := s.NewAPIKey(clerktest.MachineTokenParams{})
	id := s.DefaultUserID()
	if _, err := long.VerifyMachineToken(ctx, k.Token, core.APIKey); err != nil {
		t.Fatal(err)
	}
	if _, err := long.User(ctx, id); err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Second)
	short := replica(2*time.Second, 2*time.Second)
	if _, err := short.VerifyMachineToken(ctx, k.Token, core.APIKey); err != nil || verifyCalls(s) != 1 {
		t.Fatalf("within the reader's TTL: %v, %d calls", err, verifyCalls(s))
	}
	s.RevokeMachineToken(k.Token)
	s.DeleteUser(id)
	clk.Advance(2 * time.Second) // 3s after the fetch: past the reader's 2s
	short2 := replica(2*time.Second, 2*time.Second)
	if _, err := short2.VerifyMachineToken(ctx, k.Token, core.APIKey); core.ReasonOf(err) != core.ReasonTokenRevoked {
		t.Fatalf("revoked key 3s after its verdict, reader TTL 2s: %v", err)
	}
	if _, err := short2.User(ctx, id); core.ReasonOf(err) != core.ReasonUserNotFound {
		t.Fatalf("deleted user 3s after its fetch, reader TTL 2s: %v", err)
	}
	// The long-TTL writer keeps its own entries (and its own TTL).
	if _, err := long.VerifyMachineToken(ctx, k.Token, core.APIKey); err != nil {
		t.Fatalf("the writer's own memory entry: %v", err)
	}
}

// TestMachineVerdictCacheFlood: a flood of distinct junk API keys, many
// times the cache's size, leaves a small hot set of valid keys cached: one
// Backend API call each, however long the flood.
func TestMachineVerdictCacheFlood(t *testing.T) {
	clk := newClock()
	s := newFake(t, clk)
	cfg := fakeConfig(s, clk)
	cfg.MachineTokenCacheSize = 64
	c := newClient(t, cfg)
	ctx := context.Background()
	hot := make([]string, 4)
	for i := range hot {
		hot[i] = s.NewAPIKey(clerktest.MachineTokenParams{}).Token
	}
	const flood = 64 * 10
	for i := 0; i < flood; i++ {
		if i%8 == 0 {
			for _, tok := range hot {
				if _, err := c.VerifyMachineToken(ctx, tok, core.APIKey); err != nil {
					t.Fatal(err)
				}
			}
		}
		junk := fmt.Sprintf("ak_junk%036d", i)
		if _, err := c.VerifyMachineToken(ctx, junk, core.APIKey); core.ReasonOf(err) != core.ReasonTokenNotFound {
			t.Fatalf("junk token: %v", err)
		}
	}
	if n, want := verifyCalls(s), flood+len(hot); n != want {
		t.Fatalf("%d verify calls, want %d (one per junk token, one per hot key)", n, want)
	}
}

// TestCloseFailuresAreClassified: after Close, whatever needs Clerk fails
// with client-closed, a 503: uncached API keys (a 500 internal-error
// before), users, session tokens with no keys or an unknown key id; through
// an Authenticator too. What is cached still answers.
func TestCloseFailuresAreClassified(t *testing.T) {
	clk := newClock()
	s := newFake(t, clk)
	ctx := context.Background()
	warm := newClient(t, fakeConfig(s, clk))
	session := s.Token()
	if _, err := warm.VerifyToken(ctx, session); err != nil {
		t.Fatal(err)
	}
	cold := newClient(t, fakeConfig(s, clk))
	warm.Close()
	cold.Close()
	k := s.NewAPIKey(clerktest.MachineTokenParams{})
	other := s.Token(clerktest.WithSigningKey(key(1), "kid-unknown"))
	calls := []struct {
		name string
		call func() error
	}{
		{"api key", func() error { _, err := warm.VerifyMachineToken(ctx, k.Token, core.APIKey); return err }},
		{"m2m token", func() error {
			_, err := warm.VerifyMachineToken(ctx, s.NewM2MToken(clerktest.MachineTokenParams{}).Token, core.M2MToken)
			return err
		}},
		{"user", func() error { _, err := warm.User(ctx, s.DefaultUserID()); return err }},
		{"session, no keys yet", func() error { _, err := cold.VerifyToken(ctx, session); return err }},
		{"session, unknown kid", func() error { _, err := warm.VerifyToken(ctx, other); return err }},
		{"authenticator, api key", func() error {
			a, err := core.NewAuthenticator(core.Options{Client: warm, SkipUserFetch: true, AcceptsToken: []core.TokenKind{core.AnyToken}})
			if err != nil {
				return err
			}
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			r.Header.Set("Authorization", "Bearer "+k.Token)
			_, err = a.Authenticate(ctx, core.HTTPRequest(r))
			return err
		}},
	}
	for _, tt := range calls {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			var ce *core.Error
			if !errors.As(err, &ce) || ce.Reason != core.ReasonClientClosed || !errors.Is(err, core.ErrUnavailable) {
				t.Fatalf("after Close: %v, want client-closed", err)
			}
			if f := core.FailureOf(err); f.Status != http.StatusServiceUnavailable || f.Reason != "client-closed" {
				t.Fatalf("failure %+v", f)
			}
		})
	}
	if _, err := warm.VerifyToken(ctx, session); err != nil {
		t.Fatalf("a cached session after Close: %v", err)
	}
}

// failingTransport fails every request, as a network error does.
type failingTransport struct{}

func (failingTransport) RoundTrip(*http.Request) (*http.Response, error) {
	return nil, errors.New("network is down")
}

// TestUserIDsOutOfLogsAndErrors: a failed user fetch, answered with an
// error status or failing in the network, logs and returns the operation,
// not the user id; programs still reach the bapi error and its path.
func TestUserIDsOutOfLogsAndErrors(t *testing.T) {
	for _, tt := range []struct {
		name  string
		setup func(s *clerktest.Server, cfg *core.Config)
	}{
		{"server error", func(s *clerktest.Server, _ *core.Config) {
			s.Fail(clerktest.EndpointGetUser, http.StatusInternalServerError)
		}},
		{"rate limited", func(s *clerktest.Server, _ *core.Config) {
			s.Fail(clerktest.EndpointGetUser, http.StatusTooManyRequests)
		}},
		{"network", func(_ *clerktest.Server, cfg *core.Config) {
			cfg.HTTPClient = &http.Client{Transport: failingTransport{}}
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			clk := newClock()
			s := newFake(t, clk)
			var logs syncBuffer
			cfg := fakeConfig(s, clk)
			cfg.Logger = slog.New(slog.NewTextHandler(&logs, nil))
			tt.setup(s, &cfg)
			c := newClient(t, cfg)
			id := s.DefaultUserID()
			_, err := c.User(context.Background(), id)
			if core.ReasonOf(err) != core.ReasonUserFetchFailed {
				t.Fatalf("err %v", err)
			}
			if strings.Contains(err.Error(), id) || strings.Contains(fmt.Sprintf("%+v", err), id) {
				t.Fatalf("the error names the user: %v", err)
			}
			if !strings.Contains(logs.String(), "op=user") || strings.Contains(logs.String(), id) {
				t.Fatalf("log: %q", logs.String())
			}
			var be *bapi.Error
			if errors.As(err, &be) && !strings.Contains(be.Path, id) {
				t.Fatalf("bapi.Error.Path %q lost the id", be.Path)
			}
		})
	}
}

// TestDeletedUserCached: requests with a still-valid token of a deleted
// user cost one Backend API call per UserCacheTTL, not one each; a replica
// sharing the cache makes none.
func TestDeletedUserCached(t *testing.T) {
	clk := newClock()
	s := newFake(t, clk)
	shared := newMapCache(clk.Now)
	cfg := fakeConfig(s, clk)
	cfg.Cache = shared
	c := newClient(t, cfg)
	a, err := core.NewAuthenticator(core.Options{Client: c})
	if err != nil {
		t.Fatal(err)
	}
	tok := s.Token()
	s.DeleteUser(s.DefaultUserID())
	ctx := context.Background()
	for i := 0; i < 10; i++ {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Header.Set("Authorization", "Bearer "+tok)
		_, err := a.Authenticate(ctx, core.HTTPRequest(r))
		if f := core.FailureOf(err); f.Status != http.StatusUnauthorized || f.Reason != core.ReasonUserNotFound {
			t.Fatalf("request %d: %v", i, err)
		}
	}
	if n := s.Requests(clerktest.EndpointGetUser); n != 1 {
		t.Fatalf("%d user fetches for 10 requests, want 1", n)
	}
	b := newClient(t, cfg)
	if _, err := b.User(ctx, s.DefaultUserID()); core.ReasonOf(err) != core.ReasonUserNotFound {
		t.Fatalf("replica: %v", err)
	}
	if n := s.Requests(clerktest.EndpointGetUser); n != 1 {
		t.Fatalf("%d user fetches with a replica, want 1", n)
	}
	clk.Advance(core.DefaultUserCacheTTL + time.Second)
	if _, err := c.User(ctx, s.DefaultUserID()); core.ReasonOf(err) != core.ReasonUserNotFound || s.Requests(clerktest.EndpointGetUser) != 2 {
		t.Fatalf("after the TTL: %v, %d fetches", err, s.Requests(clerktest.EndpointGetUser))
	}
}

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// TestCacheSettings: SharedCacheTimeout refuses negative values (zero is
// the default); a negative MachineTokenCacheSize disables the memory cache
// of verdicts, not the coalescing.
func TestCacheSettings(t *testing.T) {
	clk := newClock()
	s := newFake(t, clk)
	cfg := fakeConfig(s, clk)
	cfg.SharedCacheTimeout = -time.Millisecond
	var ce *core.ConfigError
	if _, err := core.New(cfg); !errors.As(err, &ce) || ce.Field != "SharedCacheTimeout" {
		t.Fatalf("negative SharedCacheTimeout: %v", err)
	}
	cfg = fakeConfig(s, clk)
	cfg.MachineTokenCacheSize = -1
	c := newClient(t, cfg)
	k := s.NewAPIKey(clerktest.MachineTokenParams{})
	for i := 1; i <= 2; i++ {
		if _, err := c.VerifyMachineToken(context.Background(), k.Token, core.APIKey); err != nil || verifyCalls(s) != i {
			t.Fatalf("call %d without a verdict cache: %v, %d verify calls", i, err, verifyCalls(s))
		}
	}
}
