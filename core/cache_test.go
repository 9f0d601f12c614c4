package core_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/clerkgo/clerk/core"
	"github.com/clerkgo/clerk/core/clerktest"
)

// mapCache is a core.Cache in a map, on the test's clock, that can be made
// to fail.
type mapCache struct {
	mu     sync.Mutex
	now    func() time.Time
	m      map[string]mapEntry
	failed bool
	gets   int
}

type mapEntry struct {
	v       []byte
	expires time.Time
}

var errCacheDown = errors.New("cache down")

func newMapCache(now func() time.Time) *mapCache {
	return &mapCache{now: now, m: map[string]mapEntry{}}
}

func (c *mapCache) Get(_ context.Context, key string) ([]byte, bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gets++
	if c.failed {
		return nil, false, errCacheDown
	}
	e, ok := c.m[key]
	if !ok || !c.now().Before(e.expires) {
		return nil, false, nil
	}
	return e.v, true, nil
}

func (c *mapCache) Set(_ context.Context, key string, v []byte, ttl time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.failed {
		return errCacheDown
	}
	c.m[key] = mapEntry{v: bytes.Clone(v), expires: c.now().Add(ttl)}
	return nil
}

func (c *mapCache) fail(on bool) { c.mu.Lock(); c.failed = on; c.mu.Unlock() }

func (c *mapCache) keys() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for k, e := range c.m {
		out = append(out, k+"="+string(e.v))
	}
	return out
}

// TestSharedCache: replicas sharing a cache fetch a user and verify a
// machine token once between them; the cache never holds a token; its
// failures fail no request and are logged, and so is its recovery.
func TestSharedCache(t *testing.T) {
	clk := newClock()
	s := newFake(t, clk)
	shared := newMapCache(clk.Now)
	var logs bytes.Buffer
	replica := func() *core.Client {
		cfg := fakeConfig(s, clk)
		cfg.Cache = shared
		cfg.Logger = slog.New(slog.NewTextHandler(&logs, nil))
		return newClient(t, cfg)
	}
	a, b := replica(), replica()
	ctx := context.Background()
	id := s.DefaultUserID()
	for _, c := range []*core.Client{a, b, a, b} {
		if _, err := c.User(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	if n := s.Requests(clerktest.EndpointGetUser); n != 1 {
		t.Fatalf("%d user fetches for two replicas, want 1", n)
	}
	k := s.NewAPIKey(clerktest.MachineTokenParams{})
	for _, c := range []*core.Client{a, b} {
		if _, err := c.VerifyMachineToken(ctx, k.Token, core.APIKey); err != nil {
			t.Fatal(err)
		}
	}
	if n := s.Requests(clerktest.EndpointVerifyAPIKey); n != 1 {
		t.Fatalf("%d verify calls for two replicas, want 1", n)
	}
	for _, kv := range shared.keys() {
		if strings.Contains(kv, k.Token) || strings.Contains(kv, s.SecretKey()) {
			t.Fatal("the shared cache holds the token or the secret key")
		}
	}

	// An entry the shared cache still holds is not served past its own
	// expiry stamp.
	clk.Advance(core.DefaultUserCacheTTL + time.Second)
	c := replica()
	if _, err := c.User(ctx, id); err != nil || s.Requests(clerktest.EndpointGetUser) != 2 {
		t.Fatalf("after the TTL: %v, %d fetches", err, s.Requests(clerktest.EndpointGetUser))
	}

	// Down: requests still succeed, through Clerk; a Get that failed is not
	// followed by a Set.
	shared.fail(true)
	d := replica()
	before := shared.gets
	if _, err := d.User(ctx, id); err != nil {
		t.Fatalf("with the shared cache down: %v", err)
	}
	if shared.gets != before+1 || !strings.Contains(logs.String(), "shared cache failed") {
		t.Fatalf("%d gets, log %q", shared.gets-before, logs.String())
	}
	shared.fail(false)
	clk.Advance(core.DefaultUserCacheTTL + time.Second)
	if _, err := d.User(ctx, id); err != nil || !strings.Contains(logs.String(), "shared cache works again") {
		t.Fatalf("recovery: %v, log %q", err, logs.String())
	}
}
