package demotest

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/clerkgo/clerk/core"
	"github.com/clerkgo/clerk/core/clerktest"
	"github.com/clerkgo/clerk/examples/internal/demo"
)

// notAccepted is the answer of GET /api/ping for a token of another kind.
const notAccepted = string(core.ReasonTokenTypeNotAccepted)

// CheckPing checks GET /api/ping, the route of machines, with tokens that
// fake mints (the demo's embedded fake, or the test's own behind the
// environment): API keys and M2M tokens (opaque and JWT) are accepted and
// described by kind, subject and scopes, verified with no user fetch; a
// session token (header or cookie), an OAuth token, a revoked, expired or
// unknown token and no token at all are refused with 401. session is a
// valid session token of the demo's instance.
func CheckPing(t *testing.T, s *Server, fake *clerktest.Server, session string) {
	t.Helper()
	userFetches := fake.Requests(clerktest.EndpointGetUser)
	keyCalls := fake.Requests(clerktest.EndpointVerifyAPIKey)

	accepted := []struct {
		name   string
		tok    clerktest.MachineToken
		kind   core.TokenKind
		scopes []string
	}{
		{"API key of the user", fake.NewAPIKey(clerktest.MachineTokenParams{Scopes: []string{"read", "write"}}), core.APIKey, []string{"read", "write"}},
		{"API key of an organization", fake.NewAPIKey(clerktest.MachineTokenParams{Subject: "org_2demo000000000000000000000"}), core.APIKey, []string{}},
		{"opaque M2M token", fake.NewM2MToken(clerktest.MachineTokenParams{}), core.M2MToken, []string{}},
		{"M2M JWT", fake.NewM2MJWT(clerktest.MachineTokenParams{Scopes: []string{"mch_2peer000000000000000000000"}}), core.M2MToken, []string{"mch_2peer000000000000000000000"}},
	}
	for _, tt := range accepted {
		got := ping(t, s, tt.name, tt.tok.Token)
		if got.Kind != tt.kind || got.Subject != tt.tok.Subject || !slices.Equal(got.Scopes, tt.scopes) {
			t.Errorf("%s: %+v, want kind %q subject %q scopes %q", tt.name, got, tt.kind, tt.tok.Subject, tt.scopes)
		}
	}
	if n := fake.Requests(clerktest.EndpointVerifyAPIKey) - keyCalls; n < 2 {
		t.Errorf("%d API key verifications at Clerk's Backend API, want one per key", n)
	}

	revoked := fake.NewAPIKey(clerktest.MachineTokenParams{})
	fake.RevokeMachineToken(revoked.Token)
	expired := fake.NewM2MToken(clerktest.MachineTokenParams{})
	fake.ExpireMachineToken(expired.Token)
	refused := []struct {
		name      string
		token     string
		header    []string
		challenge string
		reason    string
	}{
		{name: "no token", challenge: "Bearer", reason: string(core.ReasonTokenMissing)},
		{name: "session token", token: session, reason: notAccepted},
		{name: "session cookie", header: []string{"Cookie: " + core.DefaultSessionKey + "=" + session + "; __client_uat=1"}, reason: notAccepted},
		{name: "opaque OAuth token", token: fake.NewOAuthToken(clerktest.MachineTokenParams{}).Token, reason: notAccepted},
		{name: "OAuth JWT", token: fake.NewOAuthJWT(clerktest.MachineTokenParams{}).Token, reason: notAccepted},
		{name: "revoked API key", token: revoked.Token, reason: string(core.ReasonTokenRevoked)},
		{name: "expired M2M token", token: expired.Token, reason: string(core.ReasonTokenExpired)},
		{name: "unknown API key", token: "ak_" + strings.Repeat("0", 40), reason: string(core.ReasonTokenNotFound)},
		{name: "garbage", token: "not-a-token", reason: ""},
	}
	for _, tt := range refused {
		if tt.challenge == "" {
			tt.challenge = `Bearer error="invalid_token"`
		}
		r := s.Get(t, demo.PingPath, tt.token, tt.header...)
		wantFailure(t, "GET "+demo.PingPath+" ("+tt.name+")", r, http.StatusUnauthorized, tt.challenge, tt.reason)
	}
	if n := fake.Requests(clerktest.EndpointGetUser) - userFetches; n != 0 {
		t.Errorf("GET %s made %d user fetches, want none (FetchUser off)", demo.PingPath, n)
	}
}

// ping sends GET /api/ping with token and decodes its 200 answer, which
// must have exactly the keys kind, subject and scopes (a list, [] when
// empty).
func ping(t *testing.T, s *Server, what, token string) demo.PingResponse {
	t.Helper()
	r := s.Get(t, demo.PingPath, token)
	if r.Status != http.StatusOK {
		t.Errorf("GET %s (%s): %d %s, want 200", demo.PingPath, what, r.Status, r.Body)
		return demo.PingResponse{}
	}
	body := wantObject(t, r, http.StatusOK, "kind", "subject", "scopes")
	var got demo.PingResponse
	if err := json.Unmarshal(r.Body, &got); err != nil || len(body["scopes"]) == 0 || body["scopes"][0] != '[' {
		t.Errorf("GET %s (%s): %s, want a list of scopes", demo.PingPath, what, r.Body)
	}
	return got
}

// demoToken returns the body of GET /demo/token<query>, which must be 200.
func demoToken(t *testing.T, s *Server, query string) string {
	t.Helper()
	r := s.Get(t, "/demo/token"+query, "")
	if r.Status != http.StatusOK {
		t.Fatalf("GET /demo/token%s: %d %q", query, r.Status, r.Body)
	}
	return strings.TrimSpace(string(r.Body))
}

// checkDemoTokens checks what GET /demo/token mints, and that the banner's
// tokens (vars, from [RunBanner]) are of the kinds it says: TOKEN and ADMIN
// session tokens, KEY an API key of the fake's user with the scope "read",
// M2M an opaque M2M token of the fake's machine.
func checkDemoTokens(t *testing.T, s *Server, fake *clerktest.Server, vars map[string]string) {
	for _, q := range []string{"", "?role=admin", "?role=member", "?kind=session&role=admin", "?kind=m2m_jwt"} {
		if tok := demoToken(t, s, q); strings.Count(tok, ".") != 2 {
			t.Errorf("GET /demo/token%s: %q, want a JWT", q, tok)
		}
	}
	for q, prefix := range map[string]string{"?kind=api_key": "ak_", "?kind=m2m": "mt_", "?kind=oauth": "oat_"} {
		if tok := demoToken(t, s, q); !strings.HasPrefix(tok, prefix) {
			t.Errorf("GET /demo/token%s does not start with %s", q, prefix)
		}
	}
	for _, q := range []string{"?role=owner", "?kind=bogus", "?kind=api_key&role=admin", "?kind=bogus&role=admin"} {
		if r := s.Get(t, "/demo/token"+q, ""); r.Status != http.StatusBadRequest {
			t.Errorf("GET /demo/token%s: %d %s, want 400", q, r.Status, r.Body)
		}
	}

	for _, v := range []string{"TOKEN", "ADMIN"} {
		if strings.Count(vars[v], ".") != 2 {
			t.Errorf("banner's %s is not a session token", v)
		}
	}
	want := map[string]demo.PingResponse{
		"KEY": {Kind: core.APIKey, Subject: fake.DefaultUserID(), Scopes: demo.APIKeyScopes()},
		"M2M": {Kind: core.M2MToken, Subject: fake.MachineID(), Scopes: []string{}},
	}
	for v, w := range want {
		got := ping(t, s, "the banner's $"+v, vars[v])
		if got.Kind != w.Kind || got.Subject != w.Subject || !slices.Equal(got.Scopes, w.Scopes) {
			t.Errorf("the banner's $%s at %s: %+v, want %+v", v, demo.PingPath, got, w)
		}
	}
	got := ping(t, s, "?kind=m2m_jwt", demoToken(t, s, "?kind=m2m_jwt"))
	if got.Kind != core.M2MToken || got.Subject != fake.MachineID() {
		t.Errorf("an M2M JWT of /demo/token at %s: %+v", demo.PingPath, got)
	}
	r := s.Get(t, demo.PingPath, demoToken(t, s, "?kind=oauth"))
	wantFailure(t, "an OAuth token of /demo/token at "+demo.PingPath, r, http.StatusUnauthorized, `Bearer error="invalid_token"`, notAccepted)
	var keys []clerktest.MachineToken
	for _, m := range fake.MachineTokens() {
		if m.Kind == clerktest.KindAPIKey && m.Name == demo.APIKeyName {
			keys = append(keys, m)
		}
	}
	if len(keys) == 0 || keys[0].Expiration.IsZero() {
		t.Errorf("the demo's API keys %v: want them named %q, expiring", keys, demo.APIKeyName)
	}
}
