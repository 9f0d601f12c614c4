package core

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
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

// refPayload is the encoding/json reference for decodePayload.
type refPayload struct {
	Sub *string  `json:"sub"`
	Exp *float64 `json:"exp"`
	Iat *float64 `json:"iat"`
	Nbf *float64 `json:"nbf"`
	Sid string   `json:"sid"`
	Azp string   `json:"azp"`
	Sts string   `json:"sts"`
	V   int      `json:"v"`
	Fva []int    `json:"fva"`
	Act *Actor   `json:"act"`
	O   *struct {
		ID  string `json:"id"`
		Rol string `json:"rol"`
		Per string `json:"per"`
	} `json:"o"`
	OrgPermissions []string `json:"org_permissions"`
}

// FuzzPayloadDecoder checks the hand-written claims decoder against
// encoding/json: whatever it accepts is valid JSON, and on documents both
// accept, without keys that only match case-insensitively, they agree.
func FuzzPayloadDecoder(f *testing.F) {
	f.Add([]byte(`{"sub":"user_\u00e9\ud83d\ude00","exp":1.7e9,"iat":1,"nbf":0,"sid":"s","azp":"a\n","sts":"active","v":2,"fva":[0,-1],"act":{"sub":"x","type":"t","extra":[1,{"a":null}]},"o":{"id":"org","rol":"admin","per":"r,w","fpm":"3"},"org_permissions":["a","b"],"custom":{"deep":[true,false,null,"s",-0.5e-3]}}`))
	f.Add([]byte(`{"sub":null,"exp":null,"o":null,"act":null,"fva":null}`))
	f.Add([]byte(` { } `))
	f.Add([]byte(`{"sub":"a","sub":"b"}`))
	f.Add([]byte(`{"v":2.5}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		p, err := decodePayload(string(raw))
		if err != nil {
			return
		}
		if !json.Valid(raw) {
			t.Fatalf("decoder accepted invalid JSON %q", raw)
		}
		var ref refPayload
		if json.Unmarshal(raw, &ref) != nil || foldedKeys(raw) {
			return
		}
		same := p.hasSub == (ref.Sub != nil) && (ref.Sub == nil || *ref.Sub == p.sub) &&
			p.hasExp == (ref.Exp != nil) && (ref.Exp == nil || *ref.Exp == p.exp) &&
			p.hasIat == (ref.Iat != nil) && p.hasNbf == (ref.Nbf != nil) &&
			p.sid == ref.Sid && p.azp == ref.Azp && p.sts == ref.Sts && p.v == ref.V &&
			fmt.Sprint(p.fva) == fmt.Sprint(ref.Fva) && fmt.Sprint(p.orgPerms) == fmt.Sprint(ref.OrgPermissions) &&
			(p.act == nil) == (ref.Act == nil) && (p.act == nil || *p.act == *ref.Act) &&
			(p.o == nil) == (ref.O == nil) && (p.o == nil || (p.o.id == ref.O.ID && p.o.rol == ref.O.Rol && p.o.per == ref.O.Per))
		if !same {
			t.Fatalf("decoders disagree on %q:\nours %+v\nref  %+v", raw, p, ref)
		}
	})
}

// foldedKeys reports whether raw has an object key that differs from a
// modelled claim name only by case (encoding/json would match it).
func foldedKeys(raw []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(raw))
	names := []string{"sub", "exp", "iat", "nbf", "sid", "azp", "sts", "v", "fva", "act", "o", "org_permissions", "id", "rol", "per", "type", "iss"}
	for {
		tok, err := dec.Token()
		if err != nil {
			return false
		}
		if s, ok := tok.(string); ok {
			for _, n := range names {
				if s != n && strings.EqualFold(s, n) {
					return true
				}
			}
		}
	}
}
