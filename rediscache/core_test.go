package rediscache_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/clerkgo/clerk/core"
	"github.com/clerkgo/clerk/core/clerktest"
	"github.com/clerkgo/clerk/rediscache"
)

// The tests below run real core.Clients ("replicas" of an application)
// against the fake Clerk, sharing a real Redis through rediscache.

// sharedReplicas returns n replicas of one application on fake, each with
// its own Redis client and Cache (as separate processes would have), all on
// one prefix of the Redis at addr.
func sharedReplicas(t *testing.T, n int, fake *clerktest.Server, clk *fakeClock, addr, prefix string) []*core.Client {
	t.Helper()
	out := make([]*core.Client, n)
	for i := range out {
		// A budget far above any Redis round trip: these tests count
		// Backend API calls, and under -race on a loaded 2-core machine
		// a lookup can take longer than the default 100 ms, turning a
		// shared hit into a miss and a second call (a flake seen once in
		// TestMachineTokensShared). The budget has tests of its own.
		out[i] = replica(t, fake, clk, newCache(t, newRedis(t, addr), rediscache.WithPrefix(prefix), rediscache.WithTimeout(10*time.Second)),
			func(c *core.Config) { c.SharedCacheTimeout = 10 * time.Second })
	}
	return out
}

// callAll calls fn on each client from many goroutines at once and fails
// the test on any error.
func callAll(t *testing.T, clients []*core.Client, perClient int, fn func(c *core.Client) error) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, len(clients)*perClient)
	for _, c := range clients {
		for range perClient {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs <- fn(c)
			}()
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
}

func TestReplicasShareOneUserFetch(t *testing.T) {
	addr := redisAddr(t)
	prefix := testPrefix(t, newRedis(t, addr))
	clk := newClock()
	fake := newFake(t, clk)
	replicas := sharedReplicas(t, 4, fake, clk, addr, prefix)
	ctx := context.Background()
	id := fake.DefaultUserID()

	u, err := replicas[0].User(ctx, id)
	if err != nil || u.ID != id {
		t.Fatalf("replica 0: %v, %v", u, err)
	}
	u, err = replicas[1].User(ctx, id)
	if err != nil || u.ID != id || u.FirstName == nil || *u.FirstName != "Test" {
		t.Fatalf("replica 1: %+v, %v", u, err)
	}
	if n := fake.Requests(clerktest.EndpointGetUser); n != 1 {
		t.Fatalf("%d user fetches for two replicas, want 1", n)
	}

	callAll(t, replicas, 50, func(c *core.Client) error {
		u, err := c.User(ctx, id)
		if err == nil && u.ID != id {
			err = errors.New("wrong user " + u.ID)
		}
		return err
	})
	if n := fake.Requests(clerktest.EndpointGetUser); n != 1 {
		t.Fatalf("%d user fetches after 200 concurrent calls on 4 replicas, want 1", n)
	}

	// A replica started later finds the user in Redis too.
	late := replica(t, fake, clk, newCache(t, newRedis(t, addr), rediscache.WithPrefix(prefix)))
	if _, err := late.User(ctx, id); err != nil {
		t.Fatal(err)
	}
	if n := fake.Requests(clerktest.EndpointGetUser); n != 1 {
		t.Fatalf("%d user fetches after a new replica's call, want 1", n)
	}
}

// TestReplicasColdMiss pins down the limit of sharing: replicas that miss
// the same cold key at the same moment each fetch it once (there is no lock
// across replicas), and everyone after them is served from Redis.
func TestReplicasColdMiss(t *testing.T) {
	addr := redisAddr(t)
	prefix := testPrefix(t, newRedis(t, addr))
	clk := newClock()
	fake := newFake(t, clk)
	replicas := sharedReplicas(t, 4, fake, clk, addr, prefix)
	ctx := context.Background()
	id := fake.DefaultUserID()

	release := fake.Block(clerktest.EndpointGetUser)
	var wg sync.WaitGroup
	errs := make(chan error, 2)
	for _, c := range replicas[:2] {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := c.User(ctx, id)
			errs <- err
		}()
	}
	wait, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := fake.AwaitWaiting(wait, clerktest.EndpointGetUser, 2); err != nil {
		t.Fatalf("two cold replicas did not both reach Clerk: %v", err)
	}
	release()
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	callAll(t, replicas, 25, func(c *core.Client) error { _, err := c.User(ctx, id); return err })
	if n := fake.Requests(clerktest.EndpointGetUser); n != 2 {
		t.Fatalf("%d user fetches, want 2 (one per replica that missed at once)", n)
	}
}

func TestTenantIsolation(t *testing.T) {
	addr := redisAddr(t)
	rdb := newRedis(t, addr)
	prefix := testPrefix(t, rdb)
	clk := newClock()
	const id = "user_2sameIDinBothInstances000"
	alice := newFake(t, clk, clerktest.WithDefaultUser(clerktest.UserParams{ID: id, FirstName: "Alice"}))
	bob := newFake(t, clk, clerktest.WithDefaultUser(clerktest.UserParams{ID: id, FirstName: "Bob"}))
	cache := newCache(t, rdb, rediscache.WithPrefix(prefix)) // one Cache for both tenants
	ctx := context.Background()

	name := func(c *core.Client) string {
		t.Helper()
		u, err := c.User(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return *u.FirstName
	}
	for round, c := range []struct {
		fake *clerktest.Server
		want string
	}{{alice, "Alice"}, {bob, "Bob"}, {alice, "Alice"}, {bob, "Bob"}} {
		// A fresh replica each time: nothing in memory, Redis is all it has.
		if got := name(replica(t, c.fake, clk, cache)); got != c.want {
			t.Fatalf("round %d: %s's instance was served %s", round, c.want, got)
		}
	}
	for _, f := range []*clerktest.Server{alice, bob} {
		if n := f.Requests(clerktest.EndpointGetUser); n != 1 {
			t.Fatalf("%d user fetches from one instance, want 1", n)
		}
	}

	ks := keys(t, rdb, prefix)
	if len(ks) != 2 || ks[0] == ks[1] {
		t.Fatalf("keys %q, want two distinct keys", ks)
	}
	for _, k := range ks {
		for _, sk := range []string{alice.SecretKey(), bob.SecretKey()} {
			if strings.Contains(k, sk) || strings.Contains(k, strings.TrimPrefix(sk, "sk_test_")) {
				t.Fatalf("key %q contains a secret key", k)
			}
		}
	}
}

// TestRedisDown takes Redis away in the middle of a test, by cutting it off
// or by making it hang: requests keep being answered (from memory and from
// Clerk), never with a 5xx, a warning is logged that names neither keys nor
// tokens, and the shared cache works again once Redis is back.
func TestRedisDown(t *testing.T) {
	addr := redisAddr(t)
	for _, mode := range []string{"stopped", "hung"} {
		t.Run(mode, func(t *testing.T) {
			prefix := testPrefix(t, newRedis(t, addr))
			clk := newClock()
			fake := newFake(t, clk)
			px := newProxy(t, addr)
			newReplica := func() (*core.Client, *logBuffer) {
				log, buf := logger()
				cache := newCache(t, newRedis(t, px.Addr()), rediscache.WithPrefix(prefix))
				return replica(t, fake, clk, cache, func(c *core.Config) { c.Logger = log }), buf
			}
			a, logA := newReplica()
			srv := app(t, a)
			id := fake.DefaultUserID()
			fetches := func() int { return fake.Requests(clerktest.EndpointGetUser) }
			ok := func(step string, s *httptest.Server, wantFetches int) {
				t.Helper()
				token := fake.Token() // minted on the clock
				if status, body := get(t, s, token); status != http.StatusOK || body != id {
					t.Fatalf("%s: %d %q, want 200 %q", step, status, body, id)
				}
				if n := fetches(); n != wantFetches {
					t.Fatalf("%s: %d user fetches, want %d", step, n, wantFetches)
				}
			}

			ok("Redis up", srv, 1)
			if strings.Contains(logA.String(), "level=WARN") {
				t.Fatalf("a warning with Redis up:\n%s", logA)
			}

			if mode == "stopped" {
				px.Stop()
			} else {
				px.Hang()
			}
			ok("Redis down, user in memory", srv, 1)
			clk.Advance(core.DefaultUserCacheTTL) // memory entry expired: Redis is asked, fails
			ok("Redis down, memory expired", srv, 2)
			b, logB := newReplica()
			ok("Redis down, new replica", app(t, b), 3)

			for name, log := range map[string]*logBuffer{"replica a": logA, "replica b": logB} {
				out := log.String()
				if !strings.Contains(out, "level=WARN") || !strings.Contains(out, "shared cache failed") {
					t.Fatalf("%s logged no shared-cache warning:\n%s", name, out)
				}
				for _, secret := range []string{id, prefix, fake.SecretKey()} {
					if strings.Contains(out, secret) {
						t.Fatalf("%s's log contains %q:\n%s", name, secret, out)
					}
				}
			}
			// The cache's timeout or the core's SharedCacheTimeout, whichever
			// ends first (both are 100ms by default).
			if out := logA.String(); mode == "hung" && !strings.Contains(out, "timed out") && !strings.Contains(out, "deadline exceeded") {
				t.Fatalf("a hung Redis is not reported as a timeout:\n%s", logA)
			}

			// Redis back: a fetch is stored again and serves a new replica.
			px.Stop()
			px.Start()
			clk.Advance(core.DefaultUserCacheTTL)
			ok("Redis back", srv, 4)
			c, _ := newReplica()
			ok("Redis back, new replica", app(t, c), 4)
		})
	}
}

// TestExpiry: an entry is served no longer than its TTL on the injected
// clock, though Redis still holds it (the core checks its own stamp), and
// Redis removes it on its own at the TTL the core chose.
func TestExpiry(t *testing.T) {
	addr := redisAddr(t)
	rdb := newRedis(t, addr)
	prefix := testPrefix(t, rdb)
	clk := newClock()
	fake := newFake(t, clk)
	ctx := context.Background()
	id := fake.DefaultUserID()
	cache := newCache(t, rdb, rediscache.WithPrefix(prefix))
	fresh := func(edit ...func(*core.Config)) *core.Client { return replica(t, fake, clk, cache, edit...) }

	if _, err := fresh().User(ctx, id); err != nil {
		t.Fatal(err)
	}
	ks := keys(t, rdb, prefix)
	if len(ks) != 1 || !strings.HasSuffix(ks[0], ":user:"+id) {
		t.Fatalf("keys %q, want one user key", ks)
	}
	if pttl := rdb.PTTL(ctx, ks[0]).Val(); pttl <= 0 || pttl > core.DefaultUserCacheTTL {
		t.Fatalf("PTTL %v, want in (0, %v]", pttl, core.DefaultUserCacheTTL)
	}

	clk.Advance(core.DefaultUserCacheTTL - time.Millisecond)
	if _, err := fresh().User(ctx, id); err != nil {
		t.Fatal(err)
	}
	if n := fake.Requests(clerktest.EndpointGetUser); n != 1 {
		t.Fatalf("%d fetches before the TTL, want 1", n)
	}
	clk.Advance(time.Millisecond) // the TTL is over on the clock; Redis still has it
	if n := rdb.Exists(ctx, ks[0]).Val(); n != 1 {
		t.Fatal("Redis dropped the entry early")
	}
	if _, err := fresh().User(ctx, id); err != nil {
		t.Fatal(err)
	}
	if n := fake.Requests(clerktest.EndpointGetUser); n != 2 {
		t.Fatalf("%d fetches after the TTL, want 2: an expired entry was served", n)
	}

	// Redis's own TTL: the core asks for its cache TTL, and Redis drops
	// the entry then.
	short := fresh(func(c *core.Config) { c.UserCacheTTL = 5 * time.Millisecond })
	other := fake.CreateUser(clerktest.UserParams{FirstName: "Short"})
	if _, err := short.User(ctx, other.ID); err != nil {
		t.Fatal(err)
	}
	key := strings.TrimSuffix(ks[0], id) + other.ID
	if pttl := rdb.PTTL(ctx, key).Val(); pttl > 5*time.Millisecond || pttl == -1 {
		t.Fatalf("PTTL %v, want at most 5ms (or gone)", pttl)
	}
	if err := awaitGone(ctx, rdb, key); err != nil {
		t.Fatal(err)
	}
}

func TestMachineTokensShared(t *testing.T) {
	addr := redisAddr(t)
	rdb := newRedis(t, addr)
	prefix := testPrefix(t, rdb)
	clk := newClock()
	fake := newFake(t, clk)
	replicas := sharedReplicas(t, 4, fake, clk, addr, prefix)
	ctx := context.Background()
	key := fake.NewAPIKey(clerktest.MachineTokenParams{Name: "ci", Scopes: []string{"read"}})

	verify := func(c *core.Client) error {
		a, err := c.VerifyMachineToken(ctx, key.Token, core.APIKey)
		if err == nil && (a.Kind != core.APIKey || a.ID != key.ID || a.Name != "ci") {
			err = errors.New("wrong auth for the API key: " + a.ID)
		}
		return err
	}
	if err := verify(replicas[0]); err != nil {
		t.Fatal(err)
	}
	if err := verify(replicas[1]); err != nil {
		t.Fatal(err)
	}
	if n := fake.Requests(clerktest.EndpointVerifyAPIKey); n != 1 {
		t.Fatalf("%d verifications for two replicas, want 1", n)
	}
	callAll(t, replicas, 50, verify)
	if n := fake.Requests(clerktest.EndpointVerifyAPIKey); n != 1 {
		t.Fatalf("%d verifications after 200 concurrent calls on 4 replicas, want 1", n)
	}

	// An unknown key is remembered as such too (no second verification).
	bogus := "ak_" + strings.Repeat("0", 32)
	for _, c := range replicas[:2] {
		if _, err := c.VerifyMachineToken(ctx, bogus, core.APIKey); !errors.Is(err, core.ErrInvalidCredentials) {
			t.Fatalf("unknown key: %v", err)
		}
	}
	if n := fake.Requests(clerktest.EndpointVerifyAPIKey); n != 2 {
		t.Fatalf("%d verifications, want 2", n)
	}

	// The tokens are nowhere in Redis: not in a key, not in a value.
	ks := keys(t, rdb, prefix)
	if len(ks) != 2 {
		t.Fatalf("keys %q, want 2 (one per token)", ks)
	}
	for _, k := range ks {
		v, err := rdb.Get(ctx, k).Result()
		if err != nil {
			t.Fatal(err)
		}
		for _, tok := range []string{key.Token, bogus, strings.TrimPrefix(key.Token, "ak_"), strings.TrimPrefix(bogus, "ak_")} {
			if strings.Contains(k, tok) || strings.Contains(v, tok) {
				t.Fatalf("Redis holds a token in key %q or its value", k)
			}
		}
	}
}

// TestForgedValues: a value someone with write access to Redis puts there
// (an API key's verdict copied to the hash of an invented token, a user's
// value copied to another user id, bytes of their own) is a miss on every
// replica: it is fetched from Clerk, and a good value is written back.
func TestForgedValues(t *testing.T) {
	addr := redisAddr(t)
	rdb := newRedis(t, addr)
	prefix := testPrefix(t, rdb)
	clk := newClock()
	fake := newFake(t, clk)
	ctx := context.Background()
	cache := newCache(t, rdb, rediscache.WithPrefix(prefix))
	fresh := func() *core.Client { return replica(t, fake, clk, cache) }

	alice := fake.DefaultUserID()
	bob := fake.CreateUser(clerktest.UserParams{FirstName: "Bob"}).ID
	apiKey := fake.NewAPIKey(clerktest.MachineTokenParams{Scopes: []string{"admin"}})
	if _, err := fresh().User(ctx, alice); err != nil {
		t.Fatal(err)
	}
	if _, err := fresh().VerifyMachineToken(ctx, apiKey.Token, core.APIKey); err != nil {
		t.Fatal(err)
	}
	var userKey, verdictKey string
	for _, k := range keys(t, rdb, prefix) {
		switch {
		case strings.HasSuffix(k, ":user:"+alice):
			userKey = k
		case strings.Contains(k, ":machine:"):
			verdictKey = k
		}
	}
	if userKey == "" || verdictKey == "" {
		t.Fatalf("keys %q", keys(t, rdb, prefix))
	}
	copyTo := func(from, to string) {
		t.Helper()
		v, err := rdb.Get(ctx, from).Bytes()
		if err != nil {
			t.Fatal(err)
		}
		if err := rdb.Set(ctx, to, v, time.Minute).Err(); err != nil {
			t.Fatal(err)
		}
	}
	copyTo(userKey, strings.TrimSuffix(userKey, alice)+bob)
	if u, err := fresh().User(ctx, bob); err != nil || u.ID != bob {
		t.Fatalf("Alice's value under Bob's key: %v, %v", u, err)
	}
	invented := "ak_" + strings.Repeat("e", 40)
	sum := sha256.Sum256([]byte(invented))
	inventedKey := verdictKey[:strings.LastIndex(verdictKey, ":")+1] + hex.EncodeToString(sum[:])
	copyTo(verdictKey, inventedKey)
	if _, err := fresh().VerifyMachineToken(ctx, invented, core.APIKey); !errors.Is(err, core.ErrInvalidCredentials) {
		t.Fatalf("an invented token with a copied verdict: %v", err)
	}
	if err := rdb.Set(ctx, userKey, "\x02garbage", time.Minute).Err(); err != nil {
		t.Fatal(err)
	}
	if u, err := fresh().User(ctx, alice); err != nil || u.ID != alice {
		t.Fatalf("garbage under Alice's key: %v, %v", u, err)
	}
	if n := fake.Requests(clerktest.EndpointGetUser); n != 3 {
		t.Fatalf("%d user fetches, want 3 (Alice, Bob, Alice again)", n)
	}
	if n := fake.Requests(clerktest.EndpointVerifyAPIKey); n != 2 {
		t.Fatalf("%d verifications, want 2", n)
	}
}
