package mcpclerk_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/clerkgo/clerk/core"
	"github.com/clerkgo/clerk/core/clerktest"
	"github.com/clerkgo/clerk/mcpclerk"
	"github.com/modelcontextprotocol/go-sdk/auth"
	"github.com/modelcontextprotocol/go-sdk/mcp"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// testKey is shared by the fakes: RSA key generation is slow under -race.
var testKey = clerktest.GenerateKey()

// newFake starts a fake Clerk and a client for it, both closed at cleanup.
func newFake(t testing.TB) (*clerktest.Server, *core.Client) {
	t.Helper()
	s := clerktest.New(clerktest.WithKey(testKey))
	c, err := core.New(core.Config{SecretKey: s.SecretKey(), APIURL: s.URL, MaxRetries: -1})
	if err != nil {
		s.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close(); s.Close() })
	return s, c
}

func TestVerifierMapsClerkOAuthTokens(t *testing.T) {
	s, c := newFake(t)
	verify := mcpclerk.Verifier(c)
	scopes := []string{"profile", "email"}
	for _, tc := range []struct {
		name string
		tok  clerktest.MachineToken
	}{
		{"opaque", s.NewOAuthToken(clerktest.MachineTokenParams{Scopes: scopes, TTL: time.Hour})},
		{"JWT", s.NewOAuthJWT(clerktest.MachineTokenParams{Scopes: scopes})},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ti, err := verify(t.Context(), tc.tok.Token, nil)
			if err != nil {
				t.Fatal(err)
			}
			if ti.UserID != s.DefaultUserID() || !slices.Equal(ti.Scopes, scopes) {
				t.Fatalf("TokenInfo %+v", ti)
			}
			if d := ti.Expiration.Sub(tc.tok.Expiration); d < -time.Second || d > time.Second {
				t.Fatalf("Expiration %v, want %v", ti.Expiration, tc.tok.Expiration)
			}
			a := mcpclerk.AuthFromTokenInfo(ti)
			if a == nil || a.Kind != core.OAuthToken || a.UserID() != s.DefaultUserID() || a.ClientID != s.OAuthClientID() {
				t.Fatalf("Auth %+v", a)
			}
			ti.Scopes[0] = "changed" // TokenInfo's scopes are its own
			if a.Scopes[0] != "profile" {
				t.Fatal("TokenInfo shares its scopes with the Auth")
			}
		})
	}
}

func TestVerifierErrors(t *testing.T) {
	s, c := newFake(t)
	verify := mcpclerk.Verifier(c)
	revoked := s.NewOAuthToken(clerktest.MachineTokenParams{TTL: time.Hour}).Token
	s.RevokeMachineToken(revoked)
	for _, tc := range []struct {
		name, token string
		reason      core.Reason
	}{
		{"revoked", revoked, core.ReasonTokenRevoked},
		{"expired JWT", s.NewOAuthJWT(clerktest.MachineTokenParams{TTL: -time.Minute}).Token, core.ReasonTokenExpired},
		{"session token", s.Token(), core.ReasonTokenTypeNotAccepted},
		{"API key", s.NewAPIKey(clerktest.MachineTokenParams{}).Token, core.ReasonTokenTypeNotAccepted},
		{"M2M JWT", s.NewM2MJWT(clerktest.MachineTokenParams{}).Token, core.ReasonTokenTypeNotAccepted},
		{"empty", "", core.ReasonTokenMissing},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ti, err := verify(t.Context(), tc.token, nil)
			if ti != nil || !errors.Is(err, auth.ErrInvalidToken) || !errors.Is(err, core.ErrInvalidCredentials) && !errors.Is(err, core.ErrNoCredentials) {
				t.Fatalf("got %v, %v; want an invalid-token error", ti, err)
			}
			if got := core.ReasonOf(err); got != tc.reason {
				t.Fatalf("reason %q, want %q", got, tc.reason)
			}
			if tc.token != "" && strings.Contains(err.Error(), tc.token) {
				t.Fatalf("the error %q contains the token", err)
			}
			if !strings.Contains(err.Error(), string(tc.reason)) {
				t.Fatalf("the error %q does not name its reason", err)
			}
		})
	}

	t.Run("Clerk unreachable", func(t *testing.T) {
		tok := s.NewOAuthToken(clerktest.MachineTokenParams{TTL: time.Hour}).Token
		s.Fail(clerktest.EndpointVerifyOAuthToken, http.StatusServiceUnavailable)
		defer s.Recover(clerktest.EndpointVerifyOAuthToken)
		_, err := verify(t.Context(), tok, nil)
		if err == nil || errors.Is(err, auth.ErrInvalidToken) || !errors.Is(err, core.ErrUnavailable) {
			t.Fatalf("got %v; want an unavailable error that is not an invalid token", err)
		}
		var ce *core.Error
		if !errors.As(err, &ce) {
			t.Fatalf("%v is not a *core.Error", err)
		}
		if msg := err.Error(); strings.Contains(msg, s.URL) || strings.Contains(msg, tok) || strings.Contains(msg, "127.0.0.1") {
			t.Fatalf("the error %q names an internal address or the token", msg)
		}
	})

	t.Run("nil client", func(t *testing.T) {
		_, err := mcpclerk.Verifier(nil)(context.Background(), "oat_x", nil)
		if err == nil || errors.Is(err, auth.ErrInvalidToken) {
			t.Fatalf("got %v; want an internal error", err)
		}
	})
}

func TestAuthGettersAreNilSafe(t *testing.T) {
	var nilReq *mcp.CallToolRequest
	for name, got := range map[string]*core.Auth{
		"TokenInfo nil":        mcpclerk.AuthFromTokenInfo(nil),
		"TokenInfo no Extra":   mcpclerk.AuthFromTokenInfo(&auth.TokenInfo{}),
		"TokenInfo wrong type": mcpclerk.AuthFromTokenInfo(&auth.TokenInfo{Extra: map[string]any{mcpclerk.ExtraKey: "x"}}),
		"Context empty":        mcpclerk.AuthFromContext(context.Background()),
		"Request nil":          mcpclerk.AuthFromRequest(nil),
		"Request typed nil":    mcpclerk.AuthFromRequest(nilReq),
		"Request no Extra":     mcpclerk.AuthFromRequest(&mcp.CallToolRequest{}),
		"Request no TokenInfo": mcpclerk.AuthFromRequest(&mcp.CallToolRequest{Extra: &mcp.RequestExtra{}}),
		"TokenInfo of nil":     mcpclerk.AuthFromTokenInfo(mcpclerk.TokenInfo(nil)),
	} {
		if got != nil {
			t.Errorf("%s: %+v", name, got)
		}
	}
	a := &core.Auth{Kind: core.OAuthToken, Subject: "user_1"}
	if got := mcpclerk.AuthFromRequest(&mcp.CallToolRequest{Extra: &mcp.RequestExtra{TokenInfo: mcpclerk.TokenInfo(a)}}); got != a {
		t.Fatalf("AuthFromRequest = %+v", got)
	}
}

// TestAuthFromContextBehindTheMiddleware: a plain HTTP handler behind the
// SDK's middleware reads the caller.
func TestAuthFromContextBehindTheMiddleware(t *testing.T) {
	s, c := newFake(t)
	var got *core.Auth
	h := auth.RequireBearerToken(mcpclerk.Verifier(c), nil)(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		got = mcpclerk.AuthFromContext(r.Context())
	}))
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, "/", nil)
	req.Header.Set("Authorization", "Bearer "+s.NewOAuthJWT(clerktest.MachineTokenParams{}).Token)
	h.ServeHTTP(discard{}, req)
	if got == nil || got.UserID() != s.DefaultUserID() {
		t.Fatalf("AuthFromContext = %+v", got)
	}
}

type discard struct{}

func (discard) Header() http.Header         { return http.Header{} }
func (discard) Write(b []byte) (int, error) { return len(b), nil }
func (discard) WriteHeader(int)             {}

// FuzzVerifier: any token gets a verdict, never a panic, and never an
// error that repeats it.
func FuzzVerifier(f *testing.F) {
	s, c := newFake(f)
	for _, seed := range []string{"", "oat_", "oat_0123456789abcdef0123456789abcdef", "a.b.c", "eyJhbGciOiJSUzI1NiJ9.e30.x",
		s.NewOAuthJWT(clerktest.MachineTokenParams{}).Token, s.Token()} {
		f.Add(seed)
	}
	verify := mcpclerk.Verifier(c)
	f.Fuzz(func(t *testing.T, token string) {
		ti, err := verify(t.Context(), token, nil)
		if (ti == nil) == (err == nil) {
			t.Fatalf("TokenInfo %v and error %v", ti, err)
		}
		if err != nil && len(token) >= 8 && strings.Contains(err.Error(), token) {
			t.Fatalf("the error %q contains the token", err)
		}
	})
}

// TestClerkUnreachable: Handle answers 503 (the project's contract), the
// SDK's middleware alone 500; neither is a 401 or names the token.
func TestClerkUnreachable(t *testing.T) {
	s, c := newFake(t)
	ok := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusTeapot) })
	mux := http.NewServeMux()
	if err := mcpclerk.Handle(mux, c, mcpclerk.Resource{URL: "https://mcp.example.com/mcp", AuthorizationServer: clerkFAPI}, ok); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		h    http.Handler
		want int
	}{
		{"Handle", mux, http.StatusServiceUnavailable},
		{"auth.RequireBearerToken with Verifier", auth.RequireBearerToken(mcpclerk.Verifier(c), nil)(ok), http.StatusInternalServerError},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tok := s.NewOAuthToken(clerktest.MachineTokenParams{TTL: time.Hour}).Token // verdicts are cached
			do := func() *httptest.ResponseRecorder {
				req := httptest.NewRequestWithContext(t.Context(), http.MethodPost, "/mcp", nil)
				req.Header.Set("Authorization", "Bearer "+tok)
				w := httptest.NewRecorder()
				tc.h.ServeHTTP(w, req)
				return w
			}
			s.Fail(clerktest.EndpointVerifyOAuthToken, http.StatusServiceUnavailable)
			w := do()
			s.Recover(clerktest.EndpointVerifyOAuthToken)
			if w.Code != tc.want || w.Header().Get("WWW-Authenticate") != "" || strings.Contains(w.Body.String(), tok) {
				t.Fatalf("Clerk down: %d %q %q, want %d without a challenge", w.Code, w.Header().Get("WWW-Authenticate"), w.Body, tc.want)
			}
			if w := do(); w.Code != http.StatusTeapot {
				t.Fatalf("Clerk back: %d", w.Code)
			}
		})
	}
}
