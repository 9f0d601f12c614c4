package rediscache_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/hex"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"go.uber.org/goleak"

	"github.com/clerkgo/clerk/core"
	"github.com/clerkgo/clerk/core/clerktest"
	"github.com/clerkgo/clerk/rediscache"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// skipMessage is what the tests needing Redis say when there is none.
const skipMessage = "SKIPPED: set CLERKGO_REDIS_ADDR or run scripts/test.sh (no Redis server for the shared-cache tests)"

// redisAddr returns the address of the test Redis server, or skips.
func redisAddr(t testing.TB) string {
	t.Helper()
	addr := os.Getenv("CLERKGO_REDIS_ADDR")
	if addr == "" {
		t.Skip(skipMessage)
	}
	return addr
}

// newRedis returns a go-redis client of addr, closed at the end of the test.
func newRedis(t testing.TB, addr string) *redis.Client {
	t.Helper()
	rdb := redis.NewClient(&redis.Options{Addr: addr, ContextTimeoutEnabled: true})
	t.Cleanup(func() { _ = rdb.Close() })
	return rdb
}

// testPrefix returns a key prefix no other test (or run) uses; its keys are
// deleted at the end of the test.
func testPrefix(t testing.TB, rdb *redis.Client) string {
	t.Helper()
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	prefix := "clerkgotest:" + hex.EncodeToString(b) + ":"
	t.Cleanup(func() {
		ctx := context.Background()
		for _, k := range keys(t, rdb, prefix) {
			rdb.Del(ctx, k)
		}
	})
	return prefix
}

// keys lists the keys under prefix.
func keys(t testing.TB, rdb *redis.Client, prefix string) []string {
	t.Helper()
	var out []string
	iter := rdb.Scan(context.Background(), 0, prefix+"*", 100).Iterator()
	for iter.Next(context.Background()) {
		out = append(out, iter.Val())
	}
	if err := iter.Err(); err != nil {
		t.Errorf("SCAN %s*: %v", prefix, err)
	}
	return out
}

// newCache returns a Cache over rdb, failing the test on an error.
func newCache(t testing.TB, rdb redis.UniversalClient, opts ...rediscache.Option) *rediscache.Cache {
	t.Helper()
	c, err := rediscache.New(rdb, opts...)
	if err != nil {
		t.Fatalf("rediscache.New: %v", err)
	}
	return c
}

// fakeClock is the injected clock of the fake Clerk and the clients.
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
	keyOnce sync.Once
	rsaKey  *rsa.PrivateKey
)

// signingKey is one RSA key for every fake of the test binary (generating
// one is slow under -race).
func signingKey() *rsa.PrivateKey {
	keyOnce.Do(func() { rsaKey = clerktest.GenerateKey() })
	return rsaKey
}

// newFake starts a fake Clerk (one Clerk instance) on the clock.
func newFake(t testing.TB, clk *fakeClock, opts ...clerktest.Option) *clerktest.Server {
	t.Helper()
	opts = append([]clerktest.Option{clerktest.WithClock(clk.Now), clerktest.WithKey(signingKey())}, opts...)
	s := clerktest.New(opts...)
	t.Cleanup(s.Close)
	return s
}

// replica is one core.Client of an application replica: a client of the
// fake Clerk, with cache (nil: none) as its shared cache.
func replica(t testing.TB, fake *clerktest.Server, clk *fakeClock, cache core.Cache, edit ...func(*core.Config)) *core.Client {
	t.Helper()
	cfg := core.Config{
		SecretKey:  fake.SecretKey(),
		APIURL:     fake.URL,
		ProxyURL:   fake.URL,
		HTTPClient: fake.Client(),
		MaxRetries: -1,
		Now:        clk.Now,
	}
	if cache != nil {
		cfg.Cache = cache
	}
	for _, e := range edit {
		e(&cfg)
	}
	c, err := core.New(cfg)
	if err != nil {
		t.Fatalf("core.New: %v", err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// logBuffer collects a logger's output, safe for concurrent use.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// logger returns a logger writing every level to a new buffer.
func logger() (*slog.Logger, *logBuffer) {
	buf := new(logBuffer)
	return slog.New(slog.NewTextHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug})), buf
}

// app serves GET / through the core's Authenticator with the user fetch on:
// 200 and the user's id, or the core's failure answer.
func app(t testing.TB, c *core.Client) *httptest.Server {
	t.Helper()
	o := core.Options{} // the user fetch on: the default
	o.Client = c
	a, err := core.NewAuthenticator(o)
	if err != nil {
		t.Fatalf("core.NewAuthenticator: %v", err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth, err := a.Authenticate(r.Context(), core.HTTPRequest(r))
		if err != nil {
			core.WriteFailure(w, err)
			return
		}
		_, _ = io.WriteString(w, auth.User.ID)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// get sends GET / with a bearer token and returns the status and body.
func get(t testing.TB, srv *httptest.Server, token string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, srv.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatalf("GET: %v", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// proxy stands between the clients and Redis, to take Redis away mid-test:
// Stop makes it unreachable (connections cut, new ones refused), Hang makes
// it accept and never answer, Start brings it back on the same address.
type proxy struct {
	t      testing.TB
	target string
	addr   string

	mu      sync.Mutex
	ln      net.Listener
	hanging bool
	conns   map[net.Conn]bool // true: a connection to Redis
	wg      sync.WaitGroup
}

func newProxy(t testing.TB, target string) *proxy {
	t.Helper()
	p := &proxy{t: t, target: target, conns: map[net.Conn]bool{}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p.addr = ln.Addr().String()
	p.serve(ln)
	t.Cleanup(p.Stop)
	return p
}

// Addr is the proxy's address, for the Redis clients.
func (p *proxy) Addr() string { return p.addr }

func (p *proxy) serve(ln net.Listener) {
	p.mu.Lock()
	p.ln = ln
	p.mu.Unlock()
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			p.handle(c)
		}
	}()
}

// track registers a connection to cut on Stop; false if stopping.
func (p *proxy) track(c net.Conn, upstream bool) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln == nil {
		return false
	}
	p.conns[c] = upstream
	return true
}

func (p *proxy) handle(c net.Conn) {
	if !p.track(c, false) {
		c.Close()
		return
	}
	p.mu.Lock()
	hanging := p.hanging
	p.mu.Unlock()
	if hanging {
		p.wg.Add(1)
		go func() { defer p.wg.Done(); _, _ = io.Copy(io.Discard, c) }()
		return
	}
	u, err := net.Dial("tcp", p.target)
	if err != nil || !p.track(u, true) {
		c.Close()
		if u != nil {
			u.Close()
		}
		return
	}
	p.wg.Add(2)
	go func() { // client -> Redis; once hanging, swallow what the client sends
		defer p.wg.Done()
		_, _ = io.Copy(u, c)
		if p.isHanging() {
			_, _ = io.Copy(io.Discard, c)
		}
		c.Close()
	}()
	go func() { // Redis -> client
		defer p.wg.Done()
		_, _ = io.Copy(c, u)
		if !p.isHanging() {
			c.Close()
		}
	}()
}

func (p *proxy) isHanging() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.hanging
}

// Hang stops all traffic to Redis: connections stay open and nothing is
// ever answered, as a hung Redis (or a black-holed network) behaves.
func (p *proxy) Hang() {
	p.mu.Lock()
	p.hanging = true
	var upstream []net.Conn
	for c, up := range p.conns {
		if up {
			upstream = append(upstream, c)
		}
	}
	p.mu.Unlock()
	for _, u := range upstream {
		u.Close()
	}
}

// Stop takes Redis away: the listener closes (new connections are refused)
// and every connection is cut. It waits for the proxy's goroutines.
func (p *proxy) Stop() {
	p.mu.Lock()
	ln := p.ln
	p.ln = nil
	conns := p.conns
	p.conns = map[net.Conn]bool{}
	p.mu.Unlock()
	if ln != nil {
		ln.Close()
	}
	for c := range conns {
		c.Close()
	}
	p.wg.Wait()
}

// Start brings a stopped proxy back on its address, forwarding again.
func (p *proxy) Start() {
	p.t.Helper()
	ln, err := net.Listen("tcp", p.addr)
	if err != nil {
		p.t.Fatalf("proxy: listen again on %s: %v", p.addr, err)
	}
	p.mu.Lock()
	p.hanging = false
	p.mu.Unlock()
	p.serve(ln)
}
