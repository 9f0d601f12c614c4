package core_test

import (
	"crypto/rsa"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/clerkgo/clerk/core"
	"github.com/clerkgo/clerk/core/clerktest"
)

// fakeClock is an injected clock shared by the fake Clerk and the client.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *fakeClock { return &fakeClock{t: time.Unix(1_800_000_000, 0)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

var (
	keysOnce sync.Once
	testKeys [3]*rsa.PrivateKey
)

// key returns one of a few RSA keys generated once per test binary (RSA
// generation is slow under -race).
func key(i int) *rsa.PrivateKey {
	keysOnce.Do(func() {
		for j := range testKeys {
			testKeys[j] = clerktest.GenerateKey()
		}
	})
	return testKeys[i]
}

// newFake starts a fake Clerk on the clock, closed at the end of the test.
func newFake(t testing.TB, clk *fakeClock, opts ...clerktest.Option) *clerktest.Server {
	t.Helper()
	opts = append([]clerktest.Option{clerktest.WithClock(clk.Now), clerktest.WithKey(key(0))}, opts...)
	s := clerktest.New(opts...)
	t.Cleanup(s.Close)
	return s
}

// fakeConfig is the config of a client of the fake: Backend API keys and
// the fake's URL as the accepted issuer.
func fakeConfig(s *clerktest.Server, clk *fakeClock) core.Config {
	return core.Config{
		SecretKey:   s.SecretKey(),
		APIURL:      s.URL,
		ProxyURL:    s.URL,
		Now:         clk.Now,
		HTTPClient:  s.Client(),
		KeyCooldown: 30 * time.Second,
		MaxRetries:  -1,
	}
}

func newClient(t testing.TB, cfg core.Config) *core.Client {
	t.Helper()
	c, err := core.New(cfg)
	if err != nil {
		t.Fatalf("core.New: %v", err)
	}
	t.Cleanup(func() {
		c.Close()
		assertNoCoreGoroutines(t)
	})
	return c
}

// assertNoCoreGoroutines fails if a goroutine of this package outlives the
// clients that were closed: Close waits for all background work. A goroutine
// that has signalled its WaitGroup may still be unwinding, so the check
// yields and looks again a bounded number of times, as goleak does.
func assertNoCoreGoroutines(t testing.TB) {
	t.Helper()
	var leaked string
	for try := 0; try < 100; try++ {
		if leaked = coreGoroutine(); leaked == "" {
			return
		}
		runtime.Gosched()
		if try > 10 {
			time.Sleep(time.Millisecond)
		}
	}
	t.Errorf("leaked goroutine after Close:\n%s", leaked)
}

func coreGoroutine() string {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, "clerk/core.(*keyCache).run") || strings.Contains(g, "clerk/core.(*fetchCache[") {
			return g
		}
	}
	return ""
}
