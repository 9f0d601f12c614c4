package clerktest

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"reflect"
	"strings"
	"testing"
	"time"
)

var fixedNow = time.Date(2026, 5, 12, 10, 0, 0, 0, time.UTC)

func TestTokenDefaultShape(t *testing.T) {
	s := newTestServer(t, WithClock(func() time.Time { return fixedNow }))
	tok := s.Token()
	pt := mustVerify(t, fetchJWKS(t, s, "/v1/jwks"), tok)

	wantHeader := map[string]any{"alg": "RS256", "cat": "cl_B7d4PD111AAA", "kid": s.KeyID(), "typ": "JWT"}
	if !reflect.DeepEqual(pt.header, wantHeader) {
		t.Errorf("header = %v, want %v", pt.header, wantHeader)
	}
	// The header is encoded with sorted keys, exactly like Clerk's.
	hb, _ := base64.RawURLEncoding.DecodeString(strings.Split(tok, ".")[0])
	if want := `{"alg":"RS256","cat":"cl_B7d4PD111AAA","kid":"` + s.KeyID() + `","typ":"JWT"}`; string(hb) != want {
		t.Errorf("header JSON = %s, want %s", hb, want)
	}
	if !strings.HasPrefix(s.KeyID(), "ins_") || s.KeyID() != s.InstanceID() {
		t.Errorf("kid %q, instance %q", s.KeyID(), s.InstanceID())
	}

	p := pt.payload
	iat := fixedNow.Unix()
	for k, want := range map[string]int64{"iat": iat, "exp": iat + 60, "nbf": iat - 10, "v": 2} {
		if got := num(t, p[k]); got != want {
			t.Errorf("%s = %d, want %d", k, got, want)
		}
	}
	u, ok := s.DefaultUser()
	if !ok {
		t.Fatal("no default user")
	}
	for k, want := range map[string]string{
		"azp": "http://localhost:3000", "iss": s.URL, "sid": s.SessionID(), "sts": "active", "sub": u.ID,
	} {
		if p[k] != want {
			t.Errorf("%s = %v, want %q", k, p[k], want)
		}
	}
	if !strings.HasPrefix(u.ID, "user_") || !strings.HasPrefix(s.SessionID(), "sess_") {
		t.Errorf("ids %q %q", u.ID, s.SessionID())
	}
	if jti, _ := p["jti"].(string); len(jti) < 16 {
		t.Errorf("jti = %v", p["jti"])
	}
	if fva, _ := json.Marshal(p["fva"]); string(fva) != "[0,-1]" {
		t.Errorf("fva = %s", fva)
	}
	if len(p) != 11 {
		t.Errorf("payload has %d claims, want 11: %v", len(p), p)
	}
	if s.Token() == tok {
		t.Error("two tokens are identical (jti should differ)")
	}
}

func TestTokenOptions(t *testing.T) {
	s := newTestServer(t, WithClock(func() time.Time { return fixedNow }))
	set := fetchJWKS(t, s, "/.well-known/jwks.json")
	iat := fixedNow.Add(-time.Hour)

	tests := []struct {
		name  string
		opts  []TokenOption
		check map[string]string // claim -> JSON
		gone  []string
	}{
		{"subject and session", []TokenOption{WithSubject("user_x"), WithSessionID("sess_y")},
			map[string]string{"sub": `"user_x"`, "sid": `"sess_y"`}, nil},
		{"azp", []TokenOption{WithAuthorizedPartyClaim("https://app.example")}, map[string]string{"azp": `"https://app.example"`}, nil},
		{"issued at moves exp and nbf", []TokenOption{WithIssuedAt(iat)},
			map[string]string{"iat": itoa(iat.Unix()), "exp": itoa(iat.Unix() + 60), "nbf": itoa(iat.Unix() - 10)}, nil},
		{"explicit exp and nbf win", []TokenOption{WithExpiry(iat.Add(time.Minute)), WithNotBefore(iat), WithIssuedAt(iat)},
			map[string]string{"exp": itoa(iat.Unix() + 60), "nbf": itoa(iat.Unix())}, nil},
		{"ttl", []TokenOption{WithTTL(-time.Second)}, map[string]string{"exp": itoa(fixedNow.Unix() - 1)}, nil},
		{"status", []TokenOption{WithStatus("pending")}, map[string]string{"sts": `"pending"`}, nil},
		{"factor age", []TokenOption{WithFactorAge(5, -1)}, map[string]string{"fva": `[5,-1]`}, nil},
		{"features plans", []TokenOption{WithFeatures("o:articles,u:premium"), WithPlans("u:free,o:pro")},
			map[string]string{"fea": `"o:articles,u:premium"`, "pla": `"u:free,o:pro"`}, nil},
		{"actor", []TokenOption{WithActor("user_admin", "impersonation")},
			map[string]string{"act": `{"sub":"user_admin","type":"impersonation"}`}, nil},
		{"org v2", []TokenOption{WithOrg("org_1", "acme", "org:admin", []string{"read", "manage"}, 3, 1)},
			map[string]string{"o": `{"fpm":"3,1","id":"org_1","per":"read,manage","rol":"admin","slg":"acme"}`}, nil},
		{"org v2 without permissions", []TokenOption{WithOrg("org_1", "acme", "member", nil)},
			map[string]string{"o": `{"id":"org_1","rol":"member","slg":"acme"}`}, nil},
		{"org raw fpm", []TokenOption{WithOrgFPM("org_1", "acme", "admin", []string{"read"}, "x")},
			map[string]string{"o": `{"fpm":"x","id":"org_1","per":"read","rol":"admin","slg":"acme"}`}, nil},
		{"org membership derives per fea fpm", []TokenOption{
			WithOrgMembership("org_1", "acme", "admin", "org:articles:read", "org:articles:manage", "org:billing:read")},
			map[string]string{
				"o":   `{"fpm":"3,1","id":"org_1","per":"read,manage","rol":"admin","slg":"acme"}`,
				"fea": `"o:articles,o:billing"`,
			}, nil},
		{"org membership keeps user features and their order", []TokenOption{
			WithFeatures("u:premium,o:billing"),
			WithOrgMembership("org_1", "acme", "admin", "org:articles:read", "org:billing:manage")},
			map[string]string{
				"o":   `{"fpm":"2,1","id":"org_1","per":"read,manage","rol":"admin","slg":"acme"}`,
				"fea": `"u:premium,o:billing,o:articles"`,
			}, nil},
		{"org v1", []TokenOption{WithOrgV1("org_1", "acme", "admin", "org:articles:read"), WithVersion(1)},
			map[string]string{"org_id": `"org_1"`, "org_slug": `"acme"`, "org_role": `"org:admin"`, "org_permissions": `["org:articles:read"]`},
			[]string{"v"}},
		{"custom claim overrides", []TokenOption{WithClaim("exp", "soon"), WithClaim("email", "a@b.c")},
			map[string]string{"exp": `"soon"`, "email": `"a@b.c"`}, nil},
		{"without claims", []TokenOption{WithoutClaim("exp"), WithoutClaim("sub")}, nil, []string{"exp", "sub"}},
		{"default azp can be removed", []TokenOption{WithoutClaim("azp")}, nil, []string{"azp"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pt := mustVerify(t, set, s.Token(tt.opts...))
			for k, want := range tt.check {
				got, _ := json.Marshal(pt.payload[k])
				if string(got) != want {
					t.Errorf("%s = %s, want %s", k, got, want)
				}
			}
			for _, k := range tt.gone {
				if _, ok := pt.payload[k]; ok {
					t.Errorf("%s present: %v", k, pt.payload[k])
				}
			}
		})
	}
}

func itoa(n int64) string { b, _ := json.Marshal(n); return string(b) }

func TestTokenHeaderAndKeyOptions(t *testing.T) {
	s := newTestServer(t)
	set := fetchJWKS(t, s, "/v1/jwks")
	other := testKeyB()

	tests := []struct {
		name       string
		opts       []TokenOption
		wantHeader map[string]any
		verifies   bool
	}{
		{"alg none keeps an RS256 signature", []TokenOption{WithHeader("alg", "none")},
			map[string]any{"alg": "none"}, true},
		{"crit", []TokenOption{WithHeader("crit", []string{"exp"})}, map[string]any{"crit": []any{"exp"}}, true},
		{"template category", []TokenOption{WithHeader("cat", "cl_B7d4PD222AAA")}, map[string]any{"cat": "cl_B7d4PD222AAA"}, true},
		{"no typ", []TokenOption{WithoutHeader("typ")}, map[string]any{"typ": nil}, true},
		{"key not in JWKS", []TokenOption{WithSigningKey(other, "ins_unknown")}, map[string]any{"kid": "ins_unknown"}, false},
		{"right kid wrong key", []TokenOption{WithSigningKey(other, "")}, map[string]any{"kid": s.KeyID()}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pt, err := verify(set, s.Token(tt.opts...))
			if (err == nil) != tt.verifies {
				t.Fatalf("verify err = %v, want verifies=%v", err, tt.verifies)
			}
			for k, want := range tt.wantHeader {
				if got := pt.header[k]; !reflect.DeepEqual(got, want) {
					t.Errorf("header %s = %#v, want %#v", k, got, want)
				}
			}
		})
	}

	t.Run("signing key in JWKS via AddKey", func(t *testing.T) {
		kid := s.AddKey(other, "")
		set := fetchJWKS(t, s, "/v1/jwks")
		mustVerify(t, set, s.Token(WithSigningKey(other, kid)))
		if !s.RemoveKey(kid) || s.RemoveKey(kid) {
			t.Error("RemoveKey")
		}
	})
}

func TestSignRawAndSign(t *testing.T) {
	s := newTestServer(t)
	set := fetchJWKS(t, s, "/v1/jwks")
	tok := s.Sign(map[string]any{"alg": "HS256", "kid": s.KeyID()}, map[string]any{"sub": "user_1"})
	pt := mustVerify(t, set, tok)
	if pt.header["alg"] != "HS256" || len(pt.payload) != 1 {
		t.Errorf("Sign added or changed fields: %v %v", pt.header, pt.payload)
	}
	raw := s.SignRaw([]byte(`{"alg":"RS256","kid":"`+s.KeyID()+`"}`), []byte(`{"sub":"a","sub":"b"}`))
	if _, err := verify(set, raw); err != nil {
		t.Errorf("SignRaw: %v", err)
	}
	pb, _ := base64.RawURLEncoding.DecodeString(strings.Split(raw, ".")[1])
	if string(pb) != `{"sub":"a","sub":"b"}` {
		t.Errorf("payload %s", pb)
	}
	if _, err := verify(set, SignWith(testKeyB(), map[string]any{"kid": s.KeyID()}, map[string]any{})); err == nil {
		t.Error("SignWith with a foreign key verified")
	}
}

func TestPublicKeyPEM(t *testing.T) {
	s := newTestServer(t)
	block, rest := pem.Decode([]byte(s.PublicKeyPEM()))
	if block == nil || block.Type != "PUBLIC KEY" || len(strings.TrimSpace(string(rest))) != 0 {
		t.Fatalf("bad PEM: %q", s.PublicKeyPEM())
	}
	pub, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	if !pub.(*rsa.PublicKey).Equal(&s.PrivateKey().PublicKey) {
		t.Error("PEM is not the signing key")
	}
}

func TestKeys(t *testing.T) {
	s := newTestServer(t)
	if got := s.PublishableKey(); !strings.HasPrefix(got, "pk_test_") {
		t.Fatalf("pk %q", got)
	} else if dec, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(got, "pk_test_")); err != nil || string(dec) != s.Host()+"$" {
		t.Errorf("pk decodes to %q (%v), want %q", dec, err, s.Host()+"$")
	}
	if !strings.HasPrefix(s.SecretKey(), "sk_test_") || len(s.SecretKey()) < 30 {
		t.Errorf("sk %q", s.SecretKey())
	}
	if s.Issuer() != s.URL || !strings.HasPrefix(s.URL, "http://127.0.0.1:") {
		t.Errorf("issuer %q url %q", s.Issuer(), s.URL)
	}
	s2 := newTestServer(t, WithIssuer("https://clerk.example.com"), WithSecretKey("sk_test_x"), WithAuthorizedParty(""))
	p := mustVerify(t, fetchJWKS(t, s2, "/v1/jwks"), s2.Token()).payload
	if p["iss"] != "https://clerk.example.com" || s2.SecretKey() != "sk_test_x" {
		t.Errorf("options ignored: %v", p)
	}
	if _, ok := p["azp"]; ok {
		t.Error("azp present with WithAuthorizedParty(\"\")")
	}
	if s.InstanceID() == s2.InstanceID() || s.SecretKey() == s2.SecretKey() {
		t.Error("two servers share identity")
	}
}

func TestJWKSShape(t *testing.T) {
	s := newTestServer(t)
	for _, path := range []string{"/v1/jwks", "/.well-known/jwks.json"} {
		resp, body := do(t, s, "GET", path, true, "")
		if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("%s content type %q", path, ct)
		}
		var doc map[string][]map[string]any
		if err := json.Unmarshal(body, &doc); err != nil || len(doc["keys"]) != 1 {
			t.Fatalf("%s body %s", path, body)
		}
		k := doc["keys"][0]
		want := map[string]any{"use": "sig", "kty": "RSA", "kid": s.KeyID(), "alg": "RS256", "e": "AQAB"}
		for f, v := range want {
			if k[f] != v {
				t.Errorf("%s %s = %v, want %v", path, f, k[f], v)
			}
		}
		if n, _ := k["n"].(string); strings.ContainsAny(n, "=+/") || len(n) != 342 {
			t.Errorf("n is not base64url of 256 bytes without padding: %q", n)
		}
	}
}

func TestJWKSAuth(t *testing.T) {
	s := newTestServer(t)
	tests := []struct {
		name, path, auth string
		want             int
		code             string
	}{
		{"backend with key", "/v1/jwks", "Bearer " + s.SecretKey(), 200, ""},
		{"scheme case-insensitive", "/v1/jwks", "bearer " + s.SecretKey(), 200, ""},
		{"backend without key", "/v1/jwks", "", 401, "authorization_header_format_invalid"},
		{"backend wrong key", "/v1/jwks", "Bearer sk_test_wrong", 401, "clerk_key_invalid"},
		{"backend basic", "/v1/jwks", "Basic " + s.SecretKey(), 401, "authorization_header_format_invalid"},
		{"frontend public", "/.well-known/jwks.json", "", 200, ""},
		{"unknown v1 route needs key", "/v1/nothing", "", 401, "authorization_header_format_invalid"},
		{"unknown v1 route", "/v1/nothing", "Bearer " + s.SecretKey(), 404, "resource_not_found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := newRequest(s, "GET", tt.path, "")
			if tt.auth != "" {
				req.Header.Set("Authorization", tt.auth)
			}
			resp, body := send(t, s, req)
			if resp.StatusCode != tt.want {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tt.want, body)
			}
			if resp.Header.Get("Content-Type") != "application/json" {
				t.Errorf("content type %q", resp.Header.Get("Content-Type"))
			}
			if tt.code != "" {
				er := decodeErrors(t, body)
				if er.Errors[0].Code != tt.code {
					t.Errorf("code %q, want %q", er.Errors[0].Code, tt.code)
				}
				if resp.Header.Get(TraceIDHeader) != er.ClerkTraceID {
					t.Errorf("trace header %q != body %q", resp.Header.Get(TraceIDHeader), er.ClerkTraceID)
				}
			}
		})
	}
}

func TestRotation(t *testing.T) {
	s := newTestServer(t)
	old := s.KeyID()
	oldTok := s.Token()
	kid := s.RotateKeyWith(testKeyB())
	if kid == old || s.KeyID() != kid || !strings.HasPrefix(kid, "ins_") {
		t.Fatalf("rotate: old %q new %q current %q", old, kid, s.KeyID())
	}
	newTok := s.Token()
	set := fetchJWKS(t, s, "/v1/jwks")
	if got := s.KeyIDs(); !reflect.DeepEqual(got, []string{old, kid}) || len(set.Keys) != 2 {
		t.Fatalf("kids %v, served %d", got, len(set.Keys))
	}
	mustVerify(t, set, oldTok)
	if pt := mustVerify(t, set, newTok); pt.header["kid"] != kid {
		t.Errorf("new token kid %v", pt.header["kid"])
	}
	s.RemoveKey(old)
	set = fetchJWKS(t, s, "/v1/jwks")
	if _, err := verify(set, oldTok); err == nil {
		t.Error("token of a removed key still verifies")
	}
	mustVerify(t, set, newTok)
	// Removing the current key: tokens still minted, no longer verifiable.
	s.RemoveKey(kid)
	if set = fetchJWKS(t, s, "/v1/jwks"); len(set.Keys) != 0 {
		t.Errorf("keys left: %v", set.Keys)
	}
	if _, err := verify(set, s.Token()); err == nil {
		t.Error("verified without keys")
	}
}
