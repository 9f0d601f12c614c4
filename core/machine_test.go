package core_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/clerkgo/clerk/core"
	"github.com/clerkgo/clerk/core/clerktest"
)

// verifyEndpoints are the Backend API operations that verify opaque tokens.
var verifyEndpoints = []string{clerktest.EndpointVerifyAPIKey, clerktest.EndpointVerifyM2MToken, clerktest.EndpointVerifyOAuthToken}

func verifyCalls(s *clerktest.Server) int {
	n := 0
	for _, e := range verifyEndpoints {
		n += s.Requests(e)
	}
	return n
}

func TestMachineTokens(t *testing.T) {
	clk := newClock()
	s := newFake(t, clk)
	c := newClient(t, fakeConfig(s, clk))
	ctx := context.Background()
	org := "org_2" + strings.Repeat("a", 26)
	apiKey := s.NewAPIKey(clerktest.MachineTokenParams{Name: "ci", Scopes: []string{"read", "write"}, Claims: map[string]any{"team": "a"}})
	orgKey := s.NewAPIKey(clerktest.MachineTokenParams{Subject: org})
	m2m := s.NewM2MToken(clerktest.MachineTokenParams{Scopes: []string{"mch_2other"}, Claims: map[string]any{"env": "ci"}})
	m2mJWT := s.NewM2MJWT(clerktest.MachineTokenParams{Scopes: []string{"mch_2other"}, Claims: map[string]any{"env": "ci"}})
	oauth := s.NewOAuthToken(clerktest.MachineTokenParams{Scopes: []string{"email", "profile"}})
	oauthJWT := s.NewOAuthJWT(clerktest.MachineTokenParams{Scopes: []string{"email"}})
	tests := []struct {
		name    string
		token   clerktest.MachineToken
		accepts []core.TokenKind
		check   func(*core.Auth) bool
		calls   int // verify calls the row makes
	}{
		{"API key of a user", apiKey, []core.TokenKind{core.APIKey}, func(a *core.Auth) bool {
			return a.Kind == core.APIKey && a.Subject == s.DefaultUserID() && a.UserID() == a.Subject && a.ID == apiKey.ID &&
				a.Name == "ci" && a.HasScope("write") && a.Claims["team"] == "a" && a.OrgID() == "" && a.IsMachine()
		}, 1},
		{"API key of an organization", orgKey, []core.TokenKind{core.AnyToken}, func(a *core.Auth) bool {
			return a.Subject == org && a.OrgID() == org && a.UserID() == ""
		}, 1},
		{"opaque M2M token", m2m, []core.TokenKind{core.M2MToken}, func(a *core.Auth) bool {
			return a.Kind == core.M2MToken && a.MachineID() == s.MachineID() && a.HasScope("mch_2other") && a.Claims["env"] == "ci"
		}, 1},
		{"M2M JWT, verified locally", m2mJWT, []core.TokenKind{core.M2MToken}, func(a *core.Auth) bool {
			return a.Kind == core.M2MToken && a.Subject == s.MachineID() && a.ID == m2mJWT.ID && a.HasScope("mch_2other") &&
				a.Claims["env"] == "ci" && a.Claims["sub"] == nil && a.Expiry.Equal(m2mJWT.Expiration)
		}, 0},
		{"opaque OAuth token", oauth, []core.TokenKind{core.OAuthToken}, func(a *core.Auth) bool {
			return a.Kind == core.OAuthToken && a.UserID() == s.DefaultUserID() && a.ClientID == s.OAuthClientID() && a.HasScope("profile")
		}, 1},
		{"OAuth JWT, verified locally", oauthJWT, []core.TokenKind{core.OAuthToken, core.SessionToken}, func(a *core.Auth) bool {
			return a.Kind == core.OAuthToken && a.Subject == s.DefaultUserID() && a.ClientID == s.OAuthClientID() && a.HasScope("email") && a.ID == oauthJWT.ID
		}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := verifyCalls(s)
			a, err := c.VerifyMachineToken(ctx, tt.token.Token, tt.accepts...)
			if err != nil {
				t.Fatalf("VerifyMachineToken: %v", err)
			}
			if !tt.check(a) {
				t.Fatalf("auth %+v", a)
			}
			if got := verifyCalls(s) - before; got != tt.calls {
				t.Fatalf("%d verify calls, want %d", got, tt.calls)
			}
			// A second verification is served from the cache.
			if _, err := c.VerifyMachineToken(ctx, tt.token.Token, tt.accepts...); err != nil || verifyCalls(s)-before != tt.calls {
				t.Fatalf("second verification: %v, %d calls", err, verifyCalls(s)-before)
			}
		})
	}
}

func TestMachineTokenRefusals(t *testing.T) {
	clk := newClock()
	s := newFake(t, clk)
	ctx := context.Background()
	tests := []struct {
		name    string
		token   func() string
		accepts []core.TokenKind
		arrange func()
		want    core.Reason
		calls   int
	}{
		{"API key on an M2M route", func() string { return s.NewAPIKey(clerktest.MachineTokenParams{}).Token }, []core.TokenKind{core.M2MToken}, nil, core.ReasonTokenTypeNotAccepted, 0},
		{"session token on a machine route", func() string { return s.Token() }, []core.TokenKind{core.AnyToken}, nil, core.ReasonTokenTypeNotAccepted, 0},
		{"M2M JWT on an OAuth route", func() string { return s.NewM2MJWT(clerktest.MachineTokenParams{}).Token }, []core.TokenKind{core.OAuthToken}, nil, core.ReasonTokenTypeNotAccepted, 0},
		{"unknown API key", func() string { return "ak_" + strings.Repeat("x", 40) }, []core.TokenKind{core.APIKey}, nil, core.ReasonTokenNotFound, 1},
		{"revoked API key", func() string {
			k := s.NewAPIKey(clerktest.MachineTokenParams{})
			s.RevokeMachineToken(k.Token)
			return k.Token
		}, []core.TokenKind{core.APIKey}, nil, core.ReasonTokenRevoked, 1},
		{"expired M2M token", func() string {
			m := s.NewM2MToken(clerktest.MachineTokenParams{})
			s.ExpireMachineToken(m.Token)
			return m.Token
		}, []core.TokenKind{core.M2MToken}, nil, core.ReasonTokenExpired, 1},
		{"revoked OAuth token", func() string {
			o := s.NewOAuthToken(clerktest.MachineTokenParams{})
			s.RevokeMachineToken(o.Token)
			return o.Token
		}, []core.TokenKind{core.OAuthToken}, nil, core.ReasonTokenRevoked, 1},
		{"expired M2M JWT", func() string { return s.NewM2MJWT(clerktest.MachineTokenParams{TTL: -time.Minute}).Token }, []core.TokenKind{core.M2MToken}, nil, core.ReasonTokenExpired, 0},
		{"M2M JWT of another key", func() string {
			return s.NewM2MJWT(clerktest.MachineTokenParams{}, clerktest.WithSigningKey(key(1), "")).Token
		}, []core.TokenKind{core.M2MToken}, nil, core.ReasonTokenInvalidSignature, 0},
		{"M2M JWT with a session category", func() string {
			return s.NewM2MJWT(clerktest.MachineTokenParams{}, clerktest.WithHeader("cat", "cl_B7d4PD111AAA")).Token
		}, []core.TokenKind{core.M2MToken}, nil, core.ReasonTokenNotSession, 0},
		{"M2M JWT without exp", func() string {
			return s.NewM2MJWT(clerktest.MachineTokenParams{}, clerktest.WithoutClaim("exp")).Token
		}, []core.TokenKind{core.M2MToken}, nil, core.ReasonTokenMissingExpiry, 0},
		{"OAuth JWT with typ JWT", func() string {
			return s.NewOAuthJWT(clerktest.MachineTokenParams{}, clerktest.WithHeader("typ", "JWT")).Token
		}, []core.TokenKind{core.OAuthToken}, nil, core.ReasonTokenTypeNotAccepted, 0},
		{"Clerk down", func() string { return s.NewAPIKey(clerktest.MachineTokenParams{}).Token }, []core.TokenKind{core.APIKey},
			func() { s.Fail(clerktest.EndpointVerifyAPIKey, http.StatusServiceUnavailable) }, core.ReasonTokenVerificationUnavailable, 1},
		{"our secret key refused", func() string { return s.NewM2MToken(clerktest.MachineTokenParams{}).Token }, []core.TokenKind{core.M2MToken},
			func() { s.Fail(clerktest.EndpointVerifyM2MToken, http.StatusUnauthorized) }, core.ReasonTokenVerificationUnavailable, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newClient(t, fakeConfig(s, clk))
			tok := tt.token()
			if tt.arrange != nil {
				tt.arrange()
				defer s.Recover(clerktest.AnyEndpoint)
			}
			before := verifyCalls(s)
			_, err := c.VerifyMachineToken(ctx, tok, tt.accepts...)
			if got := core.ReasonOf(err); got != tt.want {
				t.Fatalf("reason %q (%v), want %q", got, err, tt.want)
			}
			if !errors.Is(err, tt.want.Class()) || strings.Contains(err.Error(), tok) {
				t.Fatalf("error %v: wrong class, or it shows the token", err)
			}
			if got := verifyCalls(s) - before; got != tt.calls {
				t.Fatalf("%d verify calls, want %d", got, tt.calls)
			}
		})
	}
}

// TestMachineTokenCoalescingAndExpiry: 100 concurrent requests with one new
// API key make one verify call; the result is reused for the TTL on the
// injected clock, then fetched again; never past the token's own expiry.
func TestMachineTokenCoalescingAndExpiry(t *testing.T) {
	clk := newClock()
	s := newFake(t, clk)
	cfg := fakeConfig(s, clk)
	cfg.MachineTokenCacheTTL = 30 * time.Second
	c := newClient(t, cfg)
	k := s.NewAPIKey(clerktest.MachineTokenParams{TTL: 50 * time.Second})
	release := s.Block(clerktest.EndpointVerifyAPIKey)
	const n = 100
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := c.VerifyMachineToken(context.Background(), k.Token, core.APIKey)
			errs <- err
		}()
	}
	waitCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.AwaitWaiting(waitCtx, clerktest.EndpointVerifyAPIKey, 1); err != nil {
		t.Fatal(err)
	}
	release()
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	steps := []struct {
		advance time.Duration
		calls   int
		want    core.Reason
	}{
		{0, 1, ""},                // cached
		{29 * time.Second, 1, ""}, // still within the TTL
		{2 * time.Second, 2, ""},  // the TTL has passed: verified again
		{20 * time.Second, 3, core.ReasonTokenExpired}, // the key's own expiry ended the entry: Clerk says expired
	}
	for i, st := range steps {
		clk.Advance(st.advance)
		_, err := c.VerifyMachineToken(context.Background(), k.Token, core.APIKey)
		if core.ReasonOf(err) != st.want || s.Requests(clerktest.EndpointVerifyAPIKey) != st.calls {
			t.Fatalf("step %d: %v, %d calls; want %q and %d calls", i, err, s.Requests(clerktest.EndpointVerifyAPIKey), st.want, st.calls)
		}
	}
}

// TestAuthenticatorMachineRoutes drives the Authenticator as the adapters
// do, through net/http requests.
func TestAuthenticatorMachineRoutes(t *testing.T) {
	clk := newClock()
	s := newFake(t, clk)
	c := newClient(t, fakeConfig(s, clk))
	k := s.NewAPIKey(clerktest.MachineTokenParams{Scopes: []string{"read"}})
	uat := "; __client_uat=1"
	tests := []struct {
		name string
		opts core.Options
		req  func(*http.Request)
		kind core.TokenKind
		want core.Reason
		user bool
	}{
		{"API key in the header", core.Options{Client: c, AcceptsToken: []core.TokenKind{core.APIKey}},
			func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+k.Token) }, core.APIKey, "", false},
		{"the user fetch is for sessions only", core.Options{Client: c, AcceptsToken: []core.TokenKind{core.AnyToken}},
			func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+s.Token()) }, core.SessionToken, "", true},
		{"a session cookie on a machine-only route", core.Options{Client: c, SkipUserFetch: true, AcceptsToken: []core.TokenKind{core.APIKey}},
			func(r *http.Request) { r.Header.Set("Cookie", "__session="+s.Token()+uat) }, core.SessionToken, core.ReasonTokenTypeNotAccepted, false},
		{"a custom header", core.Options{Client: c, SkipUserFetch: true, AcceptsToken: []core.TokenKind{core.APIKey}, TokenFrom: []core.Extractor{core.FromHeader("X-API-Key")}},
			func(r *http.Request) { r.Header.Set("X-API-Key", k.Token) }, core.APIKey, "", false},
		{"query parameters are not read by default", core.Options{Client: c, SkipUserFetch: true},
			func(r *http.Request) { r.URL.RawQuery = "token=" + s.Token() }, "", core.ReasonTokenMissing, false},
		{"a query extractor", core.Options{Client: c, SkipUserFetch: true, TokenFrom: []core.Extractor{core.FromQuery("token")}},
			func(r *http.Request) { r.URL.RawQuery = "token=" + s.Token() }, core.SessionToken, "", false},
		{"the first extractor with a token decides", core.Options{Client: c, SkipUserFetch: true, TokenFrom: []core.Extractor{core.FromHeader("X-Token"), core.FromAuthorizationHeader()}},
			func(r *http.Request) {
				r.Header.Set("X-Token", "garbage")
				r.Header.Set("Authorization", "Bearer "+s.Token())
			}, "", core.ReasonTokenMalformed, false},
		{"a function extractor", core.Options{Client: c, SkipUserFetch: true, TokenFrom: []core.Extractor{core.FromFunc(func(r core.Request) (string, error) { return r.Header("X-T"), nil })}},
			func(r *http.Request) { r.Header.Set("X-T", s.Token()) }, core.SessionToken, "", false},
		{"OPTIONS authenticated by default", core.Options{},
			func(r *http.Request) { r.Method = http.MethodOptions }, "", core.ReasonTokenMissing, false},
		{"a preflight authenticated by default", core.Options{Client: c, SkipUserFetch: true},
			func(r *http.Request) { preflight(r) }, "", core.ReasonTokenMissing, false},
		{"SkipOptions passes a preflight", core.Options{Client: c, SkipUserFetch: true, SkipOptions: true},
			func(r *http.Request) { preflight(r) }, "", "", false},
		{"SkipOptions authenticates a plain OPTIONS", core.Options{Client: c, SkipUserFetch: true, SkipOptions: true},
			func(r *http.Request) { r.Method = http.MethodOptions }, "", core.ReasonTokenMissing, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.opts.Client == nil && tt.opts.ClientFunc == nil {
				tt.opts.Client = c
			}
			a, err := core.NewAuthenticator(tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			tt.req(r)
			auth, err := a.Authenticate(context.Background(), core.HTTPRequest(r))
			if got := core.ReasonOf(err); got != tt.want {
				t.Fatalf("reason %q (%v), want %q", got, err, tt.want)
			}
			if err != nil {
				return
			}
			if tt.kind == "" {
				if auth != nil {
					t.Fatalf("auth %+v, want none", auth)
				}
				return
			}
			if auth == nil || auth.Kind != tt.kind || (auth.User != nil) != tt.user {
				t.Fatalf("auth %+v, want kind %s (user %v)", auth, tt.kind, tt.user)
			}
		})
	}
	t.Run("configuration errors", func(t *testing.T) {
		pemOnly := newClient(t, core.Config{JWTKey: s.PublicKeyPEM(), Now: clk.Now})
		for name, o := range map[string]core.Options{
			"unknown kind":               {Client: c, AcceptsToken: []core.TokenKind{"cookie"}},
			"API keys without secret":    {Client: pemOnly, AcceptsToken: []core.TokenKind{core.APIKey}},
			"empty extractor list":       {Client: c, TokenFrom: []core.Extractor{}},
			"extractor without a name":   {Client: c, TokenFrom: []core.Extractor{core.FromHeader("")}},
			"zero extractor":             {Client: c, TokenFrom: []core.Extractor{{}}},
			"cookie extractor bad name":  {Client: c, TokenFrom: []core.Extractor{core.FromCookie("a b")}},
			"function extractor without": {Client: c, TokenFrom: []core.Extractor{core.FromFunc(nil)}},
		} {
			if _, err := core.NewAuthenticator(o); err == nil {
				t.Errorf("%s: no error", name)
			}
		}
	})
}

// TestClientFunc: one Clerk instance per request, unknown tenants are 404.
func TestClientFunc(t *testing.T) {
	clk := newClock()
	a, b := newFake(t, clk), newFake(t, clk, clerktest.WithKey(key(1)))
	ca, cb := newClient(t, fakeConfig(a, clk)), newClient(t, fakeConfig(b, clk))
	auth, err := core.NewAuthenticator(core.Options{SkipUserFetch: true, ClientFunc: func(r core.Request) (*core.Client, error) {
		switch r.Header("X-Tenant") {
		case "a":
			return ca, nil
		case "b":
			return cb, nil
		case "nil":
			return nil, nil
		}
		return nil, core.ErrUnknownTenant
	}})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		tenant, token string
		want          core.Reason
	}{
		{"a", a.Token(), ""},
		{"b", b.Token(), ""},
		{"a", b.Token(), core.ReasonTokenUnknownKID}, // another issuer: not pending, even in the cooldown
		{"c", a.Token(), core.ReasonUnknownTenant},
		{"nil", a.Token(), core.ReasonUnknownTenant},
	} {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Header.Set("X-Tenant", tt.tenant)
		r.Header.Set("Authorization", "Bearer "+tt.token)
		_, err := auth.Authenticate(context.Background(), core.HTTPRequest(r))
		if core.ReasonOf(err) != tt.want {
			t.Errorf("tenant %s: %v, want %q", tt.tenant, err, tt.want)
		}
		if tt.want == core.ReasonUnknownTenant && (core.FailureOf(err).Status != http.StatusNotFound || !errors.Is(err, core.ErrUnknownTenant)) {
			t.Errorf("unknown tenant answered %+v", core.FailureOf(err))
		}
	}
}

// TestAuthenticateWith: the authenticator's own client was checked by
// NewAuthenticator; any other client is checked on the request, so one that
// cannot serve the options (here: the user fetch without a secret key) is
// refused, and a nil client is an unknown tenant.
func TestAuthenticateWith(t *testing.T) {
	clk := newClock()
	s := newFake(t, clk)
	own := newClient(t, fakeConfig(s, clk))
	pemOnly := newClient(t, core.Config{JWTKey: s.PublicKeyPEM(), Now: clk.Now})
	a, err := core.NewAuthenticator(core.Options{Client: own})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name   string
		client *core.Client
		want   error
	}{
		{"its own client", own, nil},
		{"a client without a secret key", pemOnly, core.ErrFetchUserNeedsSecretKey},
		{"no client", nil, core.ErrUnknownTenant},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			r.Header.Set("Authorization", "Bearer "+s.Token())
			auth, err := a.AuthenticateWith(context.Background(), tt.client, core.HTTPRequest(r))
			if tt.want == nil && (err != nil || auth.User == nil) {
				t.Fatalf("auth %+v, %v; want the user", auth, err)
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Fatalf("%v, want %v", err, tt.want)
			}
		})
	}
}

// TestAudience: with Config.Audience, aud is required and must match.
func TestAudience(t *testing.T) {
	clk := newClock()
	s := newFake(t, clk)
	cfg := fakeConfig(s, clk)
	cfg.Audience = []string{"https://api.example.com", "billing"}
	c := newClient(t, cfg)
	for _, tt := range []struct {
		name string
		tok  string
		want core.Reason
	}{
		{"matching string", s.Token(clerktest.WithClaim("aud", "billing")), ""},
		{"one of a list", s.Token(clerktest.WithClaim("aud", []string{"x", "https://api.example.com"})), ""},
		{"other", s.Token(clerktest.WithClaim("aud", "x")), core.ReasonTokenInvalidAudience},
		{"absent", s.Token(), core.ReasonTokenInvalidAudience},
		{"empty list", s.Token(clerktest.WithClaim("aud", []string{})), core.ReasonTokenInvalidAudience},
	} {
		_, err := c.VerifyToken(context.Background(), tt.tok)
		if core.ReasonOf(err) != tt.want {
			t.Errorf("%s: %v, want %q", tt.name, err, tt.want)
		}
	}
}

// TestLogsAndObserver: the logger and the observer see every decision and
// every call to Clerk, and never a token or the secret key.
func TestLogsAndObserver(t *testing.T) {
	clk := newClock()
	s := newFake(t, clk)
	var buf bytes.Buffer
	obs := &recorder{}
	cfg := fakeConfig(s, clk)
	cfg.Name = "tenant-a"
	cfg.Logger = slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	cfg.Observer = obs
	c := newClient(t, cfg)
	a, err := core.NewAuthenticator(core.Options{Client: c, AcceptsToken: []core.TokenKind{core.AnyToken}})
	if err != nil {
		t.Fatal(err)
	}
	k := s.NewAPIKey(clerktest.MachineTokenParams{})
	tok := s.Token()
	send := func(authz string) {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Header.Set("Authorization", authz)
		_, _ = a.Authenticate(context.Background(), core.HTTPRequest(r))
	}
	send("Bearer " + tok)
	send("Bearer " + tok)
	send("Bearer " + k.Token)
	send("Bearer " + s.Token(clerktest.WithTTL(-time.Minute)))
	s.Fail(clerktest.EndpointGetUser, http.StatusInternalServerError)
	send("Bearer " + s.Token(clerktest.WithSubject(s.CreateUser(clerktest.UserParams{}).ID)))

	log := buf.String()
	for _, secret := range []string{tok, k.Token, s.SecretKey()} {
		if strings.Contains(log, secret) || strings.Contains(obs.String(), secret) {
			t.Fatal("a token or the secret key reached the log or the observer")
		}
	}
	for _, want := range []string{`"msg":"clerk: authentication accepted"`, `"reason":"token-expired"`, `"instance":"tenant-a"`, `"kind":"api_key"`,
		`"level":"WARN","msg":"clerk: call to Clerk failed"`, `"op":"user"`} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %s:\n%s", want, log)
		}
	}
	if got := obs.decisions(); got != 5 {
		t.Errorf("%d decisions observed, want 5", got)
	}
	if !obs.sawCall(core.CallJWKS) || !obs.sawCall(core.CallUser) || !obs.sawCall(core.CallVerifyAPIKey) || !obs.sawHit("token") {
		t.Errorf("observer saw %s", obs)
	}
}

// recorder is an Observer that remembers what it saw.
type recorder struct {
	mu    sync.Mutex
	lines []string
	calls map[core.CallOp]int
	hits  map[string]int
	n     int
}

func (r *recorder) Decision(_ context.Context, d core.Decision) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.n++
	r.lines = append(r.lines, "decision "+d.Instance+" "+string(d.Kind)+" "+string(d.Reason))
}

func (r *recorder) Call(ctx context.Context, c core.Call) (context.Context, func(error)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.calls == nil {
		r.calls = map[core.CallOp]int{}
	}
	r.calls[c.Op]++
	return ctx, func(err error) {
		r.mu.Lock()
		defer r.mu.Unlock()
		if err != nil {
			r.lines = append(r.lines, "call error "+err.Error())
		}
	}
}

func (r *recorder) CacheLookup(_ context.Context, l core.CacheLookup) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.hits == nil {
		r.hits = map[string]int{}
	}
	if l.Hit {
		r.hits[l.Cache]++
	}
}

func (r *recorder) decisions() int { r.mu.Lock(); defer r.mu.Unlock(); return r.n }
func (r *recorder) sawCall(op core.CallOp) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.calls[op] > 0
}
func (r *recorder) sawHit(cache string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.hits[cache] > 0
}
func (r *recorder) String() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return strings.Join(r.lines, "\n")
}

// preflight makes r a browser's CORS preflight request.
func preflight(r *http.Request) {
	r.Method = http.MethodOptions
	r.Header.Set("Origin", "https://app.example")
	r.Header.Set("Access-Control-Request-Method", http.MethodPost)
}
