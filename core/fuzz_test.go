package core

import (
	"context"
	"strings"
	"testing"
	"time"
)

// FuzzParseToken feeds arbitrary strings to the token parser and the claims
// decoder: they must never panic, and whatever they accept must be
// consistent.
func FuzzParseToken(f *testing.F) {
	f.Add("eyJhbGciOiJSUzI1NiIsImtpZCI6Imluc18xIiwidHlwIjoiSldUIn0.eyJzdWIiOiJ1c2VyXzEiLCJleHAiOjE3MDAwMDAwMDB9.c2ln")
	f.Add("eyJhbGciOiJub25lIn0.e30.")
	f.Add(`{"protected":"x","payload":"y","signature":"z"}`)
	f.Add("a.b.c")
	f.Add("..")
	f.Fuzz(func(t *testing.T, token string) {
		p, r, _ := parseToken(token)
		if (p == nil) == (r == "") {
			t.Fatalf("parseToken returned token %v with reason %q", p, r)
		}
		if p != nil {
			if p.kid == "" || hashFor(p.alg) == 0 || !strings.HasPrefix(token, p.signingInput) {
				t.Fatalf("accepted header without kid or alg: %+v", p)
			}
			parseClaims(p.payload)
		}
	})
}

// FuzzParseClaims decodes arbitrary payload JSON.
func FuzzParseClaims(f *testing.F) {
	f.Add([]byte(`{"sub":"user_1","exp":1700000000,"o":{"id":"org_1","rol":"admin","per":"a,b","fpm":"3"},"fea":"o:x"}`))
	f.Add([]byte(`{"sub":"u","exp":1e300}`))
	f.Add([]byte(`{"sub":"u","exp":"1"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, r, _ := parseClaims(b)
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

// FuzzCredentials parses arbitrary Authorization and Cookie headers.
func FuzzCredentials(f *testing.F) {
	f.Add("Bearer abc", "__session=abc; __client_uat=12")
	f.Add("basic x", `a="b"; ;=;__session`)
	f.Add("", "__client_uat=-1")
	f.Fuzz(func(t *testing.T, authz, cookie string) {
		tok := HeaderToken(authz)
		if len(tok) > len(authz) {
			t.Fatal("token longer than header")
		}
		v, ok := CookieValue(cookie, DefaultSessionKey)
		if !ok && v != "" {
			t.Fatal("value without presence")
		}
		staleCookie(cookie, time.Now().Unix())
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
