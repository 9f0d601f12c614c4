package core

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/clerkgo/clerk/core/clerktest"
)

// memoClient is a client of a fake Clerk on a fixed clock, with its keys
// loaded, and the fake.
func memoClient(t *testing.T) (*Client, *clerktest.Server) {
	t.Helper()
	now := func() time.Time { return time.Unix(1_800_000_000, 0) }
	s := clerktest.New(clerktest.WithClock(now))
	t.Cleanup(s.Close)
	c, err := New(Config{SecretKey: s.SecretKey(), APIURL: s.URL, ProxyURL: s.URL, Now: now,
		HTTPClient: s.Client(), MaxRetries: -1, TokenCacheSize: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if _, err := c.VerifyToken(context.Background(), s.Token()); err != nil {
		t.Fatal(err)
	}
	return c, s
}

// headerSeg is a token's protected-header segment.
func headerSeg(token string) string { return token[:strings.IndexByte(token, '.')] }

// TestHeaderMemoJudgesEachHeader: once a Clerk header has verified and is
// remembered, a token with another header of the same kid is judged on its
// own, every time, and the remembered header still serves its own tokens;
// only headers of tokens whose signature verified are remembered.
func TestHeaderMemoJudgesEachHeader(t *testing.T) {
	c, s := memoClient(t)
	ctx := context.Background()
	clerkHeader := headerSeg(s.Token())
	if _, ok := c.headers.lookup(clerkHeader); !ok || c.headers.b.len() != 1 {
		t.Fatalf("the verified Clerk header is not remembered (%d entries)", c.headers.b.len())
	}
	kid := s.KeyID()
	payload := fmt.Sprintf(`{"exp":1800000060,"iat":1800000000,"iss":%q,"sub":"user_1"}`, s.Issuer())
	tests := []struct {
		name     string
		token    string
		want     Reason
		remember bool
	}{
		{"alg RS512, same kid", s.Token(clerktest.WithHeader("alg", "RS512")), ReasonTokenInvalidAlgorithm, false},
		{"alg none, same kid", s.Token(clerktest.WithHeader("alg", "none")), ReasonTokenInvalidAlgorithm, false},
		{"crit, same kid", s.Token(clerktest.WithHeader("crit", []string{"exp"})), ReasonTokenUnsupportedCriticalHeader, false},
		{"typ JOSE, same kid", s.Token(clerktest.WithHeader("typ", "JOSE")), ReasonTokenInvalidType, false},
		{"JWT template category, same kid", s.Token(clerktest.WithHeader("cat", categoryJWTTemplate)), ReasonTokenNotSession, false},
		{"alg repeated, same kid", s.SignRaw([]byte(`{"alg":"none","alg":"RS256","kid":"`+kid+`"}`), []byte(payload)), ReasonTokenMalformed, false},
		{"kid repeated", s.SignRaw([]byte(`{"alg":"RS256","kid":"x","kid":"`+kid+`"}`), []byte(payload)), ReasonTokenMalformed, false},
		{"members in another order", s.SignRaw([]byte(`{"kid":"`+kid+`","alg":"RS256"}`), []byte(payload)), "", true},
		{"no category", s.Token(clerktest.WithoutHeader("cat")), "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if headerSeg(tt.token) == clerkHeader {
				t.Fatal("the test token has the remembered header")
			}
			for range 2 { // the second time, a header that verified comes from the memo
				_, err := c.VerifyToken(ctx, tt.token)
				if got := ReasonOf(err); got != tt.want {
					t.Fatalf("reason %q (%v), want %q", got, err, tt.want)
				}
			}
			if _, ok := c.headers.lookup(headerSeg(tt.token)); ok != tt.remember {
				t.Errorf("remembered %v, want %v", ok, tt.remember)
			}
			if _, err := c.VerifyToken(ctx, s.Token()); err != nil {
				t.Errorf("a Clerk token after it: %v", err)
			}
		})
	}
}

// TestHeaderMemoHitKeepsTheOtherChecks: a token whose header comes from the
// memo still has its payload and signature segments decoded strictly and
// its signature and claims checked.
func TestHeaderMemoHitKeepsTheOtherChecks(t *testing.T) {
	c, s := memoClient(t)
	parts := strings.Split(s.Token(), ".")
	other := strings.Split(s.Token(clerktest.WithSubject("user_other")), ".")
	tests := []struct {
		name, token string
		want        Reason
	}{
		{"right kid, wrong key", s.Token(clerktest.WithSigningKey(clerktest.GenerateKey(), "")), ReasonTokenInvalidSignature},
		{"payload swapped", parts[0] + "." + other[1] + "." + parts[2], ReasonTokenInvalidSignature},
		{"payload padded", parts[0] + "." + parts[1] + "=." + parts[2], ReasonTokenMalformed},
		{"signature not base64", parts[0] + "." + parts[1] + ".!" + parts[2][1:], ReasonTokenMalformed},
		{"header padded", parts[0] + "=." + parts[1] + "." + parts[2], ReasonTokenMalformed},
		{"expired", s.Token(clerktest.WithExpiry(time.Unix(1_700_000_000, 0))), ReasonTokenExpired},
		{"machine subject", s.Token(clerktest.WithSubject("mch_1")), ReasonTokenTypeNotAccepted},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.VerifyToken(context.Background(), tt.token)
			if got := ReasonOf(err); got != tt.want {
				t.Fatalf("reason %q (%v), want %q", got, err, tt.want)
			}
		})
	}
}

// TestHeaderMemoFlood: forged tokens with distinct headers are never
// remembered, and distinct headers the instance signed fill the memo only
// up to its bound; the Clerk header still verifies after both floods.
func TestHeaderMemoFlood(t *testing.T) {
	c, s := memoClient(t)
	ctx := context.Background()
	forger := clerktest.GenerateKey()
	for i := range 500 {
		tok := s.Token(clerktest.WithSigningKey(forger, ""), clerktest.WithHeader("x", i))
		if _, err := c.VerifyToken(ctx, tok); ReasonOf(err) != ReasonTokenInvalidSignature {
			t.Fatalf("forged token %d: %v", i, err)
		}
	}
	if n := c.headers.b.len(); n != 1 {
		t.Fatalf("%d headers remembered after the forged flood, want 1", n)
	}
	for i := range 4 * headerMemoSize {
		if _, err := c.VerifyToken(ctx, s.Token(clerktest.WithHeader("x", i))); err != nil {
			t.Fatalf("signed token %d: %v", i, err)
		}
	}
	if n := c.headers.b.len(); n != headerMemoSize {
		t.Fatalf("%d headers remembered after the signed flood, want the bound %d", n, headerMemoSize)
	}
	if _, err := c.VerifyToken(ctx, s.Token()); err != nil {
		t.Fatal(err)
	}
}

// TestHeaderMemoPerClient: a header remembered at one client is not at
// another, even of the same instance.
func TestHeaderMemoPerClient(t *testing.T) {
	c, s := memoClient(t)
	d, err := New(Config{SecretKey: s.SecretKey(), APIURL: s.URL, HTTPClient: s.Client()})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	seg := headerSeg(s.Token())
	if _, ok := c.headers.lookup(seg); !ok {
		t.Fatal("not remembered where it verified")
	}
	if _, ok := d.headers.lookup(seg); ok {
		t.Fatal("remembered at another client")
	}
}

// TestHeaderMemoConcurrent verifies tokens with one shared and many
// distinct headers from several goroutines (run it with -race).
func TestHeaderMemoConcurrent(t *testing.T) {
	c, s := memoClient(t)
	ctx := context.Background()
	toks := make([]string, 64)
	for i := range toks {
		if i%2 == 0 {
			toks[i] = s.Token()
		} else {
			toks[i] = s.Token(clerktest.WithHeader("x", i))
		}
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range toks {
				if _, err := c.VerifyToken(ctx, toks[(i+g*7)%len(toks)]); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
}

// TestHeaderMemoAllocations: a remembered header costs no allocation to
// look up, and the parse step of a token with a remembered header only
// copies the token, the signature and the payload (jwsbb's header parse
// alone took 9 allocations).
func TestHeaderMemoAllocations(t *testing.T) {
	c, s := memoClient(t)
	tok := s.Token()
	seg := headerSeg(tok)
	if n := testing.AllocsPerRun(100, func() { c.headers.lookup(seg) }); n != 0 {
		t.Errorf("lookup: %v allocations, want 0", n)
	}
	n := testing.AllocsPerRun(100, func() {
		if p, r, _ := parseCompact(tok, c.headers); r != "" || p.memo != nil {
			t.Fatalf("reason %q, from the memo %v", r, p.memo == nil)
		}
	})
	if n > 3 {
		t.Errorf("parse with a remembered header: %v allocations, want <= 3", n)
	}
}

// TestHeaderMemoNil: a nil memo remembers nothing and finds nothing.
func TestHeaderMemoNil(t *testing.T) {
	var m *headerMemo
	m.remember("x", jwsHeader{alg: "RS256", kid: "k"})
	if _, ok := m.lookup("x"); ok {
		t.Fatal("a nil memo found a header")
	}
}

// TestVerifyNewTokenAllocations bounds the allocations of a new session
// token whose header is remembered (the token cache is off, so every call
// verifies): 30 before the memo, of which jwsbb's header parse took 9;
// 19 with it, before the RSA check went through jwsbb.VerifyRSA (-1), the
// organization's names into one string (-2 here) and the signature into
// the token copy's allocation (-1).
func TestVerifyNewTokenAllocations(t *testing.T) {
	c, s := memoClient(t)
	tok := s.Token(clerktest.WithOrgMembership("org_1", "acme", "org:admin", "org:invoices:read"))
	ctx := context.Background()
	n := testing.AllocsPerRun(100, func() {
		if _, err := c.VerifyToken(ctx, tok); err != nil {
			t.Fatal(err)
		}
	})
	if n > 16 {
		t.Errorf("new token: %v allocations, want <= 16", n)
	}
	t.Logf("new token: %v allocations", n)
}
