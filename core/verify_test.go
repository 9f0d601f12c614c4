package core_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math/big"
	"net/http"
	"net/http/httptest"
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
	hdrJSON := `{"alg":"RS256","cat":"cl_B7d4PD111AAA","kid":"` + s.KeyID() + `","typ":"JWT"}`
	payloadJSON := string(mustJSON(map[string]any{"sub": s.DefaultUserID(), "exp": now.Add(time.Minute).Unix(), "iat": now.Unix(), "iss": s.Issuer()}))
	raw := func(header, payload string) string { return s.SignRaw([]byte(header), []byte(payload)) }

	tests := []struct {
		name  string
		token string
		want  core.Reason // "" means accepted
	}{
		{"valid", valid, ""},
		{"alg none with RS256 signature", s.Token(clerktest.WithHeader("alg", "none")), core.ReasonTokenInvalidAlgorithm},
		{"alg HS256 with RS256 signature", s.Token(clerktest.WithHeader("alg", "HS256")), core.ReasonTokenInvalidAlgorithm},
		{"alg missing", s.Token(clerktest.WithoutHeader("alg")), core.ReasonTokenInvalidAlgorithm},
		{"alg RS384 but key is RS256", s.Token(clerktest.WithHeader("alg", "RS384")), core.ReasonTokenInvalidAlgorithm},
		{"alg of wrong type", s.Token(clerktest.WithHeader("alg", 256)), core.ReasonTokenMalformed},
		{"HS256 keyed with the public key", hs256WithPublicKey(s, string(mustJSON(map[string]any{"sub": "user_x", "exp": now.Add(time.Minute).Unix()}))), core.ReasonTokenInvalidAlgorithm},
		{"typ not JWT", s.Token(clerktest.WithHeader("typ", "JOSE")), core.ReasonTokenInvalidType},
		{"typ of an OAuth access token", s.Token(clerktest.WithHeader("typ", "at+jwt")), core.ReasonTokenTypeNotAccepted},
		{"typ absent", s.Token(clerktest.WithoutHeader("typ")), ""},
		{"kid missing", s.Token(clerktest.WithoutHeader("kid")), core.ReasonTokenMissingKID},
		{"kid empty", s.Token(clerktest.WithHeader("kid", "")), core.ReasonTokenMissingKID},
		{"crit header", s.Token(clerktest.WithHeader("crit", []string{"exp"})), core.ReasonTokenUnsupportedCriticalHeader},
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
		{"payload swapped", parts[0] + "." + strings.Split(other, ".")[1] + "." + parts[2], core.ReasonTokenInvalidSignature},
		{"signature truncated", parts[0] + "." + parts[1] + "." + parts[2][:40], core.ReasonTokenInvalidSignature},
		{"right kid, wrong key", s.Token(clerktest.WithSigningKey(key(1), "")), core.ReasonTokenInvalidSignature},
		{"exp missing", s.Token(clerktest.WithoutClaim("exp")), core.ReasonTokenMissingExpiry},
		{"exp null", s.Token(clerktest.WithClaim("exp", nil)), core.ReasonTokenMissingExpiry},
		{"exp string", s.Token(clerktest.WithClaim("exp", "9999999999")), core.ReasonTokenMissingExpiry},
		{"iat string", s.Token(clerktest.WithClaim("iat", "1")), core.ReasonTokenMalformed},
		{"nbf string", s.Token(clerktest.WithClaim("nbf", "1")), core.ReasonTokenMalformed},
		{"sub missing", s.Token(clerktest.WithoutClaim("sub")), core.ReasonTokenInvalidSubject},
		{"sub empty", s.Token(clerktest.WithSubject("")), core.ReasonTokenInvalidSubject},
		{"sub number", s.Token(clerktest.WithClaim("sub", 42)), core.ReasonTokenInvalidSubject},
		{"payload not an object", s.Token(clerktest.WithClaim("o", "x")), core.ReasonTokenMalformed},
		{"expired", s.Token(clerktest.WithIssuedAt(now.Add(-2 * time.Minute))), core.ReasonTokenExpired},
		{"exp at now-skew is expired", s.Token(clerktest.WithExpiry(now.Add(-skew))), core.ReasonTokenExpired},
		{"exp just after now-skew", s.Token(clerktest.WithExpiry(now.Add(-skew + time.Second))), ""},
		{"nbf beyond skew", s.Token(clerktest.WithNotBefore(now.Add(skew + time.Second))), core.ReasonTokenNotActiveYet},
		{"nbf within skew", s.Token(clerktest.WithNotBefore(now.Add(skew))), ""},
		{"iat beyond skew", s.Token(clerktest.WithIssuedAt(now.Add(skew+time.Second)), clerktest.WithNotBefore(now)), core.ReasonTokenIATInTheFuture},
		{"iat within skew", s.Token(clerktest.WithIssuedAt(now.Add(skew)), clerktest.WithNotBefore(now)), ""},
		{"wrong issuer", s.Token(clerktest.WithClaim("iss", "https://evil.example")), core.ReasonTokenInvalidIssuer},
		{"issuer with trailing slash", s.Token(clerktest.WithClaim("iss", s.Issuer()+"/")), core.ReasonTokenInvalidIssuer},
		{"pending session", s.Token(clerktest.WithStatus("pending")), core.ReasonSessionPending},
		{"any azp when none configured", s.Token(clerktest.WithAuthorizedPartyClaim("https://other.example")), ""},

		// One signed token, one spelling.
		{"standard-alphabet base64", stdAlphabet(valid), core.ReasonTokenMalformed},
		{"newline inside a segment", parts[0][:8] + "\n" + parts[0][8:] + "." + parts[1] + "." + parts[2], core.ReasonTokenMalformed},
		{"CR LF at the end", valid + "\r\n", core.ReasonTokenMalformed},
		{"space before", " " + valid, core.ReasonTokenMalformed},
		{"stray trailing bits", parts[0] + "." + parts[1] + "." + strayBits(parts[2]), core.ReasonTokenMalformed},
		{"segment of impossible length", parts[0] + "." + parts[1] + "." + parts[2] + "AAA", core.ReasonTokenMalformed},
		{"empty header", "." + parts[1] + "." + parts[2], core.ReasonTokenMalformed},

		// JSON: exact names, no repeats, no nulls for registered members.
		{"header repeats kid", raw(`{"alg":"RS256","kid":"ins_other","kid":"`+s.KeyID()+`","typ":"JWT"}`, payloadJSON), core.ReasonTokenMalformed},
		{"header with trailing bytes", raw(`{"alg":"RS256","kid":"`+s.KeyID()+`"} x`, payloadJSON), core.ReasonTokenMalformed},
		{"header repeats alg", raw(`{"alg":"none","alg":"RS256","kid":"`+s.KeyID()+`"}`, payloadJSON), core.ReasonTokenMalformed},
		{"payload repeats sub", raw(hdrJSON, strings.Replace(payloadJSON, `"sub":`, `"sub":"user_evil","sub":`, 1)), core.ReasonTokenMalformed},
		{"payload repeats exp", raw(hdrJSON, strings.Replace(payloadJSON, `"exp":`, `"exp":1,"exp":`, 1)), core.ReasonTokenMalformed},
		{"sub with invalid UTF-8", raw(hdrJSON, strings.Replace(payloadJSON, `"sub":"`, "\"sub\":\"\xff", 1)), core.ReasonTokenInvalidSubject},
		{"custom claim with invalid UTF-8", raw(hdrJSON, strings.Replace(payloadJSON, `"sub":`, "\"x\":\"\xff\",\"sub\":", 1)), core.ReasonTokenMalformed},
		{"Sub is not sub", s.Token(clerktest.WithoutClaim("sub"), clerktest.WithClaim("Sub", "user_x")), core.ReasonTokenInvalidSubject},
		{"EXP is not exp", s.Token(clerktest.WithoutClaim("exp"), clerktest.WithClaim("EXP", now.Add(time.Hour).Unix())), core.ReasonTokenMissingExpiry},
		{"Alg is not alg", s.Token(clerktest.WithoutHeader("alg"), clerktest.WithHeader("Alg", "RS256")), core.ReasonTokenInvalidAlgorithm},
		{"alg null", s.Token(clerktest.WithHeader("alg", nil)), core.ReasonTokenMalformed},
		{"typ null", s.Token(clerktest.WithHeader("typ", nil)), core.ReasonTokenInvalidType},
		{"kid null", s.Token(clerktest.WithHeader("kid", nil)), core.ReasonTokenMissingKID},
		{"cat null", s.Token(clerktest.WithHeader("cat", nil)), core.ReasonTokenNotSession},
		{"b64 header", s.Token(clerktest.WithHeader("b64", false)), core.ReasonTokenUnsupportedCriticalHeader},
		{"sub null", s.Token(clerktest.WithClaim("sub", nil)), core.ReasonTokenInvalidSubject},
		{"iat null", s.Token(clerktest.WithClaim("iat", nil)), core.ReasonTokenMalformed},
		{"nbf null", s.Token(clerktest.WithClaim("nbf", nil)), core.ReasonTokenMalformed},
		{"sid null", s.Token(clerktest.WithClaim("sid", nil)), core.ReasonTokenMalformed},
		{"azp null", s.Token(clerktest.WithClaim("azp", nil)), core.ReasonTokenMalformed},
		{"iss null", s.Token(clerktest.WithClaim("iss", nil)), core.ReasonTokenMalformed},
		{"aud null", s.Token(clerktest.WithClaim("aud", nil)), core.ReasonTokenMalformed},
		{"sts null is absent", s.Token(clerktest.WithClaim("sts", nil)), ""},
		{"fva null is absent", s.Token(clerktest.WithClaim("fva", nil)), ""},
		{"o null is absent", s.Token(clerktest.WithClaim("o", nil)), ""},
		{"fractional exp", s.Token(clerktest.WithClaim("exp", float64(now.Add(time.Hour).Unix())+0.5)), core.ReasonTokenMissingExpiry},
		{"exp beyond year 9999", s.Token(clerktest.WithClaim("exp", 1e300)), core.ReasonTokenMissingExpiry},
		{"negative iat", s.Token(clerktest.WithClaim("iat", -1)), core.ReasonTokenMalformed},
		{"integral exp in exponent form", s.Token(clerktest.WithClaim("exp", json.Number(strings.Replace(itoa(now.Add(time.Hour).Unix()), "00", "", 1)+"e2"))), ""},
		{"fea entry without scope", s.Token(clerktest.WithFeatures("o:a,b")), core.ReasonTokenMalformed},
		{"v of wrong type", s.Token(clerktest.WithClaim("v", "2")), core.ReasonTokenMalformed},

		// Machines and other categories are never sessions.
		{"machine subject", s.Token(clerktest.WithSubject("mch_2abc")), core.ReasonTokenTypeNotAccepted},
		{"machine subject without category", s.Token(clerktest.WithSubject("mch_2abc"), clerktest.WithoutHeader("cat")), core.ReasonTokenTypeNotAccepted},
		{"M2M category", s.Token(clerktest.WithHeader("cat", "cl_B7d4PD333AAA")), core.ReasonTokenTypeNotAccepted},
		{"an API key", "ak_" + strings.Repeat("a", 40), core.ReasonTokenTypeNotAccepted},
		{"an M2M token", "mt_" + strings.Repeat("a", 40), core.ReasonTokenTypeNotAccepted},
		{"an OAuth token", "oat_" + strings.Repeat("a", 40), core.ReasonTokenTypeNotAccepted},
		{"category of wrong type", s.Token(clerktest.WithHeader("cat", 7)), core.ReasonTokenNotSession},
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

// stdAlphabet spells a token in the standard base64 alphabet, forcing at
// least one '+' or '/' so the spelling differs.
func stdAlphabet(tok string) string {
	out := strings.NewReplacer("-", "+", "_", "/").Replace(tok)
	if out == tok {
		out = strings.Replace(tok, "A", "+", 1)
	}
	return out
}

// strayBits sets unused low bits in the last character of a segment whose
// length leaves some (a 256-byte signature encodes to 342 characters).
func strayBits(seg string) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	i := strings.IndexByte(alphabet, seg[len(seg)-1])
	return seg[:len(seg)-1] + string(alphabet[i|1])
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
		{"azp not allowed", func(c *core.Config) { c.AuthorizedParties = []string{"https://a.example"} }, s.Token(), core.ReasonTokenInvalidAuthorizedParty},
		{"azp missing", func(c *core.Config) { c.AuthorizedParties = []string{"https://a.example"} }, s.Token(clerktest.WithoutClaim("azp")), core.ReasonTokenInvalidAuthorizedParty},
		{"azp is compared exactly", func(c *core.Config) { c.AuthorizedParties = []string{s.AuthorizedParty()} }, s.Token(clerktest.WithAuthorizedPartyClaim(s.AuthorizedParty() + "/")), core.ReasonTokenInvalidAuthorizedParty},
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

// credentials are the headers of a request, for authenticate.
type credentials struct {
	Authorization, Cookie string
	SessionKey            string // the session cookie's name; "": the default
}

// authenticate sends a request with cr's headers through an Authenticator
// of c (default extractors, the user fetch off) and returns its session.
func authenticate(t testing.TB, c *core.Client, cr credentials) (*core.Claims, error) {
	t.Helper()
	a, err := core.NewAuthenticator(core.Options{Client: c, SkipUserFetch: true, SessionKey: cr.SessionKey})
	if err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	if cr.Authorization != "" {
		r.Header.Set("Authorization", cr.Authorization)
	}
	if cr.Cookie != "" {
		r.Header.Set("Cookie", cr.Cookie)
	}
	auth, err := a.Authenticate(context.Background(), core.HTTPRequest(r))
	if err != nil {
		return nil, err
	}
	return auth.Session, nil
}

func TestAuthenticateCredentials(t *testing.T) {
	clk := newClock()
	s := newFake(t, clk)
	c := newClient(t, fakeConfig(s, clk))
	tok := s.Token()
	iat := clk.Now().Unix()
	uat := func(v int64) string { return "; __client_uat=" + itoa(v) }
	active := uat(iat - 100)
	tests := []struct {
		name string
		cr   credentials
		want core.Reason
	}{
		{"bearer", credentials{Authorization: "Bearer " + tok}, ""},
		{"bearer lower case", credentials{Authorization: "bearer " + tok}, ""},
		{"bearer extra spaces", credentials{Authorization: "  Bearer   " + tok + " "}, ""},
		{"bare token", credentials{Authorization: tok}, ""},
		{"nothing", credentials{}, core.ReasonTokenMissing},
		{"basic is ignored", credentials{Authorization: "Basic dXNlcjpwYXNz"}, core.ReasonTokenMissing},
		{"basic then cookie", credentials{Authorization: "Basic dXNlcjpwYXNz", Cookie: "__session=" + tok + active}, ""},
		{"empty bearer", credentials{Authorization: "Bearer "}, core.ReasonTokenMissing},
		{"cookie", credentials{Cookie: "a=b; __session=" + tok + "; c=d" + active}, ""},
		{"quoted cookie", credentials{Cookie: `__session="` + tok + `"` + active}, ""},
		{"first of two session cookies", credentials{Cookie: "__session=" + tok + "; __session=garbage" + active}, ""},
		{"bad header never falls back", credentials{Authorization: "Bearer garbage", Cookie: "__session=" + tok + active}, core.ReasonTokenMalformed},
		{"custom session key", credentials{Cookie: "my_session=" + tok + active, SessionKey: "my_session"}, ""},
		{"default cookie ignored with custom key", credentials{Cookie: "__session=" + tok + active, SessionKey: "my_session"}, core.ReasonTokenMissing},
		{"cookie without client_uat: signed out", credentials{Cookie: "__session=" + tok}, core.ReasonSessionTokenButNoClientUAT},
		{"empty client_uat: signed out", credentials{Cookie: "__session=" + tok + "; __client_uat="}, core.ReasonSessionTokenButNoClientUAT},
		{"client_uat older than iat", credentials{Cookie: "__session=" + tok + uat(iat-100)}, ""},
		{"client_uat equal to iat", credentials{Cookie: "__session=" + tok + uat(iat)}, ""},
		{"client_uat newer than iat", credentials{Cookie: "__session=" + tok + uat(iat+1)}, core.ReasonTokenStale},
		{"client_uat zero: signed out", credentials{Cookie: "__session=" + tok + uat(0)}, core.ReasonSessionTokenButNoClientUAT},
		{"client_uat negative: signed out", credentials{Cookie: "__session=" + tok + uat(-5)}, core.ReasonSessionTokenButNoClientUAT},
		{"client_uat garbage: signed out", credentials{Cookie: "__session=" + tok + "; __client_uat=12x"}, core.ReasonSessionTokenButNoClientUAT},
		{"client_uat alone is no token", credentials{Cookie: active[2:]}, core.ReasonTokenMissing},
		{"header token ignores client_uat", credentials{Authorization: "Bearer " + tok, Cookie: uat(iat + 100)[2:]}, ""},
		{"header token needs no client_uat", credentials{Authorization: "Bearer " + tok}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := authenticate(t, c, tt.cr)
			if got := core.ReasonOf(err); got != tt.want {
				t.Fatalf("reason = %q (%v), want %q", got, err, tt.want)
			}
		})
	}

	t.Run("AllowCookieWithoutClientUAT", func(t *testing.T) {
		cfg := fakeConfig(s, clk)
		cfg.AllowCookieWithoutClientUAT = true
		c := newClient(t, cfg)
		for cookie, want := range map[string]core.Reason{
			"__session=" + tok:              "",
			"__session=" + tok + uat(0):     core.ReasonSessionTokenButNoClientUAT,
			"__session=" + tok + active:     "",
			"__session=" + tok + uat(iat+1): core.ReasonTokenStale,
		} {
			_, err := authenticate(t, c, credentials{Cookie: cookie})
			if got := core.ReasonOf(err); got != want {
				t.Errorf("%.40s...: reason = %q, want %q", cookie, got, want)
			}
		}
	})
}

// TestSuffixedCookies follows Clerk's choice between the plain session
// cookies and the suffixed ones (__session_<suffix>, set when several Clerk
// apps share a domain): each row says which of two tokens of different
// users is verified.
func TestSuffixedCookies(t *testing.T) {
	clk := newClock()
	s := newFake(t, clk)
	now := clk.Now()
	for _, instance := range []string{"production", "development"} {
		cfg := fakeConfig(s, clk)
		pk := s.PublishableKey()
		if instance == "production" {
			pk = strings.Replace(pk, "pk_test_", "pk_live_", 1)
		}
		cfg.PublishableKey = pk
		c := newClient(t, cfg)
		sum := sha1.Sum([]byte(pk))
		sfx := base64.URLEncoding.EncodeToString(sum[:])[:8] // @clerk/shared getCookieSuffix
		plainTok := s.Token(clerktest.WithSubject("user_plain"))
		suffixedTok := s.Token(clerktest.WithSubject("user_suffixed"))
		olderSuffixed := s.Token(clerktest.WithSubject("user_suffixed"), clerktest.WithIssuedAt(now.Add(-30*time.Second)))
		expiredSuffixed := s.Token(clerktest.WithSubject("user_suffixed"), clerktest.WithIssuedAt(now.Add(-10*time.Minute)))
		foreign := s.Token(clerktest.WithSubject("user_plain"), clerktest.WithClaim("iss", "https://other.clerk.accounts.dev"))
		noIss := s.Token(clerktest.WithSubject("user_plain"), clerktest.WithoutClaim("iss"))
		uat := itoa(now.Unix() - 60)
		plain := func(tok, uatv string) string { return "__session=" + tok + "; __client_uat=" + uatv }
		suffixed := func(tok, uatv string) string {
			out := "__client_uat_" + sfx + "=" + uatv
			if tok != "" {
				out += "; __session_" + sfx + "=" + tok
			}
			return out
		}
		tests := []struct {
			name   string
			cookie string
			sub    string      // the user verified, or ""
			want   core.Reason // when sub is ""
		}{
			{"plain only", plain(plainTok, uat), "user_plain", ""},
			{"suffixed only", suffixed(suffixedTok, uat), "user_suffixed", ""},
			{"both signed in, suffixed not older", plain(olderSuffixed, uat) + "; " + suffixed(suffixedTok, uat), "user_suffixed", ""},
			{"both signed in, plain newer", plain(plainTok, uat) + "; " + suffixed(olderSuffixed, uat), "user_plain", ""},
			{"plain cookie of another instance", plain(foreign, uat) + "; " + suffixed(suffixedTok, uat), "user_suffixed", ""},
			{"plain cookie without iss", plain(noIss, uat) + "; " + suffixed(suffixedTok, uat), "", core.ReasonTokenInvalidIssuer},
			{"suffixed signed out, plain signed in", plain(plainTok, uat) + "; " + suffixed(suffixedTok, "0"), "user_plain", ""},
			{"suffixed session without suffixed client_uat", plain(plainTok, uat) + "; __session_" + sfx + "=" + suffixedTok, "user_plain", ""},
			{"suffixed client_uat only, plain newer", plain(plainTok, uat) + "; " + suffixed("", uat), "user_plain", ""},
			{"suffixed client_uat only", suffixed("", uat), "", core.ReasonTokenMissing},
		}
		if instance == "development" {
			tests = append(tests, struct {
				name   string
				cookie string
				sub    string
				want   core.Reason
			}{"development: expired suffixed token, plain signed out", plain(plainTok, "0") + "; " + suffixed(expiredSuffixed, uat), "", core.ReasonSessionTokenButNoClientUAT})
		} else {
			tests = append(tests, struct {
				name   string
				cookie string
				sub    string
				want   core.Reason
			}{"production: expired suffixed token, plain signed out", plain(plainTok, "0") + "; " + suffixed(expiredSuffixed, uat), "", core.ReasonTokenExpired})
		}
		for _, tt := range tests {
			t.Run(instance+"/"+tt.name, func(t *testing.T) {
				claims, err := authenticate(t, c, credentials{Cookie: tt.cookie})
				if tt.sub == "" {
					if got := core.ReasonOf(err); got != tt.want {
						t.Fatalf("reason = %q (%v), want %q", got, err, tt.want)
					}
					return
				}
				if err != nil || claims.Subject != tt.sub {
					t.Fatalf("verified %v (%v), want %s", claims, err, tt.sub)
				}
			})
		}
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
	// Within A's refetch cooldown, an unknown kid of A's own issuer could be
	// a key A just rotated in (503, retry later); B's token has B's iss, so
	// it is unknown at once (TestPendingKidOfAnotherIssuer), and after the
	// cooldown too.
	_, err := ca.VerifyToken(ctx, b.Token())
	if core.ReasonOf(err) != core.ReasonTokenUnknownKID {
		t.Fatalf("B's token at A in the cooldown: %v, want token-unknown-kid", err)
	}
	clk.Advance(31 * time.Second)
	_, err = ca.VerifyToken(ctx, b.Token())
	if !errors.Is(err, core.ErrInvalidCredentials) {
		t.Fatalf("B's token at A: %v, want invalid credentials", err)
	}
	// Even B's token under A's kid (same kid, B's key) fails at A.
	_, err = ca.VerifyToken(ctx, b.Token(clerktest.WithSigningKey(key(1), a.KeyID())))
	if core.ReasonOf(err) != core.ReasonTokenInvalidSignature {
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
	if core.ReasonOf(err) != core.ReasonTokenInvalidSignature {
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
		{"org feature, o scope", core.Feature("o:articles"), ""},
		{"org feature, organization scope", core.Feature("organization:articles"), ""},
		{"user feature, u scope", core.Feature("u:premium"), ""},
		{"unknown scope matches nothing", core.Feature("team:premium"), core.ReasonMissingFeature},
		{"permission without org prefix", core.Permission("articles:manage"), ""},
		{"user plan", core.Plan("user:free"), ""},
		{"org plan", core.Plan("pro"), ""},
		{"absent plan", core.Plan("org:free"), core.ReasonMissingPlan},
		{"reverified first factor", core.Reverified(core.FirstFactor, 10*time.Minute), ""},
		{"first factor too old", core.Reverified(core.FirstFactor, 2*time.Minute), core.ReasonReverificationRequired},
		{"second factor falls back to first", core.Reverified(core.SecondFactor, 10*time.Minute), ""},
		{"multi factor falls back to first", core.Reverified(core.MultiFactor, 10*time.Minute), ""},
		{"authorize", func(a *core.Auth) error { return core.Authorize(a, core.Role("org:admin"), core.Feature("premium")) }, ""},
		{"authorize, one fails", func(a *core.Auth) error { return core.Authorize(a, core.Role("org:admin"), core.Feature("sso")) }, core.ReasonMissingFeature},
		{"scope fails on a session", core.Scope("read"), core.ReasonMissingScope},
		{"all pass", core.All(core.Role("org:admin"), core.Plan("pro")), ""},
		{"all, one fails", core.All(core.Role("org:admin"), core.Plan("enterprise")), core.ReasonMissingPlan},
	}
	for _, tt := range checks {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.check(&core.Auth{Kind: core.SessionToken, Subject: cl.Subject, Session: cl})
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
		{name: "fva out of range fails closed", opts: []clerktest.TokenOption{clerktest.WithClaim("fva", []int{-5, 3})}, noOrg: true, noFactors: true},
		{name: "fva of three numbers fails closed", opts: []clerktest.TokenOption{clerktest.WithClaim("fva", []int{1, 1, 1})}, noOrg: true, noFactors: true},
		{name: "v2 ignores v1 org claims", opts: []clerktest.TokenOption{clerktest.WithOrgV1("org_1", "acme", "org:member")}, noOrg: true},
		{name: "v1 ignores o", opts: []clerktest.TokenOption{clerktest.WithVersion(1), clerktest.WithOrgMembership("org_1", "acme", "admin", "org:a:read")}, noOrg: true},
		{name: "v3 reads the v1 claims", opts: []clerktest.TokenOption{clerktest.WithVersion(3), clerktest.WithOrgV1("org_1", "acme", "org:member", "org:docs:read")}, role: "org:member", perms: "org:docs:read"},
		{name: "fpm mask beyond 64 bits", opts: []clerktest.TokenOption{clerktest.WithFeatures("o:big"), clerktest.WithOrgFPM("org_1", "x", "admin", manyPerms(70), bigMask(0, 69))}, role: "org:admin", perms: "org:big:p0,org:big:p69"},
		{name: "unknown scope pairs with no mask", opts: []clerktest.TokenOption{clerktest.WithFeatures("x:a,o:b"), clerktest.WithOrgFPM("org_1", "x", "admin", []string{"read"}, "1")}, role: "org:admin", perms: "org:b:read"},
		{name: "ou and uo scopes are org scopes", opts: []clerktest.TokenOption{clerktest.WithFeatures("ou:a,u:c,uo:b"), clerktest.WithOrgFPM("org_1", "x", "admin", []string{"read", "write"}, "1,2")}, role: "org:admin", perms: "org:a:read,org:b:write"},
		{name: "more masks than features", opts: []clerktest.TokenOption{clerktest.WithFeatures("o:a"), clerktest.WithOrgFPM("org_1", "x", "admin", []string{"read"}, "1,1,1")}, role: "org:admin", perms: "org:a:read"},
		{name: "mask with a sign grants nothing", opts: []clerktest.TokenOption{clerktest.WithFeatures("o:a"), clerktest.WithOrgFPM("org_1", "x", "admin", []string{"read"}, "+1")}, role: "org:admin", perms: ""},
		{name: "v2 org without id", opts: []clerktest.TokenOption{clerktest.WithOrg("", "x", "admin", nil)}, noOrg: true},
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
				if core.Reverified(core.FirstFactor, time.Hour)(&core.Auth{Session: cl}) == nil {
					t.Fatal("reverification passed without fva")
				}
			}
		})
	}
}

func manyPerms(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = "p" + itoa(int64(i))
	}
	return out
}

// bigMask is the decimal bit mask with the given bits set.
func bigMask(bits ...int) string {
	m := new(big.Int)
	for _, b := range bits {
		m.SetBit(m, b, 1)
	}
	return m.String()
}

// TestCustomClaimsExactNames checks that Decode and CustomClaims read the
// payload as verification does: a claim "Tier" does not fill `json:"tier"`.
func TestCustomClaimsExactNames(t *testing.T) {
	clk := newClock()
	s := newFake(t, clk)
	c := newClient(t, fakeConfig(s, clk))
	cl, err := c.VerifyToken(context.Background(), s.Token(clerktest.WithClaim("Tier", "gold"), clerktest.WithClaim("plan", "pro")))
	if err != nil {
		t.Fatal(err)
	}
	type custom struct {
		Tier string `json:"tier"`
		Plan string `json:"plan"`
		Sub  string
	}
	got, err := core.CustomClaims[custom](cl)
	if err != nil {
		t.Fatal(err)
	}
	if got.Tier != "" || got.Plan != "pro" || got.Sub != "" {
		t.Fatalf("custom claims %+v: want only plan (exact names)", got)
	}
	var nilClaims *core.Claims
	if _, err := core.CustomClaims[custom](nilClaims); err == nil {
		t.Fatal("CustomClaims of nil claims: no error")
	}
}

func TestAuthorizeWithoutSession(t *testing.T) {
	err := core.Authorize(nil, core.Role("org:admin"))
	if core.ReasonOf(err) != core.ReasonTokenMissing || !errors.Is(err, core.ErrNoCredentials) {
		t.Fatalf("%v", err)
	}
}
