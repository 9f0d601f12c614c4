package bench

import (
	"context"
	"testing"
	"time"

	"github.com/clerkgo/clerk/chiclerk"
	"github.com/clerkgo/clerk/core"
	"github.com/clerkgo/clerk/core/clerktest"
	"github.com/clerkgo/clerk/echoclerk"
	"github.com/clerkgo/clerk/fiberclerk"
	"github.com/clerkgo/clerk/ginclerk"
)

// BenchmarkPaired measures the goals' comparisons as paired runs: the two
// operations alternate in short batches inside one benchmark, so that on a
// shared, noisy machine both see the same load. Each reports both costs
// (ns-a/op is the reference, ns-b/op ours or the peer) and their ratio
// b/a, or the difference b-a ("added-ns/op"); ns/op is meaningless here.
func BenchmarkPaired(b *testing.B) {
	f := getFixture(b)
	// New token through chiclerk against the bare RSA floor.
	b.Run("new-token-vs-floor", func(b *testing.B) {
		mw := chiclerk.Middleware(chiclerk.WithClient(f.uncached), chiclerk.FetchUser(false))
		paired(b, 20, 20, floorOp(b, f), httpServer(b, chiRouter(mw), bearer(f.tokens)), true)
	})
	// The same for the core verifier alone, without HTTP.
	b.Run("core-new-token-vs-floor", func(b *testing.B) {
		ctx, toks := context.Background(), f.tokens
		verify := func(i int) {
			if _, err := f.uncached.VerifyToken(ctx, toks[i%len(toks)]); err != nil {
				b.Fatal(err)
			}
		}
		verify(len(toks) - 1)
		paired(b, 20, 20, floorOp(b, f), verify, true)
	})
	// The official SDK against chiclerk, repeated token.
	b.Run("repeated-token-sdk-vs-chiclerk", func(b *testing.B) {
		mw := chiclerk.Middleware(chiclerk.WithClient(f.cached), chiclerk.FetchUser(false))
		auth := bearer([]string{f.token})
		paired(b, 2000, 20, httpServer(b, chiRouter(mw), auth), httpServer(b, chiRouter(f.sdkMiddleware()), auth), true)
	})
	// Each adapter against its bare framework, repeated token.
	auth := bearer([]string{f.token})
	b.Run("chiclerk-over-bare", func(b *testing.B) {
		mw := chiclerk.Middleware(chiclerk.WithClient(f.cached), chiclerk.FetchUser(false))
		paired(b, 250, 100, httpServer(b, chiRouter(nil), nil), httpServer(b, chiRouter(mw), auth), false)
	})
	b.Run("ginclerk-over-bare", func(b *testing.B) {
		mw := ginclerk.Middleware(ginclerk.WithClient(f.cached), ginclerk.FetchUser(false))
		paired(b, 2000, 100, httpServer(b, ginEngine(nil), nil), httpServer(b, ginEngine(mw), auth), false)
	})
	b.Run("echoclerk-over-bare", func(b *testing.B) {
		mw := echoclerk.Middleware(echoclerk.WithClient(f.cached), echoclerk.FetchUser(false))
		paired(b, 2000, 100, httpServer(b, echoServer(nil), nil), httpServer(b, echoServer(mw), auth), false)
	})
	b.Run("fiberclerk-over-bare", func(b *testing.B) {
		mw := fiberclerk.Middleware(fiberclerk.WithClient(f.cached), fiberclerk.FetchUser(false))
		paired(b, 2000, 100, fiberServer(b, fiberApp(nil), nil), fiberServer(b, fiberApp(mw), []string{f.token}), false)
	})
	// A cached API key against a repeated session token, core alone.
	b.Run("cached-api-key-vs-repeated-token", func(b *testing.B) {
		ctx := context.Background()
		key := f.fake.NewAPIKey(clerktest.MachineTokenParams{Scopes: []string{"read"}})
		session := func(int) {
			if _, err := f.cached.VerifyToken(ctx, f.token); err != nil {
				b.Fatal(err)
			}
		}
		apiKey := func(int) {
			if _, err := f.cached.VerifyMachineToken(ctx, key.Token, core.APIKey); err != nil {
				b.Fatal(err)
			}
		}
		apiKey(0) // the first verification calls the fake; the rest are cached
		paired(b, 20000, 20000, session, apiKey, true)
	})
}

// paired runs opB b.N times and opA alongside it, alternating a batch of
// nA calls of opA with a batch of nB calls of opB (choose them so that both
// batches take about as long, a few milliseconds), and reports their costs
// per call and their ratio b/a (ratio true) or their difference b-a.
//
// With a ratio it also reports the ratio of the process's CPU time per call
// ("cpu-ratio", where the platform tells it): on a shared machine a batch's
// wall time includes the time another process held the core, which CPU
// time does not, while the garbage collection a side causes on other
// threads is counted in both.
func paired(b *testing.B, nA, nB int, opA, opB func(int), ratio bool) {
	b.Helper()
	var (
		ta, tb time.Duration
		ua, ub time.Duration // CPU time
		ca     int
	)
	_, cpuOK := cpuTime()
	b.ReportAllocs()
	b.ResetTimer()
	for done := 0; done < b.N; done += nB {
		u0, _ := cpuTime()
		t0 := time.Now()
		for range nA {
			opA(ca)
			ca++
		}
		t1 := time.Now()
		u1, _ := cpuTime()
		for i := range min(nB, b.N-done) {
			opB(done + i)
		}
		tb += time.Since(t1)
		ta += t1.Sub(t0)
		u2, _ := cpuTime()
		ua += u1 - u0
		ub += u2 - u1
	}
	a, c := float64(ta)/float64(ca), float64(tb)/float64(b.N)
	b.ReportMetric(a, "ns-a/op")
	b.ReportMetric(c, "ns-b/op")
	if !ratio {
		b.ReportMetric(c-a, "added-ns/op")
		return
	}
	b.ReportMetric(c/a, "ratio")
	if cpuOK && ua > 0 {
		b.ReportMetric((float64(ub)/float64(b.N))/(float64(ua)/float64(ca)), "cpu-ratio")
	}
}
