package core

import (
	"context"
	"net/url"
	"strings"
	"testing"
)

// FuzzParseDirective: a Set-Cookie directive from Clerk (a handshake's or a
// refresh's) is copied onto the response only when it is a cookie fit for
// a header line; nothing panics.
func FuzzParseDirective(f *testing.F) {
	for _, s := range []string{
		"__session=eyJ.x.y; Path=/; SameSite=Lax",
		"__client_uat=0; Path=/; Max-Age=31536000",
		"=x", "a", "a=b\r\nLocation: http://evil", "a b=c", "__session_abc=v;", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, d string) {
		name, value, ok := parseDirective(d)
		if !ok {
			return
		}
		if !validCookieName(name) || !strings.Contains(d, name) || !strings.Contains(d, value) {
			t.Fatalf("%q: name %q value %q", d, name, value)
		}
		for i := 0; i < len(d); i++ {
			if d[i] < ' ' || d[i] >= 0x7f {
				t.Fatalf("%q accepted with a control byte", d)
			}
		}
	})
}

// FuzzWithoutParams: the handshake's redirect_url never keeps a
// development-browser token, keeps the path, and never panics.
func FuzzWithoutParams(f *testing.F) {
	for _, s := range []string{
		"http://a.example/x?__clerk_db_jwt=1&b=2",
		"http://a.example/x?b=2&__dev_session=1",
		"http://a.example/x?%5F_clerk_db_jwt=1", "http://a.example/x?", "http://a.example/x?&&=&",
		"http://a.example/x?__clerk_db_jwt",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, u string) {
		out := withoutParams(u, cookieDevBrowser, paramLegacyDevBrowser)
		base, _, _ := strings.Cut(u, "?")
		if !strings.HasPrefix(out, base) {
			t.Fatalf("%q -> %q lost its path", u, out)
		}
		_, q, ok := strings.Cut(out, "?")
		if !ok {
			return
		}
		for _, part := range strings.Split(q, "&") {
			k, _, _ := strings.Cut(part, "=")
			if dk, err := url.QueryUnescape(k); err == nil {
				k = dk
			}
			if k == cookieDevBrowser || k == paramLegacyDevBrowser {
				t.Fatalf("%q -> %q keeps %s", u, out, k)
			}
		}
	})
}

// fuzzPageRequest is a PageRequest with given parts.
type fuzzPageRequest struct {
	host, target, fwdHost, fwdProto string
	tls                             bool
}

func (r fuzzPageRequest) Method() string { return "GET" }
func (r fuzzPageRequest) Header(name string) string {
	switch name {
	case "X-Forwarded-Host":
		return r.fwdHost
	case "X-Forwarded-Proto":
		return r.fwdProto
	}
	return ""
}
func (r fuzzPageRequest) Query(string) string { return "" }
func (r fuzzPageRequest) RequestURI() string  { return r.target }
func (r fuzzPageRequest) Host() string        { return r.host }
func (r fuzzPageRequest) TLS() bool           { return r.tls }

// FuzzPublicURL: the public URL built from a request's Host, target and
// (trusted) X-Forwarded-* headers is an absolute http(s) URL of exactly
// that host, without user info, or nothing.
func FuzzPublicURL(f *testing.F) {
	f.Add("app.example", "/dashboard?tab=2", "", "", false, false)
	f.Add("app.example:8080", "//evil.example/x", "", "", true, false)
	f.Add("app.example", "/x", "evil.example/y?", "https", false, true)
	f.Add("[::1]:80", "/", "", "", false, false)
	f.Add("a@b", "/", "user:pw@evil", "javascript", false, true)
	f.Fuzz(func(t *testing.T, host, target, fwdHost, fwdProto string, tls, trust bool) {
		p := &pageCtx{a: &Authenticator{trustForwarded: trust}, r: fuzzPageRequest{host, target, fwdHost, fwdProto, tls}}
		got, ok := p.publicURL()
		if !ok {
			return
		}
		u, err := url.Parse(got)
		if err != nil {
			t.Fatalf("%q: %v", got, err)
		}
		want := host
		if trust && firstValue(fwdHost) != "" {
			want = firstValue(fwdHost)
		}
		if u.Host != want || u.User != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Fragment != "" {
			t.Fatalf("%q: host %q user %v scheme %q, want host %q", got, u.Host, u.User, u.Scheme, want)
		}
	})
}

// FuzzHandshakeToken: a __clerk_handshake JWT comes from the query or a
// cookie, so from anyone: whatever it is, verifying it never panics and
// never succeeds without the instance's signature.
func FuzzHandshakeToken(f *testing.F) {
	c, err := New(Config{JWTKey: fuzzPEM})
	if err != nil {
		f.Fatal(err)
	}
	defer c.Close()
	for _, s := range []string{
		"eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJoYW5kc2hha2UiOlsiX19zZXNzaW9uPXgiXX0.AAAA",
		"eyJhbGciOiJub25lIn0.eyJoYW5kc2hha2UiOlsiX19zZXNzaW9uPXgiXX0.",
		"x", "", "a.b.c", strings.Repeat("A", 70<<10),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, token string) {
		if d, err := c.verifyHandshakeToken(context.Background(), token); err == nil {
			t.Fatalf("a fuzzed handshake token verified: %q", d)
		}
	})
}
