package core_test

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/clerkgo/clerk/core"
	"github.com/clerkgo/clerk/core/clerktest"
)

// benchTokens mints n distinct Clerk-shaped RS256 tokens (RSA-2048) and
// returns a client whose key cache is warm.
func benchTokens(b *testing.B, n, cacheSize int) (*core.Client, *clerktest.Server, []string) {
	b.Helper()
	clk := newClock()
	s := newFake(b, clk)
	cfg := fakeConfig(s, clk)
	cfg.TokenCacheSize = cacheSize
	c := newClient(b, cfg)
	toks := make([]string, n)
	for i := range toks {
		toks[i] = s.Token(clerktest.WithOrgMembership("org_1", "acme", "org:admin", "org:invoices:read"))
	}
	if _, err := c.VerifyToken(context.Background(), toks[0]); err != nil {
		b.Fatal(err)
	}
	return c, s, toks
}

// BenchmarkRSABaseline is the physical floor: SHA-256 of the signing input
// and rsa.VerifyPKCS1v15 of the same kind of token, nothing else.
func BenchmarkRSABaseline(b *testing.B) {
	_, s, toks := benchTokens(b, 1, -1)
	tok := toks[0]
	dot := strings.LastIndexByte(tok, '.')
	sig, err := base64.RawURLEncoding.DecodeString(tok[dot+1:])
	if err != nil {
		b.Fatal(err)
	}
	pub := &s.PrivateKey().PublicKey
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		h := sha256.Sum256([]byte(tok[:dot]))
		if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, h[:], sig); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyNewToken verifies a token the client has not seen: parse,
// header rules, RSA, claims decoding and checks, cache insertion. A cache of
// one entry over a pool of tokens makes every call a miss.
func BenchmarkVerifyNewToken(b *testing.B) {
	c, _, toks := benchTokens(b, 64, 1)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := c.VerifyToken(ctx, toks[i%len(toks)]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyRepeatedToken verifies the same token again: a cache hit,
// re-checked against the clock and the current keys.
func BenchmarkVerifyRepeatedToken(b *testing.B) {
	c, _, toks := benchTokens(b, 1, core.DefaultTokenCacheSize)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := c.VerifyToken(ctx, toks[0]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAuthenticateRepeatedToken is the repeated token through the
// request-level entry point, Authorization header parsing included.
func BenchmarkAuthenticateRepeatedToken(b *testing.B) {
	c, _, toks := benchTokens(b, 1, core.DefaultTokenCacheSize)
	ctx := context.Background()
	a, err := core.NewAuthenticator(core.Options{Client: c, SkipUserFetch: true})
	if err != nil {
		b.Fatal(err)
	}
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header.Set("Authorization", "Bearer "+toks[0])
	req := core.HTTPRequest(r)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := a.Authenticate(ctx, req); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyCachedAPIKey verifies an API key whose verdict is cached:
// a SHA-256 of the token and a map lookup, compared with
// BenchmarkVerifyRepeatedToken (a repeated session token).
func BenchmarkVerifyCachedAPIKey(b *testing.B) {
	clk := newClock()
	s := newFake(b, clk)
	c := newClient(b, fakeConfig(s, clk))
	k := s.NewAPIKey(clerktest.MachineTokenParams{Scopes: []string{"read"}})
	ctx := context.Background()
	if _, err := c.VerifyMachineToken(ctx, k.Token, core.APIKey); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := c.VerifyMachineToken(ctx, k.Token, core.APIKey); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkNewAPIKeyConcurrently sends 100 concurrent verifications of one
// new API key per iteration and reports the verify calls they made (the
// goal: exactly 1).
func BenchmarkNewAPIKeyConcurrently(b *testing.B) {
	clk := newClock()
	s := newFake(b, clk)
	c := newClient(b, fakeConfig(s, clk))
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		b.StopTimer()
		k := s.NewAPIKey(clerktest.MachineTokenParams{})
		release := s.Block(clerktest.EndpointVerifyAPIKey)
		before := s.Requests(clerktest.EndpointVerifyAPIKey)
		var wg sync.WaitGroup
		for range 100 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := c.VerifyMachineToken(ctx, k.Token, core.APIKey); err != nil {
					b.Error(err)
				}
			}()
		}
		b.StartTimer()
		waitCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
		if err := s.AwaitWaiting(waitCtx, clerktest.EndpointVerifyAPIKey, 1); err != nil {
			b.Fatal(err)
		}
		cancel()
		release()
		wg.Wait()
		b.ReportMetric(float64(s.Requests(clerktest.EndpointVerifyAPIKey)-before), "verify-calls/op")
	}
}
