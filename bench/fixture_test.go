package bench

import (
	"context"
	"crypto/rsa"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"testing"
	"time"

	clerksdk "github.com/clerk/clerk-sdk-go/v2"
	"github.com/clerk/clerk-sdk-go/v2/jwks"

	"github.com/clerkgo/clerk/core"
	"github.com/clerkgo/clerk/core/clerktest"
)

const (
	// issuerHost is the Frontend API host of the benchmark instance. The
	// official SDK only accepts issuers that look like Clerk's
	// ("https://clerk.*" or "*.clerk.accounts*"), so the fake issues this one.
	issuerHost = "bench.clerk.accounts.dev"
	issuer     = "https://" + issuerHost
	// audience is added to every token because auth0's validator refuses to
	// run without an expected audience. The Clerk verifiers ignore it.
	audience = "clerkgo-bench"
	// tokenPool is the number of distinct tokens for the "new token" runs.
	tokenPool = 128
	// tokenTTL outlives any benchmark run (Clerk's own tokens live 60 s;
	// lifetime does not change the cost of verification).
	tokenTTL = 6 * time.Hour
)

// signingKey is the one RSA-2048 key of the test binary: generating keys is
// slow, notably under -race. Each fake still has its own random kid.
var signingKey = sync.OnceValue(clerktest.GenerateKey)

// newFake starts a fake Clerk issuing Clerk-shaped tokens for issuerHost.
func newFake(opts ...clerktest.Option) *clerktest.Server {
	return clerktest.New(append([]clerktest.Option{
		clerktest.WithKey(signingKey()),
		clerktest.WithIssuer(issuer),
	}, opts...)...)
}

// mint returns a token of the benchmark shape: a v2 session token with an
// active organization membership, as a signed-in user of a B2B app has.
func mint(s *clerktest.Server, extra ...clerktest.TokenOption) string {
	return s.Token(append([]clerktest.TokenOption{
		clerktest.WithOrgMembership("org_2bench", "acme", "org:admin", "org:invoices:read", "org:invoices:write"),
		clerktest.WithTTL(tokenTTL),
		clerktest.WithClaim("aud", audience),
	}, extra...)...)
}

// ourConfig is the production-shaped config of our client for fake s: keys
// from the Backend API (GET /v1/jwks, the endpoint the official SDK uses),
// iss and azp checked.
func ourConfig(s *clerktest.Server) core.Config {
	return core.Config{
		SecretKey:         s.SecretKey(),
		APIURL:            s.URL,
		Domain:            issuerHost,
		AuthorizedParties: []string{s.AuthorizedParty()},
		HTTPClient:        s.Client(),
		MaxRetries:        -1,
	}
}

// sdkJWKSClient is the official SDK's JWKS client for fake s, calling it
// with hc. It is passed to the SDK's middleware explicitly
// (http.JWKSClient), so the SDK's process-wide backend and secret key are
// never set or read. (Its process-wide kid-keyed key cache cannot be
// avoided; every fake has a kid of its own, so fakes do not share entries.)
func sdkJWKSClient(s *clerktest.Server, hc *http.Client) *jwks.Client {
	url, key := s.URL+"/v1", s.SecretKey()
	return &jwks.Client{Backend: clerksdk.NewBackend(&clerksdk.BackendConfig{
		URL: &url, Key: &key, HTTPClient: hc,
	})}
}

// fixture is shared by every benchmark of the process: one fake Clerk, one
// token repeated, a pool of distinct tokens, and our two clients.
type fixture struct {
	fake *clerktest.Server
	pub  *rsa.PublicKey
	// token is the repeated token; tokens are distinct, all valid.
	token  string
	tokens []string
	// cached is our client with its default verified-token cache.
	cached *core.Client
	// uncached is our client with a token cache of one entry: cycling
	// through the pool of distinct tokens, every call is a miss and pays
	// the full verification plus the cache insertion (and an eviction), as
	// a token seen for the first time does in production.
	uncached *core.Client
	sdkJWKS  *jwks.Client
}

var (
	fixtureOnce sync.Once
	shared      *fixture
	fixtureErr  error
)

func getFixture(tb testing.TB) *fixture {
	tb.Helper()
	fixtureOnce.Do(func() { shared, fixtureErr = newFixture() })
	if fixtureErr != nil {
		tb.Fatal(fixtureErr)
	}
	return shared
}

func newFixture() (*fixture, error) {
	s := newFake()
	f := &fixture{fake: s, pub: &signingKey().PublicKey, sdkJWKS: sdkJWKSClient(s, s.Client())}
	f.tokens = make([]string, tokenPool)
	for i := range f.tokens {
		f.tokens[i] = mint(s)
	}
	f.token = mint(s)
	var err error
	if f.cached, err = core.New(ourConfig(s)); err != nil {
		return nil, err
	}
	cfg := ourConfig(s)
	cfg.TokenCacheSize = 1
	if f.uncached, err = core.New(cfg); err != nil {
		return nil, err
	}
	// Warm both key caches; the SDK's is warmed by each benchmark's first
	// request.
	for _, c := range []*core.Client{f.cached, f.uncached} {
		if _, err := c.VerifyToken(context.Background(), f.token); err != nil {
			return nil, err
		}
	}
	return f, nil
}

// tokenSet is what a benchmark sends: the repeated token, or the pool.
type tokenSet int

const (
	repeated tokenSet = iota
	fresh
)

// tokenSets names the two token modes in benchmark names.
var tokenSets = []struct {
	name string
	set  tokenSet
}{{"repeated-token", repeated}, {"new-token", fresh}}

// client returns our client for a token mode.
func (f *fixture) client(ts tokenSet) *core.Client {
	if ts == fresh {
		return f.uncached
	}
	return f.cached
}

func (f *fixture) set(ts tokenSet) []string {
	if ts == fresh {
		return f.tokens
	}
	return []string{f.token}
}

// bearer returns the Authorization header values of toks, built before the
// timed loop so that the loop allocates nothing of its own.
func bearer(toks []string) [][]string {
	h := make([][]string, len(toks))
	for i, t := range toks {
		h[i] = []string{"Bearer " + t}
	}
	return h
}

// discardWriter is a reusable http.ResponseWriter that keeps the status
// only, so that the benchmarks measure the middleware, not a recorder.
type discardWriter struct {
	h    http.Header
	code int
}

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w *discardWriter) WriteHeader(code int)        { w.code = code }

// serveLoop runs handler h once per iteration on a GET / with each header
// of auths in turn (nil: no Authorization header); every answer must be 200.
func serveLoop(b *testing.B, h http.Handler, auths [][]string) {
	b.Helper()
	loop(b, httpServer(b, h, auths))
}

// httpServer returns a function that serves request i through h with the
// i-th header of auths (nil: none), failing b unless the answer is 200. It
// has already served one request, to warm the key caches and the routers'
// pools, with the last header, so that request 0 uses another token.
func httpServer(b *testing.B, h http.Handler, auths [][]string) func(i int) {
	b.Helper()
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	w := &discardWriter{h: http.Header{}}
	if auths == nil {
		auths = [][]string{nil}
	}
	serve := func(i int) {
		if auths[0] != nil {
			req.Header["Authorization"] = auths[i%len(auths)]
		}
		clear(w.h)
		w.code = 0
		h.ServeHTTP(w, req)
		if w.code != http.StatusOK {
			b.Fatalf("status %d, want 200", w.code)
		}
	}
	serve(len(auths) - 1)
	return serve
}

// loop is the timed loop of a benchmark over op.
func loop(b *testing.B, op func(i int)) {
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		op(i)
	}
}

func ok(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) }

func TestMain(m *testing.M) {
	code := m.Run()
	if shared != nil {
		shared.cached.Close()
		shared.uncached.Close()
		shared.fake.Close()
	}
	os.Exit(code)
}
