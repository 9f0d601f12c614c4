package bench

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/clerkgo/clerk/core"
	"github.com/clerkgo/clerk/core/clerktest"
)

// BenchmarkMachine counts the Backend API verify calls that 100 concurrent
// verifications of one new API key make ("verify-calls/op"; the goal is 1:
// they share one call). The cost of a cached API key is in BenchmarkPaired.
func BenchmarkMachine(b *testing.B) {
	f := getFixture(b)
	ctx := context.Background()
	b.Run("new-api-key-100-concurrent", func(b *testing.B) {
		b.ReportAllocs()
		calls := 0
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			k := f.fake.NewAPIKey(clerktest.MachineTokenParams{})
			release := f.fake.Block(clerktest.EndpointVerifyAPIKey)
			before := f.fake.Requests(clerktest.EndpointVerifyAPIKey)
			b.StartTimer()
			var wg sync.WaitGroup
			for range 100 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					if _, err := f.cached.VerifyMachineToken(ctx, k.Token, core.APIKey); err != nil {
						b.Error(err)
					}
				}()
			}
			waitCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
			err := f.fake.AwaitWaiting(waitCtx, clerktest.EndpointVerifyAPIKey, 1)
			cancel()
			release()
			wg.Wait()
			if err != nil {
				b.Fatal(err)
			}
			calls += f.fake.Requests(clerktest.EndpointVerifyAPIKey) - before
		}
		b.ReportMetric(float64(calls)/float64(b.N), "verify-calls/op")
	})
}
