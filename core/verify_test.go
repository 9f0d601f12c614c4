package core_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/clerkgo/clerk/core"
	"github.com/clerkgo/clerk/core/clerktest"
)

func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

// hs256WithPublicKey forges the classic key-confusion token: HS256 keyed
// with the instance's public key PEM.
func hs256WithPublicKey(s *clerktest.Server, payload string) string {
	in := b64(`{"alg":"HS256","kid":"`+s.KeyID()+`","typ":"JWT"}`) + "." + b64(payload)
	m := hmac.New(sha256.New, []byte(s.PublicKeyPEM()))
	m.Write([]byte(in))
	return in + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func TestVerifyTokenRules(t *testing.T) {
	clk := newClock()
	s := newFake(t, clk)
	now := clk.Now()
	skew := core.DefaultClockSkew
	c := newClient(t, fakeConfig(s, clk))
	valid := s.Token()
	parts := strings.Split(valid, ".")
	other := s.Token(clerktest.WithSubject("user_other"))

	tests := []struct {
		name  string
		token string
		want  core.Reason // "" means accepted
	}{
		{"valid", valid, ""},
		{"alg none with RS256 signature", s.Token(clerktest.WithHeader("alg", "none")), core.ReasonTokenInvalidAlg},
		{"alg HS256 with RS256 signature", s.Token(clerktest.WithHeader("alg", "HS256")), core.ReasonTokenInvalidAlg},
		{"alg missing", s.Token(clerktest.WithoutHeader("alg")), core.ReasonTokenInvalidAlg},
		{"alg RS384 but key is RS256", s.Token(clerktest.WithHeader("alg", "RS384")), core.ReasonTokenInvalidAlg},
		{"alg of wrong type", s.Token(clerktest.WithHeader("alg", 256)), core.ReasonTokenMalformed},
		{"HS256 keyed with the public key", hs256WithPublicKey(s, string(mustJSON(map[string]any{"sub": "user_x", "exp": now.Add(time.Minute).Unix()}))), core.ReasonTokenInvalidAlg},
		{"typ not JWT", s.Token(clerktest.WithHeader("typ", "at+jwt")), core.ReasonTokenInvalidType},
		{"typ absent", s.Token(clerktest.WithoutHeader("typ")), ""},
		{"kid missing", s.Token(clerktest.WithoutHeader("kid")), core.ReasonTokenMissingKID},
		{"kid empty", s.Token(clerktest.WithHeader("kid", "")), core.ReasonTokenMissingKID},
		{"crit header", s.Token(clerktest.WithHeader("crit", []string{"exp"})), core.ReasonTokenCritical},
		{"JWT template category", s.Token(clerktest.WithHeader("cat", "cl_B7d4PD222AAA")), core.ReasonTokenNotSession},
		{"neutral category", s.Token(clerktest.WithHeader("cat", "cl_I7d4PD111III")), ""},
		{"no category", s.Token(clerktest.WithoutHeader("cat")), ""},
		{"JWS JSON serialization", `{"protected":"` + parts[0] + `","payload":"` + parts[1] + `","signature":"` + parts[2] + `"}`, core.ReasonTokenMalformed},
		{"two segments", parts[0] + "." + parts[1], core.ReasonTokenMalformed},
		{"four segments", valid + ".x", core.ReasonTokenMalformed},
		{"empty signature", parts[0] + "." + parts[1] + ".", core.ReasonTokenMalformed},
		{"padded base64", parts[0] + "=." + parts[1] + "." + parts[2], core.ReasonTokenMalformed},
		{"not base64", "!!!." + parts[1] + "." + parts[2], core.ReasonTokenMalformed},
		{"oversize", strings.Repeat("a", core.MaxTokenSize+1), core.ReasonTokenTooLarge},
		{"payload swapped", parts[0] + "." + strings.Split(other, ".")[1] + "." + parts[2], core.ReasonTokenSignature},
		{"signature truncated", parts[0] + "." + parts[1] + "." + parts[2][:40], core.ReasonTokenSignature},
		{"right kid, wrong key", s.Token(clerktest.WithSigningKey(key(1), "")), core.ReasonTokenSignature},
		{"exp missing", s.Token(clerktest.WithoutClaim("exp")), core.ReasonTokenMissingExpiry},
		{"exp null", s.Token(clerktest.WithClaim("exp", nil)), core.ReasonTokenMissingExpiry},
		{"exp string", s.Token(clerktest.WithClaim("exp", "9999999999")), core.ReasonTokenMalformed},
		{"iat string", s.Token(clerktest.WithClaim("iat", "1")), core.ReasonTokenMalformed},
		{"nbf string", s.Token(clerktest.WithClaim("nbf", "1")), core.ReasonTokenMalformed},
		{"sub missing", s.Token(clerktest.WithoutClaim("sub")), core.ReasonTokenInvalidSubject},
		{"sub empty", s.Token(clerktest.WithSubject("")), core.ReasonTokenInvalidSubject},
		{"sub number", s.Token(clerktest.WithClaim("sub", 42)), core.ReasonTokenMalformed},
		{"payload not an object", s.Token(clerktest.WithClaim("o", "x")), core.ReasonTokenMalformed},
		{"expired", s.Token(clerktest.WithIssuedAt(now.Add(-2 * time.Minute))), core.ReasonTokenExpired},
		{"exp at now-skew is expired", s.Token(clerktest.WithExpiry(now.Add(-skew))), core.ReasonTokenExpired},
		{"exp just after now-skew", s.Token(clerktest.WithExpiry(now.Add(-skew + time.Second))), ""},
		{"nbf beyond skew", s.Token(clerktest.WithNotBefore(now.Add(skew + time.Second))), core.ReasonTokenNotActiveYet},
		{"nbf within skew", s.Token(clerktest.WithNotBefore(now.Add(skew))), ""},
		{"iat beyond skew", s.Token(clerktest.WithIssuedAt(now.Add(skew+time.Second)), clerktest.WithNotBefore(now)), core.ReasonTokenIssuedInFuture},
		{"iat within skew", s.Token(clerktest.WithIssuedAt(now.Add(skew)), clerktest.WithNotBefore(now)), ""},
		{"wrong issuer", s.Token(clerktest.WithClaim("iss", "https://evil.example")), core.ReasonTokenInvalidIssuer},
		{"issuer with trailing slash", s.Token(clerktest.WithClaim("iss", s.Issuer()+"/")), core.ReasonTokenInvalidIssuer},
		{"pending session", s.Token(clerktest.WithStatus("pending")), core.ReasonSessionPending},
		{"any azp when none configured", s.Token(clerktest.WithAuthorizedPartyClaim("https://other.example")), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			claims, err := c.VerifyToken(context.Background(), tt.token)
			if got := core.ReasonOf(err); got != tt.want {
				t.Fatalf("reason = %q (err %v), want %q", got, err, tt.want)
			}
			if tt.want == "" && (claims == nil || claims.Subject == "") {
				t.Fatalf("accepted token without claims")
			}
			if err != nil {
				if claims != nil {
					t.Fatal("claims returned with an error")
				}
				if strings.Contains(err.Error(), tt.token[:min(len(tt.token), 40)]) {
					t.Fatal("error message contains the token")
				}
				var ce *core.Error
				if !errors.As(err, &ce) || !errors.Is(err, tt.want.Class()) {
					t.Fatalf("error %v is not a *core.Error of class %v", err, tt.want.Class())
				}
			}
		})
	}
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

func TestVerifyPolicies(t *testing.T) {
	clk := newClock()
	s := newFake(t, clk)
	tests := []struct {
		name  string
		cfg   func(*core.Config)
		token string
		want  core.Reason
	}{
		{"azp allowed", func(c *core.Config) { c.AuthorizedParties = []string{"https://a.example", s.AuthorizedParty()} }, s.Token(), ""},
		{"azp not allowed", func(c *core.Config) { c.AuthorizedParties = []string{"https://a.example"} }, s.Token(), core.ReasonTokenInvalidAZP},
		{"azp missing", func(c *core.Config) { c.AuthorizedParties = []string{"https://a.example"} }, s.Token(clerktest.WithoutClaim("azp")), core.ReasonTokenInvalidAZP},
		{"azp is compared exactly", func(c *core.Config) { c.AuthorizedParties = []string{s.AuthorizedParty() + "/"} }, s.Token(), core.ReasonTokenInvalidAZP},
		{"pending allowed", func(c *core.Config) { c.AllowPendingSessions = true }, s.Token(clerktest.WithStatus("pending")), ""},
		{"no issuer known: iss unchecked", func(c *core.Config) { c.ProxyURL = "" }, s.Token(clerktest.WithClaim("iss", "https://x.example")), ""},
		{"larger skew", func(c *core.Config) { c.ClockSkew = time.Minute }, s.Token(clerktest.WithExpiry(clk.Now().Add(-30 * time.Second))), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := fakeConfig(s, clk)
			tt.cfg(&cfg)
			c := newClient(t, cfg)
			_, err := c.VerifyToken(context.Background(), tt.token)
			if got := core.ReasonOf(err); got != tt.want {
				t.Fatalf("reason = %q (%v), want %q", got, err, tt.want)
			}
		})
	}
}

func TestAuthenticateCredentials(t *testing.T) {
	clk := newClock()
	s := newFake(t, clk)
	c := newClient(t, fakeConfig(s, clk))
	tok := s.Token()
	iat := clk.Now().Unix()
	uat := func(v int64) string { return "; __client_uat=" + itoa(v) }
	tests := []struct {
		name string
		cr   core.Credentials
		want core.Reason
	}{
		{"bearer", core.Credentials{Authorization: "Bearer " + tok}, ""},
		{"bearer lower case", core.Credentials{Authorization: "bearer " + tok}, ""},
		{"bearer extra spaces", core.Credentials{Authorization: "  Bearer   " + tok + " "}, ""},
		{"bare token", core.Credentials{Authorization: tok}, ""},
		{"nothing", core.Credentials{}, core.ReasonTokenMissing},
		{"basic is ignored", core.Credentials{Authorization: "Basic dXNlcjpwYXNz"}, core.ReasonTokenMissing},
		{"basic then cookie", core.Credentials{Authorization: "Basic dXNlcjpwYXNz", Cookie: "__session=" + tok}, ""},
		{"empty bearer", core.Credentials{Authorization: "Bearer "}, core.ReasonTokenMissing},
		{"cookie", core.Credentials{Cookie: "a=b; __session=" + tok + "; c=d"}, ""},
		{"quoted cookie", core.Credentials{Cookie: `__session="` + tok + `"`}, ""},
		{"bad header never falls back", core.Credentials{Authorization: "Bearer garbage", Cookie: "__session=" + tok}, core.ReasonTokenMalformed},
		{"custom session key", core.Credentials{Cookie: "my_session=" + tok, SessionKey: "my_session"}, ""},
		{"default cookie ignored with custom key", core.Credentials{Cookie: "__session=" + tok, SessionKey: "my_session"}, core.ReasonTokenMissing},
		{"client_uat older than iat", core.Credentials{Cookie: "__session=" + tok + uat(iat-100)}, ""},
		{"client_uat equal to iat", core.Credentials{Cookie: "__session=" + tok + uat(iat)}, ""},
		{"client_uat newer than iat", core.Credentials{Cookie: "__session=" + tok + uat(iat+1)}, core.ReasonTokenStale},
		{"client_uat zero: signed out", core.Credentials{Cookie: "__session=" + tok + uat(0)}, core.ReasonTokenStale},
		{"client_uat garbage", core.Credentials{Cookie: "__session=" + tok + "; __client_uat=x"}, core.ReasonTokenStale},
		{"header token ignores client_uat", core.Credentials{Authorization: "Bearer " + tok, Cookie: uat(iat + 100)[2:]}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.Authenticate(context.Background(), tt.cr)
			if got := core.ReasonOf(err); got != tt.want {
				t.Fatalf("reason = %q (%v), want %q", got, err, tt.want)
			}
		})
	}
}

func itoa(v int64) string { return strings.TrimSpace(string(mustJSON(v))) }

func TestTenantsShareNothing(t *testing.T) {
	clk := newClock()
	a := newFake(t, clk)
	b := newFake(t, clk, clerktest.WithKey(key(1)))
	ca := newClient(t, fakeConfig(a, clk))
	cb := newClient(t, fakeConfig(b, clk))
	ctx := context.Background()
	if _, err := ca.VerifyToken(ctx, a.Token()); err != nil {
		t.Fatalf("A's token at A: %v", err)
	}
	if _, err := cb.VerifyToken(ctx, b.Token()); err != nil {
		t.Fatalf("B's token at B: %v", err)
	}
	_, err := ca.VerifyToken(ctx, b.Token())
	if !errors.Is(err, core.ErrInvalidCredentials) {
		t.Fatalf("B's token at A: %v, want invalid credentials", err)
	}
	// Even B's token under A's kid (same kid, B's key) fails at A.
	_, err = ca.VerifyToken(ctx, b.Token(clerktest.WithSigningKey(key(1), a.KeyID())))
	if core.ReasonOf(err) != core.ReasonTokenSignature {
		t.Fatalf("B-signed token with A's kid: %v", err)
	}
	if n := b.Requests(clerktest.EndpointJWKS); n != 1 {
		t.Fatalf("B's JWKS fetched %d times, want 1", n)
	}
}

func TestNetworklessPEM(t *testing.T) {
	clk := newClock()
	s := newFake(t, clk)
	c := newClient(t, core.Config{JWTKey: s.PublicKeyPEM(), Now: clk.Now})
	if _, err := c.VerifyToken(context.Background(), s.Token()); err != nil {
		t.Fatalf("verify with PEM: %v", err)
	}
	_, err := c.VerifyToken(context.Background(), s.Token(clerktest.WithSigningKey(key(1), "")))
	if core.ReasonOf(err) != core.ReasonTokenSignature {
		t.Fatalf("other key: %v", err)
	}
	if n := s.Requests(clerktest.EndpointJWKS) + s.Requests(clerktest.EndpointWellKnownJWKS); n != 0 {
		t.Fatalf("%d JWKS requests, want none", n)
	}
}

func TestFrontendJWKS(t *testing.T) {
	clk := newClock()
	s := newFake(t, clk)
	c := newClient(t, core.Config{ProxyURL: s.URL, Now: clk.Now, HTTPClient: s.Client()})
	if _, err := c.VerifyToken(context.Background(), s.Token()); err != nil {
		t.Fatalf("verify via frontend JWKS: %v", err)
	}
	if n := s.Requests(clerktest.EndpointWellKnownJWKS); n != 1 {
		t.Fatalf("frontend JWKS requests = %d, want 1", n)
	}
	if n := s.Requests(clerktest.EndpointJWKS); n != 0 {
		t.Fatalf("backend JWKS requests = %d, want 0", n)
	}
}

func TestClaimsModel(t *testing.T) {
	clk := newClock()
	s := newFake(t, clk)
	c := newClient(t, fakeConfig(s, clk))
	tok := s.Token(
		clerktest.WithSubject("user_1"),
		clerktest.WithFeatures("u:premium,uo:analytics"),
		clerktest.WithOrgMembership("org_1", "acme", "org:admin", "org:articles:read", "org:articles:manage", "org:billing:read"),
		clerktest.WithPlans("u:free,o:pro"),
		clerktest.WithActor("user_admin", "impersonation"),
		clerktest.WithFactorAge(3, -1),
		clerktest.WithClaim("tier", "gold"),
	)
	cl, err := c.VerifyToken(context.Background(), tok)
	if err != nil {
		t.Fatal(err)
	}
	if cl.Subject != "user_1" || cl.SessionID != s.SessionID() || cl.Version != 2 || cl.Status != "active" {
		t.Fatalf("basic claims: %+v", cl)
	}
	if cl.Org == nil || cl.Org.ID != "org_1" || cl.Org.Slug != "acme" || cl.Org.Role != "org:admin" {
		t.Fatalf("org: %+v", cl.Org)
	}
	wantPerms := []string{"org:articles:read", "org:articles:manage", "org:billing:read"}
	if strings.Join(cl.Org.Permissions, " ") != strings.Join(wantPerms, " ") {
		t.Fatalf("permissions = %v, want %v", cl.Org.Permissions, wantPerms)
	}
	if cl.Actor == nil || cl.Actor.Subject != "user_admin" || cl.Actor.Type != "impersonation" {
		t.Fatalf("actor: %+v", cl.Actor)
	}
	if cl.FactorAge == nil || cl.FactorAge.First != 3 || cl.FactorAge.Second != -1 {
		t.Fatalf("fva: %+v", cl.FactorAge)
	}
	if !cl.Expiry.Equal(clk.Now().Add(time.Minute)) || !cl.IssuedAt.Equal(clk.Now()) {
		t.Fatalf("times: exp %v iat %v", cl.Expiry, cl.IssuedAt)
	}
	type custom struct {
		Tier string `json:"tier"`
		Sub  string `json:"sub"`
	}
	cc, err := core.CustomClaims[custom](cl)
	if err != nil || cc.Tier != "gold" || cc.Sub != "user_1" {
		t.Fatalf("custom claims: %+v, %v", cc, err)
	}
	out, _ := json.Marshal(cl)
	if !strings.Contains(string(out), `"sub":"user_1"`) || !strings.Contains(string(out), `"tier":"gold"`) {
		t.Fatalf("claims JSON lacks Clerk names: %s", out)
	}

	checks := []struct {
		name  string
		check core.Check
		want  core.Reason
	}{
		{"role", core.Role("org:admin"), ""},
		{"role without prefix", core.Role("admin"), ""},
		{"other role", core.Role("org:member"), core.ReasonMissingRole},
		{"permission", core.Permission("org:articles:manage"), ""},
		{"permission of other feature", core.Permission("org:billing:manage"), core.ReasonMissingPermission},
		{"user feature", core.Feature("premium"), ""},
		{"user feature, user scope", core.Feature("user:premium"), ""},
		{"user feature, org scope", core.Feature("org:premium"), core.ReasonMissingFeature},
		{"org feature", core.Feature("org:articles"), ""},
		{"both-scoped feature", core.Feature("user:analytics"), ""},
		{"absent feature", core.Feature("sso"), core.ReasonMissingFeature},
		{"user plan", core.Plan("user:free"), ""},
		{"org plan", core.Plan("pro"), ""},
		{"absent plan", core.Plan("org:free"), core.ReasonMissingPlan},
		{"reverified first factor", core.Reverified(core.FirstFactor, 10*time.Minute), ""},
		{"first factor too old", core.Reverified(core.FirstFactor, 2*time.Minute), core.ReasonReverificationNeeded},
		{"second factor falls back to first", core.Reverified(core.SecondFactor, 10*time.Minute), ""},
		{"multi factor falls back to first", core.Reverified(core.MultiFactor, 10*time.Minute), ""},
		{"authorize", func(c *core.Claims) error { return core.Authorize(c, core.Role("org:admin"), core.Feature("premium")) }, ""},
		{"authorize, one fails", func(c *core.Claims) error { return core.Authorize(c, core.Role("org:admin"), core.Feature("sso")) }, core.ReasonMissingFeature},
		{"all pass", core.All(core.Role("org:admin"), core.Plan("pro")), ""},
		{"all, one fails", core.All(core.Role("org:admin"), core.Plan("enterprise")), core.ReasonMissingPlan},
	}
	for _, tt := range checks {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.check(cl)
			if got := core.ReasonOf(err); got != tt.want {
				t.Fatalf("reason = %q, want %q", got, tt.want)
			}
			if err != nil && !errors.Is(err, core.ErrForbidden) {
				t.Fatalf("%v is not ErrForbidden", err)
			}
		})
	}
}

func TestClaimsV1AndEdgeCases(t *testing.T) {
	clk := newClock()
	s := newFake(t, clk)
	c := newClient(t, fakeConfig(s, clk))
	tests := []struct {
		name      string
		opts      []clerktest.TokenOption
		role      string
		perms     string
		noOrg     bool
		noFactors bool
	}{
		{name: "v1 org claims", opts: []clerktest.TokenOption{clerktest.WithVersion(1), clerktest.WithOrgV1("org_1", "acme", "org:member", "org:docs:read")}, role: "org:member", perms: "org:docs:read"},
		{name: "no org", opts: nil, noOrg: true},
		{name: "fpm shorter than features", opts: []clerktest.TokenOption{clerktest.WithFeatures("o:a,o:b"), clerktest.WithOrgFPM("org_1", "x", "admin", []string{"read", "write"}, "2")}, role: "org:admin", perms: "org:a:write"},
		{name: "fpm garbage", opts: []clerktest.TokenOption{clerktest.WithFeatures("o:a"), clerktest.WithOrgFPM("org_1", "x", "admin", []string{"read"}, "x")}, role: "org:admin", perms: ""},
		{name: "user-only features give no org permission", opts: []clerktest.TokenOption{clerktest.WithFeatures("u:a,o:b"), clerktest.WithOrgFPM("org_1", "x", "admin", []string{"read"}, "1")}, role: "org:admin", perms: "org:b:read"},
		{name: "fva absent fails closed", opts: []clerktest.TokenOption{clerktest.WithoutClaim("fva")}, noOrg: true, noFactors: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cl, err := c.VerifyToken(context.Background(), s.Token(tt.opts...))
			if err != nil {
				t.Fatal(err)
			}
			if tt.noOrg {
				if cl.Org != nil {
					t.Fatalf("org = %+v, want nil", cl.Org)
				}
			} else if cl.Org.Role != tt.role || strings.Join(cl.Org.Permissions, ",") != tt.perms {
				t.Fatalf("org = %+v, want role %q perms %q", cl.Org, tt.role, tt.perms)
			}
			if tt.noFactors {
				if core.Reverified(core.FirstFactor, time.Hour)(cl) == nil {
					t.Fatal("reverification passed without fva")
				}
			}
		})
	}
}

func TestAuthorizeWithoutSession(t *testing.T) {
	err := core.Authorize(nil, core.Role("org:admin"))
	if core.ReasonOf(err) != core.ReasonTokenMissing || !errors.Is(err, core.ErrNoCredentials) {
		t.Fatalf("%v", err)
	}
}
