package core_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/clerkgo/clerk/core"
	"github.com/clerkgo/clerk/core/clerktest"
)

func TestColdCacheOneFetch(t *testing.T) {
	clk := newClock()
	s := newFake(t, clk)
	c := newClient(t, fakeConfig(s, clk))
	release := s.Block(clerktest.EndpointJWKS)
	const n = 200
	tok := s.Token()
	errs := make(chan error, n)
	var started sync.WaitGroup
	for i := 0; i < n; i++ {
		started.Add(1)
		go func() {
			started.Done()
			_, err := c.VerifyToken(context.Background(), tok)
			errs <- err
		}()
	}
	started.Wait()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.AwaitWaiting(ctx, clerktest.EndpointJWKS, 1); err != nil {
		t.Fatal(err)
	}
	release()
	for i := 0; i < n; i++ {
		if err := <-errs; err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
	}
	if got := s.Requests(clerktest.EndpointJWKS); got != 1 {
		t.Fatalf("JWKS fetched %d times for %d concurrent cold requests, want 1", got, n)
	}
}

// TestUnknownKidsAreRateLimited: under a flood of random kids the keys are
// fetched at most once per cooldown; a kid no fetch has been asked about is
// 503 jwks-refresh-pending with the time left in the cooldown, a kid the
// last fetch settled is 401 token-unknown-kid.
func TestUnknownKidsAreRateLimited(t *testing.T) {
	clk := newClock()
	s := newFake(t, clk)
	c := newClient(t, fakeConfig(s, clk))
	ctx := context.Background()
	if _, err := c.VerifyToken(ctx, s.Token()); err != nil {
		t.Fatal(err)
	}
	flood := func(round, n int, want core.Reason, retry string) {
		t.Helper()
		for i := 0; i < n; i++ {
			_, err := c.VerifyToken(ctx, s.Token(clerktest.WithSigningKey(key(1), fmt.Sprintf("ins_random%d_%d", round, i))))
			if core.ReasonOf(err) != want {
				t.Fatalf("round %d, random kid %d: %v, want %s", round, i, err, want)
			}
			if got := core.FailureOf(err).RetryAfterHeader(); got != retry {
				t.Fatalf("round %d, random kid %d: Retry-After %q, want %q", round, i, got, retry)
			}
		}
	}
	// Within the cooldown of the warm-up fetch: no fetch at all, and the
	// kids are not known to be unknown.
	clk.Advance(time.Second)
	flood(0, 100, core.ReasonJWKSRefreshPending, "29")
	if got := s.Requests(clerktest.EndpointJWKS); got != 1 {
		t.Fatalf("JWKS fetched %d times, want 1", got)
	}
	pending := 0 // the round whose kids were refused as pending
	for round := 1; round <= 5; round++ {
		clk.Advance(31 * time.Second)
		// The first kid after the cooldown fetches (and is settled by it),
		// and so are the kids refused as pending before: 401, no fetch.
		flood(round, 1, core.ReasonTokenUnknownKID, "")
		flood(pending, 100, core.ReasonTokenUnknownKID, "")
		clk.Advance(15 * time.Second)
		pending = round + 100
		flood(pending, 100, core.ReasonJWKSRefreshPending, "15")
		if got := s.Requests(clerktest.EndpointJWKS); got != 1+round {
			t.Fatalf("round %d: JWKS fetched %d times, want %d (one per cooldown)", round, got, 1+round)
		}
	}
}

// TestNewKeyInTheCooldown: a token of a key Clerk has just rotated in is
// 503 with Retry-After while the refetch cooldown runs (a random-kid flood
// started it), and 200 after it; a token of a key Clerk removed is 401.
func TestNewKeyInTheCooldown(t *testing.T) {
	clk := newClock()
	s := newFake(t, clk)
	c := newClient(t, fakeConfig(s, clk))
	ctx := context.Background()
	oldTok := s.Token()
	if _, err := c.VerifyToken(ctx, oldTok); err != nil {
		t.Fatal(err)
	}
	oldKID := s.KeyID()
	clk.Advance(31 * time.Second)
	// An attacker starts the cooldown with random kids...
	for i := 0; i < 50; i++ {
		_, err := c.VerifyToken(ctx, s.Token(clerktest.WithSigningKey(key(2), fmt.Sprintf("ins_flood%d", i))))
		if r := core.ReasonOf(err); r != core.ReasonTokenUnknownKID && r != core.ReasonJWKSRefreshPending {
			t.Fatalf("flood %d: %v", i, err)
		}
	}
	// ...then Clerk rotates its key.
	clk.Advance(5 * time.Second)
	s.RotateKeyWith(key(1))
	newTok := s.Token()
	_, err := c.VerifyToken(ctx, newTok)
	if core.ReasonOf(err) != core.ReasonJWKSRefreshPending || !errors.Is(err, core.ErrUnavailable) {
		t.Fatalf("new key in the cooldown: %v, want jwks-refresh-pending (ErrUnavailable)", err)
	}
	f := core.FailureOf(err)
	if f.Status != http.StatusServiceUnavailable || f.RetryAfterHeader() != "25" || f.WWWAuthenticate != "" {
		t.Fatalf("new key in the cooldown: %+v, want 503 with Retry-After 25", f)
	}
	rec := httptest.NewRecorder()
	core.WriteFailure(rec, err)
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") != "25" || !strings.Contains(rec.Body.String(), `"reason":"jwks-refresh-pending"`) {
		t.Fatalf("WriteFailure: %d %q %s", rec.Code, rec.Header().Get("Retry-After"), rec.Body)
	}
	clk.Advance(25 * time.Second)
	if _, err := c.VerifyToken(ctx, newTok); err != nil {
		t.Fatalf("new key after the cooldown: %v", err)
	}
	if got := s.Requests(clerktest.EndpointJWKS); got != 3 {
		t.Fatalf("JWKS fetched %d times, want 3", got)
	}
	// Clerk drops the old key; the next fetch (after a cooldown) sees it.
	s.RemoveKey(oldKID)
	clk.Advance(31 * time.Second)
	if _, err := c.VerifyToken(ctx, s.Token(clerktest.WithSigningKey(key(2), "ins_trigger"))); core.ReasonOf(err) != core.ReasonTokenUnknownKID {
		t.Fatalf("trigger: %v", err)
	}
	for i := 0; i < 3; i++ { // in the new cooldown: settled, not pending
		_, err = c.VerifyToken(ctx, oldTok)
		if core.ReasonOf(err) != core.ReasonTokenUnknownKID || core.FailureOf(err).RetryAfterHeader() != "" {
			t.Fatalf("rotated-out kid: %v, want token-unknown-kid", err)
		}
	}
	if got := s.Requests(clerktest.EndpointJWKS); got != 4 {
		t.Fatalf("JWKS fetched %d times, want 4", got)
	}
}

func TestKeyRotation(t *testing.T) {
	clk := newClock()
	s := newFake(t, clk)
	c := newClient(t, fakeConfig(s, clk))
	ctx := context.Background()
	oldTok := s.Token()
	if _, err := c.VerifyToken(ctx, oldTok); err != nil {
		t.Fatal(err)
	}
	oldKID := s.KeyID()
	s.RotateKeyWith(key(1))
	clk.Advance(31 * time.Second) // one key fetch per cooldown
	newTok := s.Token()
	if _, err := c.VerifyToken(ctx, newTok); err != nil {
		t.Fatalf("token of the rotated-in key: %v", err)
	}
	if _, err := c.VerifyToken(ctx, oldTok); err != nil {
		t.Fatalf("old key still published: %v", err)
	}
	// Remove the old key; the next refresh replaces the set.
	s.RemoveKey(oldKID)
	clk.Advance(31 * time.Second)
	_, err := c.VerifyToken(ctx, s.Token(clerktest.WithSigningKey(key(2), "ins_trigger")))
	if core.ReasonOf(err) != core.ReasonTokenUnknownKID {
		t.Fatalf("trigger: %v", err)
	}
	_, err = c.VerifyToken(ctx, oldTok)
	if core.ReasonOf(err) != core.ReasonTokenUnknownKID {
		t.Fatalf("token of a removed key: %v, want unknown kid (even though it was cached)", err)
	}
	if _, err := c.VerifyToken(ctx, newTok); err != nil {
		t.Fatalf("token of the kept key: %v", err)
	}
}

func TestJWKSDownAfterWarmup(t *testing.T) {
	clk := newClock()
	s := newFake(t, clk)
	cfg := fakeConfig(s, clk)
	cfg.TokenCacheSize = -1 // make every request use the keys
	c := newClient(t, cfg)
	ctx := context.Background()
	if _, err := c.VerifyToken(ctx, s.Token()); err != nil {
		t.Fatal(err)
	}
	s.Fail(clerktest.EndpointJWKS, http.StatusServiceUnavailable)
	for i := 0; i < 5; i++ {
		clk.Advance(20 * time.Minute) // past the refresh interval: stale keys
		if _, err := c.VerifyToken(ctx, s.Token()); err != nil {
			t.Fatalf("round %d with Clerk down: %v", i, err)
		}
	}
}

func TestJWKSDownAtStartThenRecovering(t *testing.T) {
	clk := newClock()
	s := newFake(t, clk)
	s.Fail(clerktest.EndpointJWKS, http.StatusBadGateway)
	c := newClient(t, fakeConfig(s, clk)) // starts although Clerk is down
	ctx := context.Background()
	for i := 0; i < 10; i++ {
		_, err := c.VerifyToken(ctx, s.Token())
		if !errors.Is(err, core.ErrUnavailable) || core.ReasonOf(err) != core.ReasonJWKSUnavailable {
			t.Fatalf("Clerk down: %v, want jwks-unavailable", err)
		}
	}
	if got := s.Requests(clerktest.EndpointJWKS); got != 1 {
		t.Fatalf("JWKS fetched %d times within one cooldown, want 1", got)
	}
	s.Recover(clerktest.EndpointJWKS)
	clk.Advance(31 * time.Second)
	if _, err := c.VerifyToken(ctx, s.Token()); err != nil {
		t.Fatalf("after recovery: %v", err)
	}
}

func TestBadJWKSResponses(t *testing.T) {
	tests := []struct {
		name string
		body []byte
	}{
		{"not JSON", []byte("<html>")},
		{"no keys", []byte(`{"keys":[]}`)},
		{"weak key", []byte(`{"keys":[{"kty":"RSA","kid":"k","n":"AQAB","e":"AQAB"}]}`)},
		{"wrong types", []byte(`{"keys":"x"}`)},
		{"oversize", append(append([]byte(`{"keys":[],"pad":"`), make([]byte, 2<<20)...), '"', '}')},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := newClock()
			s := newFake(t, clk)
			s.SetJWKSBody(tt.body)
			c := newClient(t, fakeConfig(s, clk))
			_, err := c.VerifyToken(context.Background(), s.Token())
			if core.ReasonOf(err) != core.ReasonJWKSUnavailable {
				t.Fatalf("%v, want jwks-unavailable", err)
			}
		})
	}
}

func TestRequestContextCancelledWhileWaitingForKeys(t *testing.T) {
	clk := newClock()
	s := newFake(t, clk)
	c := newClient(t, fakeConfig(s, clk))
	release := s.Block(clerktest.EndpointJWKS)
	defer release()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := c.VerifyToken(ctx, s.Token())
	if !errors.Is(err, core.ErrUnavailable) || !errors.Is(err, context.Canceled) {
		t.Fatalf("%v, want unavailable wrapping context.Canceled", err)
	}
}

func TestRepeatedTokenCache(t *testing.T) {
	clk := newClock()
	s := newFake(t, clk)
	c := newClient(t, fakeConfig(s, clk))
	ctx := context.Background()
	tok := s.Token()
	a, err := c.VerifyToken(ctx, tok)
	if err != nil {
		t.Fatal(err)
	}
	b, err := c.VerifyToken(ctx, tok)
	if err != nil || a != b {
		t.Fatalf("repeated token not served from the cache: %v", err)
	}
	clk.Advance(66 * time.Second) // exp + skew has passed
	if _, err := c.VerifyToken(ctx, tok); core.ReasonOf(err) != core.ReasonTokenExpired {
		t.Fatalf("cached token after expiry: %v", err)
	}
}

// TestJWKSKeyFiltering serves key sets that mix the instance's key with
// keys jwx parses but that must not verify (or that jwx cannot parse at
// all): the token verifies exactly when its usable key survives.
func TestJWKSKeyFiltering(t *testing.T) {
	clk := newClock()
	s := newFake(t, clk)
	good := clerktest.NewJWK(&s.PrivateKey().PublicKey, s.KeyID())
	weak, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	weakJWK := clerktest.NewJWK(&weak.PublicKey, s.KeyID())
	with := func(edit func(k *clerktest.JWK)) clerktest.JWK { k := good; edit(&k); return k }
	oct := map[string]any{"kty": "oct", "kid": "sym", "k": "c2VjcmV0"}
	unknown := map[string]any{"kty": "XYZ", "kid": "new", "crv": "?"}
	tests := []struct {
		name string
		keys []any
		want core.Reason
	}{
		{"the instance key", []any{good}, ""},
		{"an oct key beside it is ignored", []any{oct, good}, ""},
		{"a key type jwx does not know is ignored", []any{unknown, good}, ""},
		{"alg absent means RS256", []any{map[string]any{"kty": "RSA", "kid": good.Kid, "use": "sig", "n": good.N, "e": good.E}}, ""},
		{"use enc is skipped", []any{with(func(k *clerktest.JWK) { k.Use = "enc" })}, core.ReasonJWKSUnavailable},
		{"a 1024-bit key under the kid is skipped", []any{weakJWK}, core.ReasonJWKSUnavailable},
		{"a 1024-bit key first, the good key second", []any{weakJWK, good}, ""},
		{"the good key first, another under the same kid second", []any{good, with(func(k *clerktest.JWK) { k.N = weakJWK.N })}, ""},
		{"an even exponent is skipped", []any{with(func(k *clerktest.JWK) { k.E = "AQAA" })}, core.ReasonJWKSUnavailable},
		{"a key of another alg does not verify RS256", []any{with(func(k *clerktest.JWK) { k.Alg = "RS512" })}, core.ReasonTokenInvalidAlgorithm},
		{"an HMAC alg on an RSA key is skipped", []any{with(func(k *clerktest.JWK) { k.Alg = "HS256" })}, core.ReasonJWKSUnavailable},
		{"a key without kid is skipped", []any{with(func(k *clerktest.JWK) { k.Kid = "" })}, core.ReasonJWKSUnavailable},
		{"more than 64 keys", append(make([]any, 0, 70), repeat(good, 70)...), core.ReasonJWKSUnavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s.SetJWKSBody(mustJSON(map[string]any{"keys": tt.keys}))
			c := newClient(t, fakeConfig(s, clk))
			_, err := c.VerifyToken(context.Background(), s.Token())
			if got := core.ReasonOf(err); got != tt.want {
				t.Fatalf("reason = %q (%v), want %q", got, err, tt.want)
			}
		})
	}
}

func repeat(v any, n int) []any {
	out := make([]any, n)
	for i := range out {
		out[i] = v
	}
	return out
}

// TestPendingKidOfAnotherIssuer: in the refetch cooldown, an authenticator
// answers a session token of another issuer 401 at once (it cannot be a key
// this instance has just rotated in), and one of its own issuer 503; with
// no issuer known the two cannot be told apart (503 until a fetch settles).
// Client.VerifyToken, the same path, answers the same.
func TestPendingKidOfAnotherIssuer(t *testing.T) {
	clk := newClock()
	a, b := newFake(t, clk), newFake(t, clk, clerktest.WithKey(key(1)))
	ctx := context.Background()
	authenticate := func(cfg core.Config, tok string) error {
		t.Helper()
		c := newClient(t, cfg)
		auth, err := core.NewAuthenticator(core.Options{Client: c, SkipUserFetch: true})
		if err != nil {
			t.Fatal(err)
		}
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Header.Set("Authorization", "Bearer "+a.Token())
		if _, err := auth.Authenticate(ctx, core.HTTPRequest(r)); err != nil {
			t.Fatalf("own token: %v", err) // the keys are fetched: the cooldown starts
		}
		r.Header.Set("Authorization", "Bearer "+tok)
		_, err = auth.Authenticate(ctx, core.HTTPRequest(r))
		if _, direct := c.VerifyToken(ctx, tok); core.ReasonOf(direct) != core.ReasonOf(err) {
			t.Errorf("VerifyToken: %v, the Authenticator: %v", direct, err)
		}
		return err
	}
	withIssuer := fakeConfig(a, clk) // ProxyURL: the fake's URL is the issuer
	if err := authenticate(withIssuer, b.Token()); core.ReasonOf(err) != core.ReasonTokenUnknownKID {
		t.Errorf("another issuer's token: %v, want token-unknown-kid", err)
	}
	if err := authenticate(withIssuer, a.Token(clerktest.WithSigningKey(key(2), "ins_2rotatedin"))); core.ReasonOf(err) != core.ReasonJWKSRefreshPending {
		t.Errorf("own issuer, new kid: %v, want jwks-refresh-pending", err)
	}
	noIssuer := withIssuer
	noIssuer.ProxyURL = ""
	if err := authenticate(noIssuer, b.Token()); core.ReasonOf(err) != core.ReasonJWKSRefreshPending {
		t.Errorf("no issuer known: %v, want jwks-refresh-pending", err)
	}

	// A JWT OAuth access token carries the instance's issuer too: another
	// instance's is settled the same way where OAuth tokens are accepted.
	c := newClient(t, withIssuer)
	if _, err := c.VerifyToken(ctx, a.Token()); err != nil {
		t.Fatal(err) // the keys are fetched: the cooldown starts
	}
	foreign := b.NewOAuthJWT(clerktest.MachineTokenParams{})
	if _, err := c.VerifyMachineToken(ctx, foreign.Token, core.OAuthToken); core.ReasonOf(err) != core.ReasonTokenUnknownKID {
		t.Errorf("another issuer's OAuth JWT: %v, want token-unknown-kid", err)
	}
	own := a.NewOAuthJWT(clerktest.MachineTokenParams{}, clerktest.WithSigningKey(key(2), "ins_2rotatedin"))
	if _, err := c.VerifyMachineToken(ctx, own.Token, core.OAuthToken); core.ReasonOf(err) != core.ReasonJWKSRefreshPending {
		t.Errorf("own issuer's OAuth JWT, new kid: %v, want jwks-refresh-pending", err)
	}
}
