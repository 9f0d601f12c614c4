package rediscache_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/clerkgo/clerk/core"
	"github.com/clerkgo/clerk/core/clerktest"
	"github.com/clerkgo/clerk/rediscache"
)

// BenchmarkFleetUserFetches runs one workload on two fleets of 4 replicas
// (4 core.Clients on one fake Clerk each): one with only the in-memory
// caches, one sharing Redis. Each iteration is one request, for a user
// drawn from 64, on the next replica, 10ms later on the injected clock (so
// the 10s user cache TTL rolls over every 1000 requests). It reports the
// user fetches each fleet made per 1000 requests and the reduction.
func BenchmarkFleetUserFetches(b *testing.B) {
	addr := redisAddr(b)
	const replicas, users, step = 4, 64, 10 * time.Millisecond
	ctx := context.Background()
	ids := make([]string, users)
	for i := range ids {
		ids[i] = fmt.Sprintf("user_2bench%020d", i)
	}
	fleet := func(clk *fakeClock, shared bool) (*clerktest.Server, []*core.Client) {
		fake := newFake(b, clk, clerktest.WithoutDefaultUser())
		for _, id := range ids {
			fake.CreateUser(clerktest.UserParams{ID: id})
		}
		prefix := testPrefix(b, newRedis(b, addr))
		out := make([]*core.Client, replicas)
		for i := range out {
			var cache core.Cache
			if shared {
				cache = newCache(b, newRedis(b, addr), rediscache.WithPrefix(prefix))
			}
			out[i] = replica(b, fake, clk, cache)
		}
		return fake, out
	}
	clk := newClock()
	memFake, mem := fleet(clk, false)
	sharedFake, shared := fleet(clk, true)
	rng := rand.New(rand.NewPCG(1, 2))

	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		clk.Advance(step)
		id := ids[rng.IntN(users)]
		for _, c := range []*core.Client{mem[i%replicas], shared[i%replicas]} {
			if _, err := c.User(ctx, id); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.StopTimer()
	m := float64(memFake.Requests(clerktest.EndpointGetUser))
	s := float64(sharedFake.Requests(clerktest.EndpointGetUser))
	b.ReportMetric(m*1000/float64(b.N), "fetches-memory/1k-req")
	b.ReportMetric(s*1000/float64(b.N), "fetches-shared/1k-req")
	if s > 0 {
		b.ReportMetric(m/s, "reduction-x")
	}
}

// BenchmarkUserLookup compares what a replica pays for a user it does not
// hold in memory: a hit in the shared cache (one Redis GET and a decode)
// against a fetch from Clerk (an HTTP call to the fake Clerk on loopback:
// a floor, as the real Backend API is across the internet); a hit in
// memory is the baseline. Every 1000 lookups a fresh replica (empty
// memory) takes over, outside the timer. Entries live for the longest user
// cache TTL (60s).
func BenchmarkUserLookup(b *testing.B) {
	addr := redisAddr(b)
	const users = 1000
	ctx := context.Background()
	clk := newClock()
	fake := newFake(b, clk, clerktest.WithoutDefaultUser())
	ids := make([]string, users)
	for i := range ids {
		ids[i] = fake.CreateUser(clerktest.UserParams{FirstName: "Bench"}).ID
	}
	rdb := newRedis(b, addr)
	prefix := testPrefix(b, rdb)
	cache := newCache(b, rdb, rediscache.WithPrefix(prefix))
	newReplica := func(c core.Cache) *core.Client {
		cfg := core.Config{
			SecretKey: fake.SecretKey(), APIURL: fake.URL, HTTPClient: fake.Client(), MaxRetries: -1, Now: clk.Now,
			Cache: c, UserCacheTTL: core.MaxUserCacheTTL,
		}
		cl, err := core.New(cfg)
		if err != nil {
			b.Fatal(err)
		}
		return cl
	}
	// fill puts every user in Redis, before each run: Redis expires them
	// on its own real-time clock.
	fill := func(b *testing.B) {
		writer := newReplica(cache)
		defer writer.Close()
		for _, id := range ids {
			if _, err := writer.User(ctx, id); err != nil {
				b.Fatal(err)
			}
		}
	}

	run := func(b *testing.B, c core.Cache, fresh bool, wantFetches func(n int) int) {
		b.ReportAllocs()
		if c != nil {
			fill(b)
		}
		before := fake.Requests(clerktest.EndpointGetUser)
		cl := newReplica(c)
		if !fresh {
			if _, err := cl.User(ctx, ids[0]); err != nil {
				b.Fatal(err)
			}
			before++
		}
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if fresh && i > 0 && i%users == 0 {
				b.StopTimer()
				cl.Close()
				cl = newReplica(c)
				b.StartTimer()
			}
			id := ids[0]
			if fresh {
				id = ids[i%users]
			}
			if _, err := cl.User(ctx, id); err != nil {
				b.Fatal(err)
			}
		}
		b.StopTimer()
		cl.Close()
		if got, want := fake.Requests(clerktest.EndpointGetUser)-before, wantFetches(b.N); got != want {
			b.Fatalf("%d fetches from Clerk, want %d: the benchmark does not measure what it says", got, want)
		}
	}
	b.Run("memory-hit", func(b *testing.B) { run(b, nil, false, func(int) int { return 0 }) })
	b.Run("shared-cache-hit", func(b *testing.B) { run(b, cache, true, func(int) int { return 0 }) })
	b.Run("clerk-fetch", func(b *testing.B) { run(b, nil, true, func(n int) int { return n }) })
}
