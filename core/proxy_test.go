package core_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/clerkgo/clerk/core"
	"github.com/clerkgo/clerk/core/clerktest"
)

// seenRequest is an outbound request of the proxy, as the Frontend API
// got it.
type seenRequest struct {
	method, host, requestURI string
	header                   http.Header
	body                     string
}

// fapiRecorder sits between the proxy and the fake Clerk: it records
// every request the proxy sends and passes it on over real HTTP. Paths
// under /test/ stand in for Frontend API answers the fake does not give
// (streaming, hop-by-hop response headers).
type fapiRecorder struct {
	base http.RoundTripper

	mu   sync.Mutex
	seen []seenRequest

	chunk1, release chan struct{} // /test/stream-up and /test/stream-down
}

func (rt *fapiRecorder) RoundTrip(r *http.Request) (*http.Response, error) {
	s := seenRequest{method: r.Method, host: r.URL.Host, requestURI: r.URL.RequestURI(), header: r.Header.Clone()}
	if r.Host != "" {
		s.host = r.Host
	}
	switch r.URL.Path {
	case "/test/stream-up": // read the first chunk before the client sends the second
		buf := make([]byte, 6)
		if _, err := io.ReadFull(r.Body, buf); err != nil {
			return nil, err
		}
		close(rt.chunk1)
		rest, err := io.ReadAll(r.Body)
		if err != nil {
			return nil, err
		}
		s.body = string(buf) + string(rest)
		rt.record(s)
		return testResponse(r, http.StatusOK, http.Header{"Content-Type": {"text/plain"}}, io.NopCloser(strings.NewReader(s.body))), nil
	case "/test/stream-down": // the second chunk only once the client has the first
		pr, pw := io.Pipe()
		go func() {
			_, _ = pw.Write([]byte("first\n"))
			<-rt.release
			_, _ = pw.Write([]byte("second\n"))
			_ = pw.Close()
		}()
		rt.record(s)
		return testResponse(r, http.StatusOK, http.Header{"Content-Type": {"text/plain"}}, pr), nil
	case "/test/hang": // a Frontend API that never answers
		rt.record(s)
		<-r.Context().Done()
		return nil, r.Context().Err()
	case "/test/hop":
		rt.record(s)
		h := http.Header{"Connection": {"X-Resp-Hop"}, "X-Resp-Hop": {"1"}, "Keep-Alive": {"timeout=5"}, "X-Kept": {"1"}}
		return testResponse(r, http.StatusOK, h, http.NoBody), nil
	}
	if r.Body != nil {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			return nil, err
		}
		s.body = string(b)
		r.Body = io.NopCloser(bytes.NewReader(b))
	}
	rt.record(s)
	return rt.base.RoundTrip(r)
}

func testResponse(r *http.Request, status int, h http.Header, body io.ReadCloser) *http.Response {
	return &http.Response{StatusCode: status, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1, Header: h, Body: body, ContentLength: -1, Request: r}
}

func (rt *fapiRecorder) record(s seenRequest) {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	rt.seen = append(rt.seen, s)
}

// last is the last request the Frontend API got, or false.
func (rt *fapiRecorder) last() (seenRequest, bool) {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if len(rt.seen) == 0 {
		return seenRequest{}, false
	}
	return rt.seen[len(rt.seen)-1], true
}

func (rt *fapiRecorder) count() int {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	return len(rt.seen)
}

// proxySetup is an app serving the proxy (as its only handler, so that
// every path reaches it) in front of the fake Clerk.
type proxySetup struct {
	fake  *clerktest.Server
	rt    *fapiRecorder
	proxy *core.FrontendAPIProxy
	app   *httptest.Server
	logs  *syncBuffer
}

func newProxySetup(t *testing.T, edit func(*core.Config, *core.ProxyOptions)) *proxySetup {
	t.Helper()
	fake := clerktest.New(clerktest.WithKey(key(0)))
	t.Cleanup(fake.Close)
	rt := &fapiRecorder{base: fake.Client().Transport, chunk1: make(chan struct{}), release: make(chan struct{})}
	logs := &syncBuffer{}
	cfg := core.Config{
		SecretKey:      fake.SecretKey(),
		PublishableKey: fake.PublishableKey(),
		APIURL:         fake.URL,
		HTTPClient:     &http.Client{Transport: rt},
		Logger:         slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	o := core.ProxyOptions{FrontendAPIURL: fake.URL}
	if edit != nil {
		edit(&cfg, &o)
	}
	c := newClient(t, cfg)
	o.Client = c
	p, err := core.NewFrontendAPIProxy(o)
	if err != nil {
		t.Fatalf("NewFrontendAPIProxy: %v", err)
	}
	app := httptest.NewServer(p)
	t.Cleanup(app.Close)
	return &proxySetup{fake: fake, rt: rt, proxy: p, app: app, logs: logs}
}

// do sends a request to the app without following redirects.
func (s *proxySetup) do(t *testing.T, method, target string, body io.Reader, header http.Header) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, s.app.URL+target, body)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, string(b)
}

// proxyErrorCode reads the code of a proxy error body.
func proxyErrorCode(t *testing.T, res *http.Response, body string) string {
	t.Helper()
	if ct := res.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q", ct)
	}
	if cc := res.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control %q", cc)
	}
	var v struct {
		Errors []struct{ Code, Message string }
	}
	if err := json.Unmarshal([]byte(body), &v); err != nil || len(v.Errors) != 1 || v.Errors[0].Message == "" {
		t.Fatalf("body %q: %v", body, err)
	}
	return v.Errors[0].Code
}

// TestFrontendAPIProxy: requests through the proxy reach the fake Clerk's
// Frontend API at the pinned host, with Clerk's proxy headers, and come
// back with Locations on the Frontend API rewritten through the proxy.
func TestFrontendAPIProxy(t *testing.T) {
	type check func(t *testing.T, s *proxySetup, res *http.Response, body string, up seenRequest)
	form := func(v url.Values) (io.Reader, http.Header) {
		return strings.NewReader(v.Encode()), http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}
	}
	rows := []struct {
		name   string
		method string
		target string
		body   func(s *proxySetup) (io.Reader, http.Header)
		status int
		code   string // a proxy error's code, with no request upstream
		check  check
	}{
		{name: "GET", method: "GET", target: "/__clerk/.well-known/jwks.json", status: 200,
			check: func(t *testing.T, s *proxySetup, res *http.Response, body string, up seenRequest) {
				if !strings.Contains(body, `"keys"`) || up.requestURI != "/.well-known/jwks.json" || up.method != "GET" {
					t.Errorf("body %q, upstream %s %s", body, up.method, up.requestURI)
				}
				if res.Header.Get(clerktest.TraceIDHeader) == "" {
					t.Error("the Frontend API's headers are not passed back")
				}
			}},
		{name: "POST with a body", method: "POST", target: "/__clerk/v1/dev_browser", status: 200,
			body: func(*proxySetup) (io.Reader, http.Header) {
				return strings.NewReader(`{"a":1}`), http.Header{"Content-Type": {"application/json"}}
			},
			check: func(t *testing.T, s *proxySetup, res *http.Response, body string, up seenRequest) {
				if !strings.Contains(body, `"dev_browser"`) || up.method != "POST" || up.body != `{"a":1}` || up.header.Get("Content-Type") != "application/json" {
					t.Errorf("body %q, upstream %s %q %v", body, up.method, up.body, up.header)
				}
			}},
		{name: "query string kept", method: "GET", target: "/__clerk/v1/client/handshake?redirect_url=https%3A%2F%2Fapp.example%2Fx%3Fa%3D1&format=nonce&__clerk_hs_reason=dev-browser-missing&suffixed_cookies=false", status: 307,
			check: func(t *testing.T, s *proxySetup, res *http.Response, body string, up seenRequest) {
				q := s.fake.LastHandshakeQuery()
				if q.Get("redirect_url") != "https://app.example/x?a=1" || q.Get("__clerk_hs_reason") != "dev-browser-missing" {
					t.Errorf("the fake got %v", q)
				}
				if !strings.HasSuffix(up.requestURI, "?redirect_url=https%3A%2F%2Fapp.example%2Fx%3Fa%3D1&format=nonce&__clerk_hs_reason=dev-browser-missing&suffixed_cookies=false") {
					t.Errorf("upstream %s", up.requestURI)
				}
				// A Location off the Frontend API is left alone.
				if loc := res.Header.Get("Location"); !strings.HasPrefix(loc, "https://app.example/x?") || !strings.Contains(loc, "a=1") || !strings.Contains(loc, "__clerk_handshake_nonce=") {
					t.Errorf("Location %q", loc)
				}
				if len(res.Cookies()) != 0 {
					t.Errorf("cookies %v", res.Cookies())
				}
			}},
		{name: "Location on the Frontend API rewritten, cookies kept", method: "POST", target: "/__clerk/sign-in", status: 303,
			body: func(s *proxySetup) (io.Reader, http.Header) {
				return form(url.Values{"user_id": {s.fake.DefaultUserID()}, "redirect_url": {s.fake.URL + "/sign-in?x=1"}})
			},
			check: func(t *testing.T, s *proxySetup, res *http.Response, body string, up seenRequest) {
				loc := res.Header.Get("Location")
				if !strings.HasPrefix(loc, s.app.URL+"/__clerk/sign-in?") || !strings.Contains(loc, "x=1") || !strings.Contains(loc, "__clerk_db_jwt=dvb_") {
					t.Errorf("Location %q", loc)
				}
				names := map[string]bool{}
				for _, c := range res.Cookies() {
					names[c.Name] = true
				}
				if !names[clerktest.CookieClient] || !names[clerktest.CookieClientUat] || len(res.Header.Values("Set-Cookie")) < 3 {
					t.Errorf("Set-Cookie %v", res.Header.Values("Set-Cookie"))
				}
			}},
		{name: "the Frontend API's status passed through", method: "GET", target: "/__clerk/nothing-here", status: 404,
			check: func(t *testing.T, s *proxySetup, res *http.Response, body string, up seenRequest) {
				if !strings.Contains(body, "resource_not_found") {
					t.Errorf("body %q", body)
				}
			}},
		{name: "bare proxy path", method: "GET", target: "/__clerk", status: 404,
			check: func(t *testing.T, s *proxySetup, res *http.Response, body string, up seenRequest) {
				if up.requestURI != "/" {
					t.Errorf("upstream %s", up.requestURI)
				}
			}},
		{name: "protocol-relative path stays on the host", method: "GET", target: "/__clerk//evil.example/steal", status: 404,
			check: func(t *testing.T, s *proxySetup, res *http.Response, body string, up seenRequest) {
				if up.host != s.fake.Host() || up.requestURI != "/evil.example/steal" {
					t.Errorf("upstream %s %s", up.host, up.requestURI)
				}
			}},
		{name: "encoded slashes stay on the host", method: "GET", target: "/__clerk/%2F%2Fevil.example/steal", status: 404,
			check: func(t *testing.T, s *proxySetup, res *http.Response, body string, up seenRequest) {
				if up.host != s.fake.Host() || up.requestURI != "/%2F%2Fevil.example/steal" {
					t.Errorf("upstream %s %s", up.host, up.requestURI)
				}
			}},
		{name: "another path", method: "GET", target: "/api/users", status: 400, code: core.ProxyPathMismatch},
		{name: "no boundary after the path", method: "GET", target: "/__clerk-admin/v1/client", status: 400, code: core.ProxyPathMismatch},
		{name: "dot-dot out of the path", method: "GET", target: "/__clerk/../x", status: 400, code: core.ProxyPathMismatch},
		{name: "dot-dot inside", method: "GET", target: "/__clerk/v1/../../x", status: 400, code: core.ProxyPathMismatch},
		{name: "encoded dot-dot", method: "GET", target: "/__clerk/v1/%2e%2E/x", status: 400, code: core.ProxyPathMismatch},
		{name: "dot-dot between encoded slashes", method: "GET", target: "/__clerk/v1%2F..%2Fx", status: 400, code: core.ProxyPathMismatch},
		{name: "dot-dot after a backslash", method: "GET", target: "/__clerk/v1%5C..", status: 400, code: core.ProxyPathMismatch},
	}
	s := newProxySetup(t, nil)
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			var body io.Reader
			var header http.Header
			if row.body != nil {
				body, header = row.body(s)
			}
			before := s.rt.count()
			res, got := s.do(t, row.method, row.target, body, header)
			if res.StatusCode != row.status {
				t.Fatalf("status %d, want %d: %s", res.StatusCode, row.status, got)
			}
			if strings.Contains(got, s.fake.SecretKey()) || strings.Contains(dumpHeader(res.Header), s.fake.SecretKey()) {
				t.Error("the secret key is in the answer")
			}
			if row.code != "" || row.check == nil {
				if s.rt.count() != before {
					t.Error("a refused request reached the Frontend API")
				}
				if row.code != "" {
					if code := proxyErrorCode(t, res, got); code != row.code {
						t.Errorf("code %q, want %q", code, row.code)
					}
				}
				return
			}
			up, ok := s.rt.last()
			if !ok || s.rt.count() != before+1 {
				t.Fatal("the request did not reach the Frontend API once")
			}
			if up.host != s.fake.Host() {
				t.Errorf("upstream host %q", up.host)
			}
			if up.header.Get("Clerk-Secret-Key") != s.fake.SecretKey() || up.header.Get("Clerk-Proxy-Url") != s.app.URL+"/__clerk" {
				t.Errorf("Clerk headers: proxy URL %q, secret key set %t", up.header.Get("Clerk-Proxy-Url"), up.header.Get("Clerk-Secret-Key") != "")
			}
			row.check(t, s, res, got, up)
		})
	}
	if strings.Contains(s.logs.String(), s.fake.SecretKey()) {
		t.Error("the secret key is in the logs")
	}
}

func dumpHeader(h http.Header) string {
	var b strings.Builder
	_ = h.Write(&b)
	return b.String()
}

// TestFrontendAPIProxyHeaders: the forwarded headers follow the trust rule
// (the connection unless TrustForwardedHeaders), the client cannot set the
// Clerk headers, and hop-by-hop headers go neither way.
func TestFrontendAPIProxyHeaders(t *testing.T) {
	spoof := http.Header{
		"X-Forwarded-For":     {"203.0.113.9, 10.0.0.1"},
		"X-Forwarded-Host":    {"evil.example"},
		"X-Forwarded-Proto":   {"https"},
		"X-Real-Ip":           {"203.0.113.8"},
		"Forwarded":           {"for=203.0.113.7"},
		"Clerk-Secret-Key":    {"sk_test_chosen"},
		"Clerk-Proxy-Url":     {"https://evil.example/__clerk"},
		"Connection":          {"keep-alive, X-Custom-Hop"},
		"X-Custom-Hop":        {"1"},
		"Keep-Alive":          {"timeout=5"},
		"Te":                  {"trailers"},
		"Proxy-Authorization": {"Basic eDp5"},
		"User-Agent":          {"clerkgo-test"},
	}
	rows := []struct {
		name        string
		trust       bool
		proxyURL    string
		wantFor     string
		wantHost    string // X-Forwarded-Host; "" for the app's host
		wantProto   string
		wantProxyTo string // Clerk-Proxy-Url; "" for the app's URL + /__clerk
	}{
		{name: "untrusted", wantFor: "127.0.0.1", wantProto: "http"},
		{name: "trusted", trust: true, wantFor: "203.0.113.8", wantHost: "evil.example", wantProto: "https", wantProxyTo: "https://evil.example/__clerk"},
		{name: "Config.ProxyURL", trust: true, proxyURL: "https://app.example/__clerk/", wantFor: "203.0.113.8", wantHost: "evil.example", wantProto: "https", wantProxyTo: "https://app.example/__clerk"},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			s := newProxySetup(t, func(c *core.Config, o *core.ProxyOptions) {
				o.TrustForwardedHeaders = row.trust
				c.ProxyURL = row.proxyURL
			})
			res, body := s.do(t, "GET", "/__clerk/test/hop", nil, spoof)
			if res.StatusCode != 200 {
				t.Fatalf("status %d: %s", res.StatusCode, body)
			}
			up, _ := s.rt.last()
			host, proxyTo := row.wantHost, row.wantProxyTo
			if host == "" {
				host = strings.TrimPrefix(s.app.URL, "http://")
			}
			if proxyTo == "" {
				proxyTo = s.app.URL + "/__clerk"
			}
			h := up.header
			if h.Get("X-Forwarded-For") != row.wantFor || h.Get("X-Forwarded-Host") != host || h.Get("X-Forwarded-Proto") != row.wantProto {
				t.Errorf("X-Forwarded-For %q Host %q Proto %q", h.Get("X-Forwarded-For"), h.Get("X-Forwarded-Host"), h.Get("X-Forwarded-Proto"))
			}
			if h.Get("Clerk-Proxy-Url") != proxyTo || h.Get("Clerk-Secret-Key") != s.fake.SecretKey() {
				t.Errorf("Clerk-Proxy-Url %q; client's secret key kept: %t", h.Get("Clerk-Proxy-Url"), h.Get("Clerk-Secret-Key") == "sk_test_chosen")
			}
			for _, k := range []string{"Connection", "X-Custom-Hop", "Keep-Alive", "Te", "Proxy-Authorization", "Forwarded", "X-Real-Ip", "Cf-Connecting-Ip"} {
				if v, ok := h[k]; ok {
					t.Errorf("%s forwarded: %q", k, v)
				}
			}
			if h.Get("User-Agent") != "clerkgo-test" {
				t.Errorf("User-Agent %q", h.Get("User-Agent"))
			}
			for _, k := range []string{"X-Resp-Hop", "Keep-Alive"} {
				if v, ok := res.Header[k]; ok {
					t.Errorf("response %s passed back: %q", k, v)
				}
			}
			if res.Header.Get("X-Kept") != "1" {
				t.Error("an end-to-end response header was dropped")
			}
		})
	}
}

// TestFrontendAPIProxyPublicURL: Config.ProxyURL sets the mount path and
// the public URL that Locations are rewritten to; a Host that is not a
// plain host never becomes one.
func TestFrontendAPIProxyPublicURL(t *testing.T) {
	s := newProxySetup(t, func(c *core.Config, o *core.ProxyOptions) { c.ProxyURL = "https://app.example/api/__clerk" })
	if s.proxy.Path() != "/api/__clerk" {
		t.Fatalf("Path %q", s.proxy.Path())
	}
	b, h := url.Values{"user_id": {s.fake.DefaultUserID()}, "redirect_url": {s.fake.URL + "/sign-in#top"}}, http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}
	res, body := s.do(t, "POST", "/api/__clerk/sign-in", strings.NewReader(b.Encode()), h)
	if loc := res.Header.Get("Location"); res.StatusCode != 303 || !strings.HasPrefix(loc, "https://app.example/api/__clerk/sign-in?__clerk_db_jwt=dvb_") || !strings.HasSuffix(loc, "#top") {
		t.Fatalf("%d Location %q: %s", res.StatusCode, loc, body)
	}
	if res, body := s.do(t, "GET", "/__clerk/.well-known/jwks.json", nil, nil); res.StatusCode != 400 || proxyErrorCode(t, res, body) != core.ProxyPathMismatch {
		t.Errorf("the default path still served: %d", res.StatusCode)
	}

	// An absolute-form request target names another host: the Frontend API
	// host stays; the Clerk-Proxy-Url is Config.ProxyURL's.
	conn, err := net.Dial("tcp", strings.TrimPrefix(s.app.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_, _ = io.WriteString(conn, "GET http://evil.example/api/__clerk/.well-known/jwks.json HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n")
	raw, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	raw.Body.Close()
	up, _ := s.rt.last()
	if raw.StatusCode != 200 || up.host != s.fake.Host() || up.requestURI != "/.well-known/jwks.json" || up.header.Get("Clerk-Proxy-Url") != "https://app.example/api/__clerk" {
		t.Errorf("%d; upstream %s %s, proxy URL %q", raw.StatusCode, up.host, up.requestURI, up.header.Get("Clerk-Proxy-Url"))
	}

	// Without Config.ProxyURL, a Host that is not a plain host is refused.
	s2 := newProxySetup(t, nil)
	conn2, err := net.Dial("tcp", strings.TrimPrefix(s2.app.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn2.Close()
	_, _ = io.WriteString(conn2, "GET /__clerk/.well-known/jwks.json HTTP/1.1\r\nHost: evil_host.example\r\nConnection: close\r\n\r\n")
	raw, err = http.ReadResponse(bufio.NewReader(conn2), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Body.Close()
	rb, _ := io.ReadAll(raw.Body)
	if raw.StatusCode != 400 || !strings.Contains(string(rb), core.ProxyRequestFailed) || s2.rt.count() != 0 {
		t.Errorf("%d %s, upstream requests %d", raw.StatusCode, rb, s2.rt.count())
	}
}

// TestFrontendAPIProxyStreams: neither body is buffered: the Frontend API
// reads the first chunk of a request before the client sends the second,
// and the client reads the first chunk of an answer before the Frontend
// API writes the second.
func TestFrontendAPIProxyStreams(t *testing.T) {
	s := newProxySetup(t, nil)
	wait := func(ch chan struct{}, what string) {
		t.Helper()
		select {
		case <-ch:
		case <-time.After(10 * time.Second): // a deadlock guard, not a wait for a result
			t.Fatalf("%s: the body is buffered", what)
		}
	}

	pr, pw := io.Pipe()
	done := make(chan struct{})
	var res *http.Response
	var body string
	go func() {
		defer close(done)
		res, body = s.do(t, "POST", "/__clerk/test/stream-up", pr, nil)
	}()
	_, _ = pw.Write([]byte("chunk1"))
	wait(s.rt.chunk1, "request")
	_, _ = pw.Write([]byte("chunk2"))
	_ = pw.Close()
	<-done
	if res == nil || res.StatusCode != 200 || body != "chunk1chunk2" {
		t.Fatalf("request stream: %v %q", res, body)
	}

	req, _ := http.NewRequest("GET", s.app.URL+"/__clerk/test/stream-down", nil)
	r2, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer r2.Body.Close()
	br := bufio.NewReader(r2.Body)
	line, err := br.ReadString('\n')
	if err != nil || line != "first\n" {
		t.Fatalf("first chunk %q %v", line, err)
	}
	close(s.rt.release)
	if line, err = br.ReadString('\n'); err != nil || line != "second\n" {
		t.Fatalf("second chunk %q %v", line, err)
	}
}

// TestFrontendAPIProxyUpstreamDown: a Frontend API that cannot be reached
// is a 502 proxy_request_failed, logged without the secret key or the
// request's query (which may carry a session token).
func TestFrontendAPIProxyUpstreamDown(t *testing.T) {
	down := httptest.NewServer(http.NotFoundHandler())
	downURL := down.URL
	down.Close()
	s := newProxySetup(t, func(_ *core.Config, o *core.ProxyOptions) { o.FrontendAPIURL = downURL })
	s.rt.base = http.DefaultTransport
	res, body := s.do(t, "GET", "/__clerk/v1/client/handshake?__session=eyJ.secret-token.x", nil, nil)
	if res.StatusCode != 502 || proxyErrorCode(t, res, body) != core.ProxyRequestFailed {
		t.Fatalf("%d %s", res.StatusCode, body)
	}
	logs := s.logs.String()
	if !strings.Contains(logs, "could not reach Clerk") {
		t.Errorf("no log line: %q", logs)
	}
	for _, leak := range []string{s.fake.SecretKey(), "secret-token", "__session"} {
		if strings.Contains(logs, leak) || strings.Contains(body, leak) {
			t.Errorf("%q leaked: %s %s", leak, logs, body)
		}
	}
}

// TestNewFrontendAPIProxyErrors: configuration errors surface at
// construction, name the setting and never the secret key.
func TestNewFrontendAPIProxyErrors(t *testing.T) {
	fake := clerktest.New(clerktest.WithKey(key(0)))
	t.Cleanup(fake.Close)
	full := core.Config{SecretKey: fake.SecretKey(), PublishableKey: fake.PublishableKey(), APIURL: fake.URL}
	rows := []struct {
		name  string
		cfg   core.Config
		opts  core.ProxyOptions
		field string
		is    error
	}{
		{name: "no secret key", cfg: core.Config{PublishableKey: fake.PublishableKey()}, field: "SecretKey", is: core.ErrProxyNeedsKeys},
		{name: "no publishable key", cfg: core.Config{SecretKey: fake.SecretKey(), APIURL: fake.URL}, field: "PublishableKey", is: core.ErrProxyNeedsKeys},
		{name: "Domain is not a publishable key", cfg: core.Config{SecretKey: fake.SecretKey(), APIURL: fake.URL, Domain: "clerk.example.com"}, field: "PublishableKey", is: core.ErrProxyNeedsKeys},
		{name: "relative path", cfg: full, opts: core.ProxyOptions{Path: "__clerk"}, field: "ProxyOptions.Path"},
		{name: "root path", cfg: full, opts: core.ProxyOptions{Path: "/"}, field: "ProxyOptions.Path"},
		{name: "dot segment", cfg: full, opts: core.ProxyOptions{Path: "/a/../__clerk"}, field: "ProxyOptions.Path"},
		{name: "query in path", cfg: full, opts: core.ProxyOptions{Path: "/__clerk?x"}, field: "ProxyOptions.Path"},
		{name: "Config.ProxyURL's path", cfg: core.Config{SecretKey: fake.SecretKey(), PublishableKey: fake.PublishableKey(), APIURL: fake.URL, ProxyURL: "https://app.example/a%20b"}, field: "ProxyURL"},
		{name: "plain http upstream", cfg: full, opts: core.ProxyOptions{FrontendAPIURL: "http://frontend-api.clerk.dev"}, field: "ProxyOptions.FrontendAPIURL"},
		{name: "upstream with a query", cfg: full, opts: core.ProxyOptions{FrontendAPIURL: "https://frontend-api.clerk.dev?env=x"}, field: "ProxyOptions.FrontendAPIURL"},
		{name: "upstream with credentials", cfg: full, opts: core.ProxyOptions{FrontendAPIURL: "https://u:p@frontend-api.clerk.dev"}, field: "ProxyOptions.FrontendAPIURL"},
		{name: "upstream not a URL", cfg: full, opts: core.ProxyOptions{FrontendAPIURL: "not-a-url"}, field: "ProxyOptions.FrontendAPIURL"},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			c := newClient(t, row.cfg)
			row.opts.Client = c
			p, err := core.NewFrontendAPIProxy(row.opts)
			var ce *core.ConfigError
			if p != nil || !errors.As(err, &ce) || ce.Field != row.field {
				t.Fatalf("got %v, %v; want a *ConfigError of %s", p, err, row.field)
			}
			if row.is != nil && !errors.Is(err, row.is) {
				t.Errorf("%v is not %v", err, row.is)
			}
			if strings.Contains(err.Error(), fake.SecretKey()) {
				t.Error("the error holds the secret key")
			}
		})
	}

	// The zero proxy answers, without panicking, that it is not configured.
	for _, p := range []*core.FrontendAPIProxy{nil, {}} {
		rec := httptest.NewRecorder()
		p.ServeHTTP(rec, httptest.NewRequest("GET", "/__clerk/v1/client", nil))
		if rec.Code != 500 || !strings.Contains(rec.Body.String(), core.ProxyConfigurationError) || p.Path() != "" || p.Close() != nil {
			t.Errorf("zero proxy: %d %s", rec.Code, rec.Body)
		}
	}
}

// TestNewFrontendAPIProxyFromEnv: without a Client the proxy builds one
// from the environment, and Close closes it.
func TestNewFrontendAPIProxyFromEnv(t *testing.T) {
	fake := clerktest.New(clerktest.WithKey(key(0)))
	t.Cleanup(fake.Close)
	for _, name := range core.EnvNames() {
		t.Setenv(name, "")
	}
	t.Setenv(core.EnvSecretKey, fake.SecretKey())
	t.Setenv(core.EnvPublishableKey, fake.PublishableKey())
	t.Setenv(core.EnvAPIURL, fake.URL)
	p, err := core.NewFrontendAPIProxy(core.ProxyOptions{FrontendAPIURL: fake.URL, Path: "/clerk-proxy/"})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if p.Path() != "/clerk-proxy" {
		t.Errorf("Path %q", p.Path())
	}
	if s := fmt.Sprintf("%v %+v %#v", p, p, *p); strings.Contains(s, fake.SecretKey()) {
		t.Error("the formatted proxy holds the secret key")
	}
	rec := httptest.NewRecorder()
	p.ServeHTTP(rec, httptest.NewRequest("GET", "/clerk-proxy/.well-known/jwks.json", nil))
	if rec.Code != 200 || fake.Requests(clerktest.EndpointWellKnownJWKS) != 1 {
		t.Errorf("%d %s", rec.Code, rec.Body)
	}
	t.Setenv(core.EnvSecretKey, "")
	if _, err := core.NewFrontendAPIProxy(core.ProxyOptions{}); !errors.Is(err, core.ErrProxyNeedsKeys) {
		t.Errorf("no secret key in the environment: %v", err)
	}
}

// TestFrontendAPIProxyBrowserRoundTrip: with Config.ProxyURL on the proxy,
// a browser (a cookie jar following redirects) signs in on the fake Clerk's
// page and is handed through the handshake, all through the proxy: it
// never talks to the Frontend API's host itself, and ends signed in.
func TestFrontendAPIProxyBrowserRoundTrip(t *testing.T) {
	var handler http.Handler
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { handler.ServeHTTP(w, r) }))
	t.Cleanup(app.Close)
	fake := clerktest.New(clerktest.WithKey(key(0)), clerktest.WithIssuer(app.URL+"/__clerk"))
	t.Cleanup(fake.Close)
	c := newClient(t, core.Config{SecretKey: fake.SecretKey(), PublishableKey: fake.PublishableKey(), APIURL: fake.URL, ProxyURL: app.URL + "/__clerk",
		SignInURL: app.URL + "/__clerk/sign-in"}) // the fake's sign-in page, through the proxy too
	proxy, err := core.NewFrontendAPIProxy(core.ProxyOptions{Client: c, FrontendAPIURL: fake.URL})
	if err != nil {
		t.Fatal(err)
	}
	a, err := core.NewAuthenticator(core.Options{Client: c, BrowserPages: true, SkipUserFetch: true})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/__clerk/", proxy)
	mux.HandleFunc("/dashboard", func(w http.ResponseWriter, r *http.Request) {
		res := a.AuthenticatePage(r.Context(), core.HTTPRequest(r))
		res.CopyHeaders(w.Header())
		switch {
		case res.Redirect():
			w.WriteHeader(http.StatusTemporaryRedirect)
		case res.Status != core.PageSignedIn:
			core.WriteFailure(w, res.Err)
		default:
			_, _ = io.WriteString(w, "hello "+res.Auth.Session.Subject)
		}
	})
	handler = mux

	jar, _ := cookiejar.New(nil)
	var hosts []string
	var first string // the app's first redirect
	browser := &http.Client{Jar: jar, CheckRedirect: func(r *http.Request, via []*http.Request) error {
		if first == "" {
			first = r.URL.String()
		}
		return nil
	}, Transport: roundTripper(func(r *http.Request) (*http.Response, error) {
		hosts = append(hosts, r.URL.Host)
		r.Header.Set("Sec-Fetch-Dest", "document")
		return http.DefaultTransport.RoundTrip(r)
	})}
	defer browser.CloseIdleConnections()
	page := func() (int, string) {
		t.Helper()
		res, err := browser.Get(app.URL + "/dashboard")
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}

	// Signed out: the development browser is handed out by the handshake,
	// then the browser is sent to the sign-in page.
	if status, body := page(); status != http.StatusOK || !strings.Contains(body, "Sign in") {
		t.Fatalf("signed out: %d %q, want the sign-in page", status, body)
	}
	if !strings.HasPrefix(first, app.URL+"/__clerk/v1/client/handshake?") {
		t.Errorf("the handshake went to %q", first)
	}
	appURL, _ := url.Parse(app.URL)
	devBrowser := ""
	for _, ck := range jar.Cookies(appURL) {
		if ck.Name == clerktest.CookieDevBrowser {
			devBrowser = ck.Value
		}
	}
	if devBrowser == "" {
		t.Fatal("no development browser after the handshake")
	}

	// Sign in on the fake's page, through the proxy, back to the dashboard.
	res, err := browser.PostForm(app.URL+"/__clerk/sign-in", url.Values{
		"user_id": {fake.DefaultUserID()}, "redirect_url": {app.URL + "/dashboard"}, clerktest.CookieDevBrowser: {devBrowser},
	})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || string(b) != "hello "+fake.DefaultUserID() {
		t.Fatalf("after sign-in: %d %s", res.StatusCode, b)
	}
	if status, body := page(); status != 200 || body != "hello "+fake.DefaultUserID() {
		t.Fatalf("signed in: %d %s", status, body)
	}
	if fake.Requests(clerktest.EndpointHandshake) < 2 {
		t.Errorf("%d handshakes", fake.Requests(clerktest.EndpointHandshake))
	}
	for _, h := range hosts {
		if h != appURL.Host {
			t.Errorf("the browser went to %s", h)
		}
	}
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// TestFrontendAPIProxyUpstreamHangs: a Frontend API that accepts the
// request and never answers costs the proxy Config.Timeout, then a 502
// proxy_request_failed and a log line, even when the client waits forever
// (Fiber's adapters give the proxy a context that never ends).
func TestFrontendAPIProxyUpstreamHangs(t *testing.T) {
	s := newProxySetup(t, func(c *core.Config, _ *core.ProxyOptions) { c.Timeout = 50 * time.Millisecond })
	req, err := http.NewRequest("GET", s.app.URL+"/__clerk/test/hang?__session=eyJ.secret-token.x", nil)
	if err != nil {
		t.Fatal(err)
	}
	client := &http.Client{Timeout: 10 * time.Second} // only a bound on the failure
	res, err := client.Do(req)
	if err != nil {
		t.Fatalf("the proxy did not answer: %v", err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != 502 || proxyErrorCode(t, res, string(b)) != core.ProxyRequestFailed {
		t.Fatalf("%d %s", res.StatusCode, b)
	}
	logs := s.logs.String()
	if !strings.Contains(logs, "could not reach Clerk") || !strings.Contains(logs, "did not answer in time") {
		t.Errorf("log: %q", logs)
	}
	if strings.Contains(logs, "secret-token") || strings.Contains(logs, s.fake.SecretKey()) {
		t.Errorf("a secret in the log: %q", logs)
	}

	// An answer that has started streams on past Config.Timeout (over real
	// HTTP: cancelling the call would cut the body).
	release := make(chan struct{})
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "first\n")
		w.(http.Flusher).Flush()
		select {
		case <-release:
		case <-r.Context().Done():
			return
		}
		_, _ = io.WriteString(w, "second\n")
	}))
	defer up.Close()
	s2 := newProxySetup(t, func(c *core.Config, o *core.ProxyOptions) {
		c.Timeout = 50 * time.Millisecond
		o.FrontendAPIURL = up.URL
	})
	s2.rt.base = up.Client().Transport
	r2, err := client.Get(s2.app.URL + "/__clerk/v1/stream")
	if err != nil {
		t.Fatal(err)
	}
	defer r2.Body.Close()
	br := bufio.NewReader(r2.Body)
	if line, err := br.ReadString('\n'); err != nil || line != "first\n" {
		t.Fatalf("first chunk %q %v", line, err)
	}
	<-time.After(150 * time.Millisecond) // past the 50ms bound on purpose, not a wait for a result
	close(release)
	if line, err := br.ReadString('\n'); err != nil || line != "second\n" {
		t.Fatalf("second chunk after the timeout: %q %v", line, err)
	}
}
