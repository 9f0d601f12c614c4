package clerktest

import (
	"net/url"
	"strings"
	"testing"
)

// FuzzValidRedirectURL: the handshake and the sign-in page redirect only to
// what validRedirectURL accepts, so whatever it accepts must be an absolute
// http(s) URL whose host survives adding the handshake's query parameter.
func FuzzValidRedirectURL(f *testing.F) {
	for _, s := range []string{
		"http://127.0.0.1:3000/dashboard?tab=1", "https://app.example.com/", "/relative", "//evil.example/",
		"javascript:alert(1)", `http://a\@b/`, "http://user@host/", "http:///x", "HTTP://EXAMPLE.COM/%2F..",
		"http://[::1]:80/", "http://example.com#frag", "http://example.com/\r\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		u, ok := validRedirectURL(raw)
		if !ok {
			return
		}
		if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
			t.Fatalf("accepted %q: %#v", raw, u)
		}
		back, err := url.Parse(withQuery(u, paramHandshakeNonce, "n"))
		if err != nil || back.Host != u.Host || back.Scheme != u.Scheme || back.Query().Get(paramHandshakeNonce) != "n" {
			t.Fatalf("%q: with the nonce it became %v (%v)", raw, back, err)
		}
	})
}

// FuzzParseInstanceToken: the refresh endpoint parses expired_token, an
// untrusted string; it must never panic nor accept a token the instance did
// not sign.
func FuzzParseInstanceToken(f *testing.F) {
	s := New(WithKey(testKeyA()))
	defer s.Close()
	good := s.Token()
	f.Add(good)
	f.Add(strings.Replace(good, ".", "..", 1))
	f.Add(SignWith(testKeyB(), map[string]any{"alg": "RS256", "kid": s.KeyID()}, map[string]any{"sid": "x"}))
	f.Add("a.b.c")
	f.Add("")
	f.Fuzz(func(t *testing.T, tok string) {
		c, err := s.parseInstanceToken(tok)
		// Only the seed token is signed by the instance: whatever is accepted
		// carries its claims.
		if err == nil && (strings.Count(tok, ".") != 2 || c.Sid != s.SessionID() || c.Sub != s.DefaultUserID()) {
			t.Fatalf("accepted %q", tok)
		}
	})
}
