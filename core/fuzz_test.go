package core

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	jsonv2 "github.com/go-json-experiment/json"
)

// FuzzParseJWS feeds arbitrary strings to the JWS parser: it must never
// panic, and whatever it accepts must be the one canonical spelling of its
// parts, with the header rules met. A header memo never changes a verdict:
// parsing with a memo that holds the seed's header (and every header
// accepted so far, as if its token had verified) gives what parsing
// without one gives.
func FuzzParseJWS(f *testing.F) {
	const seed = "eyJhbGciOiJSUzI1NiIsImtpZCI6Imluc18xIiwidHlwIjoiSldUIn0.eyJzdWIiOiJ1c2VyXzEiLCJleHAiOjE3MDAwMDAwMDB9.c2ln"
	f.Add(seed)
	f.Add("eyJhbGciOiJub25lIn0.e30.")
	f.Add(`{"protected":"x","payload":"y","signature":"z"}`)
	f.Add("a.b.c")
	f.Add("..")
	f.Add("eyJhbGciOiJSUzI1NiIsImtpZCI6Imluc18xIiwidHlwIjoiSldUIn0.eyJzdWIiOiJ1c2VyXzEiLCJleHAiOjE3MDAwMDAwMDB9=.c2ln")
	f.Add("eyJhbGciOiJSUzI1NiIsImtpZCI6Imluc18xIiwidHlwIjoiSldUIn0.eyJzdWIiOiJ1c2VyXzEiLCJleHAiOjE3MDAwMDAwMDB9.c2l")
	memo := newHeaderMemo()
	if p, r, _ := parseCompact(seed, memo); r == "" {
		p.verified()
	} else {
		f.Fatalf("seed refused: %q", r)
	}
	f.Fuzz(func(t *testing.T, token string) {
		p, r, _ := parseJWS(token)
		m, rm, _ := parseCompact(token, memo)
		if rm != r {
			t.Fatalf("reason %q with the memo, %q without", rm, r)
		}
		if r != "" {
			return
		}
		if m.jwsHeader != p.jwsHeader || m.payload != p.payload || string(m.signature) != string(p.signature) ||
			string(m.signingInput) != string(p.signingInput) {
			t.Fatalf("parsed %+v with the memo, %+v without", m, p)
		}
		m.verified()
		if p.kid == "" || !acceptedAlg(p.alg) || !strings.HasPrefix(token, string(p.signingInput)+".") {
			t.Fatalf("accepted a header without kid or alg: %+v", p)
		}
		parts := strings.Split(token, ".")
		enc := base64.RawURLEncoding
		if len(parts) != 3 || enc.EncodeToString([]byte(p.payload)) != parts[1] || enc.EncodeToString(p.signature) != parts[2] {
			t.Fatalf("accepted a non-canonical spelling %q", token)
		}
		parseClaims(p.payload)
	})
}

// FuzzParseClaims decodes arbitrary payload JSON.
func FuzzParseClaims(f *testing.F) {
	f.Add([]byte(`{"sub":"user_1","exp":1700000000,"o":{"id":"org_1","rol":"admin","per":"a,b","fpm":"3"},"fea":"o:x"}`))
	f.Add([]byte(`{"sub":"u","exp":1e300}`))
	f.Add([]byte(`{"sub":"u","exp":"1"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, r, _ := parseClaims(string(b))
		if (c == nil) == (r == "") {
			t.Fatalf("claims %v with reason %q", c, r)
		}
		if c != nil {
			c.HasRole("org:admin")
			c.HasPermission("org:x:a")
			c.HasFeature("org:x")
			c.HasPlan("pro")
		}
	})
}

// FuzzRequestHeaders parses arbitrary Authorization and Cookie headers,
// through the suffixed-cookie rules of an instance with a publishable key,
// and sends them through an Authenticator's whole request path: no panic,
// and no success (nothing fuzzed is signed).
func FuzzRequestHeaders(f *testing.F) {
	c, err := New(Config{JWTKey: fuzzPEM, PublishableKey: "pk_live_Y2xlcmsuZXhhbXBsZS5jb20k"})
	if err != nil {
		f.Fatal(err)
	}
	defer c.Close()
	a, err := NewAuthenticator(Options{Client: c, SkipUserFetch: true, AcceptsToken: []TokenKind{SessionToken, M2MToken, OAuthToken}})
	if err != nil {
		f.Fatal(err)
	}
	sfx := c.s.cookieSuffix
	f.Add("Bearer abc", "__session=abc; __client_uat=12")
	f.Add("basic x", `a="b"; ;=;__session`)
	f.Add("", "__client_uat=-1")
	f.Add("", "__session=a.eyJpc3MiOiJodHRwczovL2NsZXJrLmV4YW1wbGUuY29tIn0.c; __session_"+sfx+"=x; __client_uat_"+sfx+"=5; __client_uat=0")
	f.Fuzz(func(t *testing.T, authz, cookie string) {
		tok := HeaderToken(authz)
		if len(tok) > len(authz) {
			t.Fatal("token longer than header")
		}
		v, ok := CookieValue(cookie, DefaultSessionKey)
		if !ok && v != "" {
			t.Fatal("value without presence")
		}
		jar := c.sessionCookies(cookie, "")
		if jar.uat < 0 || (jar.token != "" && !strings.Contains(cookie, jar.token)) {
			t.Fatalf("cookie jar %+v from %q", jar, cookie)
		}
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Header.Set("Authorization", authz)
		r.Header.Set("Cookie", cookie)
		if auth, err := a.Authenticate(context.Background(), HTTPRequest(r)); err == nil || auth != nil {
			t.Fatalf("fuzzed request authenticated: %+v, %v", auth, err)
		}
	})
}

// FuzzVerifyToken runs arbitrary tokens through a networkless client: no
// panic, no success.
func FuzzVerifyToken(f *testing.F) {
	c, err := New(Config{JWTKey: fuzzPEM})
	if err != nil {
		f.Fatal(err)
	}
	defer c.Close()
	f.Add("eyJhbGciOiJSUzI1NiIsImtpZCI6Imluc18xIn0.eyJzdWIiOiJ1In0.AAAA")
	f.Add("x")
	f.Fuzz(func(t *testing.T, token string) {
		if claims, err := c.VerifyToken(context.Background(), token); err == nil {
			t.Fatalf("fuzzed token verified: %+v", claims)
		}
	})
}

// FuzzConfigKeys feeds arbitrary publishable keys and PEM keys.
func FuzzConfigKeys(f *testing.F) {
	f.Add("pk_test_Y2xlcmsuZXhhbXBsZS5jb20k", fuzzPEM)
	f.Add("pk_live_$$$", "-----BEGIN PUBLIC KEY-----\n-----END PUBLIC KEY-----")
	f.Fuzz(func(t *testing.T, pk, pem string) {
		if host, err := FrontendAPIFromPublishableKey(pk); err == nil && host == "" {
			t.Fatal("empty host accepted")
		}
		ParseJWTKey(pem)
	})
}

// fuzzPEM is an RSA-2048 public key used only by the fuzz targets.
const fuzzPEM = `-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEApgaBebXZfwdBZr8moqAo
6FHNBIivQOfUMnxck+GaelmPs5HpIEzAkwZvuMKGmUls1q/lUwofc8kvewCSlKY7
AxRTXlyJQL1Im8LJhCDOzoy4xjjqCE58QnVvSPEVESZledUJC37TWQfq0nx9V80C
mgR/YXwwW1NwN//rEOIFiPobS3Q1eaXoRI7uHaFgtsvsD8R69rAMS5gbFy4O+Ebq
xrOTjh9UuXpPHui6wO0Img5cwRc93WOhKy8cWKM08wRJqGp8kTyug+i5cnQXU2Z5
dSK+IMSKwsi4w/YiQB5f8WsBHiZmgdix+JrKiayGHtGN+eJxcw9xdO/1YHModyHa
7QIDAQAB
-----END PUBLIC KEY-----`

// refPayload is the reference decoding of the modelled claims, with
// github.com/go-json-experiment/json (the rules of Claims.Decode: exact
// names, no repeated names, valid UTF-8).
type refPayload struct {
	Sub *string   `json:"sub"`
	Exp *float64  `json:"exp"`
	Iat *float64  `json:"iat"`
	Nbf *float64  `json:"nbf"`
	Sid string    `json:"sid"`
	Azp string    `json:"azp"`
	Iss string    `json:"iss"`
	Sts string    `json:"sts"`
	Fea string    `json:"fea"`
	V   int       `json:"v"`
	Fva []float64 `json:"fva"`
	Act *Actor    `json:"act"`
	Aud any       `json:"aud"`
	O   *struct {
		ID  string `json:"id"`
		Slg string `json:"slg"`
		Rol string `json:"rol"`
		Per string `json:"per"`
		Fpm string `json:"fpm"`
	} `json:"o"`
	OrgID          string   `json:"org_id"`
	OrgPermissions []string `json:"org_permissions"`
}

// FuzzPayloadDecoder checks the hand-written claims decoder against the
// decoder of Claims.Decode: whatever it accepts is valid JSON that the
// reference accepts too, and both read the same values.
func FuzzPayloadDecoder(f *testing.F) {
	f.Add([]byte(`{"sub":"user_\u00e9\ud83d\ude00","exp":1.7e9,"iat":1,"nbf":0,"sid":"s","azp":"a\n","sts":"active","v":2,"fva":[0,-1],"act":{"sub":"x","type":"t","extra":[1,{"a":null}]},"o":{"id":"org","rol":"admin","per":"r,w","fpm":"3"},"org_permissions":["a","b"],"custom":{"deep":[true,false,null,"s",-0.5e-3]}}`))
	f.Add([]byte(`{"sub":null,"exp":null,"o":null,"act":null,"fva":null}`))
	f.Add([]byte(` { } `))
	f.Add([]byte(`{"sub":"a","sub":"b"}`))
	f.Add([]byte(`{"Sub":"a","sub":"b","aud":["x"]}`))
	f.Add([]byte(`{"v":2.5}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		var p payload
		if decodePayload(string(raw), &p) != nil {
			return
		}
		if !json.Valid(raw) {
			t.Fatalf("decoder accepted invalid JSON %q", raw)
		}
		var ref refPayload
		if err := jsonv2.Unmarshal(raw, &ref); err != nil {
			t.Fatalf("decoder accepted %q, which the Decode rules reject: %v", raw, err)
		}
		same := p.hasSub == (ref.Sub != nil) && (ref.Sub == nil || *ref.Sub == p.sub) &&
			p.hasExp == (ref.Exp != nil) && (ref.Exp == nil || *ref.Exp == p.exp) &&
			p.hasIat == (ref.Iat != nil) && p.hasNbf == (ref.Nbf != nil) &&
			p.sid == ref.Sid && p.azp == ref.Azp && p.iss == ref.Iss && p.sts == ref.Sts && p.fea == ref.Fea && p.v == ref.V &&
			fvaSame(p, ref.Fva) && fmt.Sprint(p.orgPerms) == fmt.Sprint(ref.OrgPermissions) &&
			p.orgID == ref.OrgID && fmt.Sprint(p.aud) == fmt.Sprint(audList(ref.Aud)) &&
			(p.act == nil) == (ref.Act == nil) && (p.act == nil || *p.act == *ref.Act) &&
			p.hasO == (ref.O != nil) && (!p.hasO || (p.o.id == ref.O.ID && p.o.slg == ref.O.Slg && p.o.rol == ref.O.Rol && p.o.per == ref.O.Per && p.o.fpm == ref.O.Fpm))
		if !same {
			t.Fatalf("decoders disagree on %q:\nours %+v\nref  %+v", raw, p, ref)
		}
	})
}

// fvaSame compares the decoded fva with the reference's.
func fvaSame(p payload, ref []float64) bool {
	switch {
	case ref == nil:
		return p.nFva == 0
	case len(ref) > 2:
		return p.nFva == -1
	}
	return p.nFva == len(ref) && fmt.Sprint(p.fva[:len(ref)]) == fmt.Sprint(ref)
}

// audList is the reference's aud as a list.
func audList(v any) []string {
	switch a := v.(type) {
	case string:
		return []string{a}
	case []any:
		out := []string{}
		for _, s := range a {
			out = append(out, s.(string))
		}
		return out
	}
	return nil
}
