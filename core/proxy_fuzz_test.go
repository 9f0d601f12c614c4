package core

import (
	"bufio"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// FuzzFrontendAPIProxy: whatever the request target (a path with dot
// segments, encoded slashes, an absolute URL of another host) and whatever
// Location the Frontend API answers, the proxy sends the request only to
// the Frontend API's host, never with a dot segment or an empty segment
// in its path, never panics, and rewrites only Locations on the Frontend
// API, to the proxy's public URL.
func FuzzFrontendAPIProxy(f *testing.F) {
	for _, s := range [][2]string{
		{"/__clerk/v1/client?x=1", "https://frontend-api.clerk.dev/v1/oauth/callback?code=1#f"},
		{"/__clerk//evil.example/x", "//evil.example/x"},
		{"/__clerk/%2F%2Fevil.example/x", "/v1/client"},
		{"/__clerk/../x", "../x"},
		{"/__clerk/v1/%2e%2e/%2e/x", "https://accounts.google.com/o"},
		{"http://evil.example/__clerk/v1/client", "http://frontend-api.clerk.dev:443/x"},
		{"/__clerk/a%5C..%5Cb", "https://FRONTEND-API.clerk.dev/%2e%2e"},
		{"/__clerk", "?a=b"},
		{"/__clerk-admin/x", ""},
		{"*", "javascript:alert(1)"},
	} {
		f.Add(s[0], s[1])
	}
	pk := "pk_live_" + base64.StdEncoding.EncodeToString([]byte("clerk.example.com$"))
	var upstream *http.Request
	c, err := New(Config{SecretKey: "sk_live_fuzz", PublishableKey: pk, HTTPClient: &http.Client{}})
	if err != nil {
		f.Fatal(err)
	}
	defer c.Close()
	var location string
	c.s.HTTPClient.Transport = roundTripFunc(func(r *http.Request) (*http.Response, error) {
		upstream = r
		h := http.Header{}
		if location != "" {
			h.Set("Location", location)
		}
		return &http.Response{StatusCode: http.StatusFound, Header: h, Body: http.NoBody, Request: r}, nil
	})
	p, err := newFrontendAPIProxy(c, ProxyOptions{})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, target, loc string) {
		req, err := http.ReadRequest(bufio.NewReader(strings.NewReader("GET " + target + " HTTP/1.1\r\nHost: app.example\r\n\r\n")))
		if err != nil {
			return
		}
		upstream, location = nil, loc
		rec := httptest.NewRecorder()
		p.ServeHTTP(rec, req)
		if upstream == nil {
			if rec.Code != http.StatusBadRequest {
				t.Fatalf("%q: %d without a request upstream", target, rec.Code)
			}
			return
		}
		if upstream.URL.Scheme != "https" || upstream.URL.Host != "frontend-api.clerk.dev" || (upstream.Host != "" && upstream.Host != "frontend-api.clerk.dev") {
			t.Fatalf("%q sent to %q (Host %q)", target, upstream.URL, upstream.Host)
		}
		raw := upstream.URL.EscapedPath()
		if !strings.HasPrefix(raw, "/") || strings.Contains(raw, "//") {
			t.Fatalf("%q forwarded as %q", target, raw)
		}
		for _, seg := range strings.Split(raw, "/") {
			dec, err := url.PathUnescape(seg)
			if err != nil {
				t.Fatalf("%q forwarded as %q", target, raw)
			}
			for _, part := range strings.FieldsFunc(dec, func(r rune) bool { return r == '/' || r == '\\' }) {
				if part == "." || part == ".." {
					t.Fatalf("%q forwarded with a dot segment: %q", target, raw)
				}
			}
		}
		// The Host header, or an absolute target's host (as net/http
		// reads it), checked by validHost.
		public := "http://" + req.Host + "/__clerk"
		if !validHost(req.Host) || upstream.Header.Get("Clerk-Proxy-Url") != public {
			t.Fatalf("Clerk-Proxy-Url %q for host %q", upstream.Header.Get("Clerk-Proxy-Url"), req.Host)
		}
		got := rec.Header().Get("Location")
		if got == loc {
			return
		}
		ref, err := url.Parse(loc)
		if err != nil || !strings.HasPrefix(got, public+"/") {
			t.Fatalf("Location %q rewritten to %q", loc, got)
		}
		if u := p.upstream.ResolveReference(ref); !strings.EqualFold(u.Host, "frontend-api.clerk.dev") {
			t.Fatalf("Location %q off the Frontend API rewritten to %q", loc, got)
		}
	})
}

// TestFrontendAPIFor: the Frontend API a proxy forwards to, by the
// instance's host, as @clerk/backend's fapiUrlFromPublishableKey picks it
// (its proxy.test.ts rows).
func TestFrontendAPIFor(t *testing.T) {
	for host, want := range map[string]string{
		"clerk.example.com":          "https://frontend-api.clerk.dev",
		"example.clerk.accounts.dev": "https://frontend-api.clerk.dev",
		"myapp.lclclerk.com":         "https://frontend-api.lclclerk.com",
		"clerk.accountsstage.dev":    "https://frontend-api.clerkstage.dev",
		"clerk.example.lclclerk.com": "https://frontend-api.clerk.dev",
		"":                           "https://frontend-api.clerk.dev",
	} {
		if got := frontendAPIFor(host); got != want {
			t.Errorf("%q: %q, want %q", host, got, want)
		}
	}
}

// TestFrontendAPIProxyBasePath: with a Frontend API URL that has a path,
// requests go under it and Locations under it come back through the
// proxy; Locations outside it are left alone.
func TestFrontendAPIProxyBasePath(t *testing.T) {
	pk := "pk_test_" + base64.StdEncoding.EncodeToString([]byte("example.clerk.accounts.dev$"))
	c, err := New(Config{SecretKey: "sk_test_x", PublishableKey: pk, ProxyURL: "https://app.example/__clerk"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var got *http.Request
	c.s.HTTPClient.Transport = roundTripFunc(func(r *http.Request) (*http.Response, error) {
		got = r
		return &http.Response{StatusCode: 302, Header: http.Header{"Location": {"/fapi/v1/x?y=1"}}, Body: io.NopCloser(strings.NewReader("")), Request: r}, nil
	})
	p, err := newFrontendAPIProxy(c, ProxyOptions{FrontendAPIURL: "https://fapi.example/fapi/"})
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	p.ServeHTTP(rec, httptest.NewRequest("GET", "/__clerk/v1/client", nil))
	if got == nil || got.URL.String() != "https://fapi.example/fapi/v1/client" || rec.Header().Get("Location") != "https://app.example/__clerk/v1/x?y=1" {
		t.Fatalf("upstream %v, Location %q", got, rec.Header().Get("Location"))
	}
	if to, ok := p.rewriteLocation("/other/x", "https://app.example/__clerk"); ok {
		t.Errorf("a Location outside the base path rewritten to %q", to)
	}
}
