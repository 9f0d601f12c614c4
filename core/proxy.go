package core

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/http/httputil"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"github.com/clerkgo/clerk/core/bapi"
)

// The Frontend API proxy: @clerk/backend's clerkFrontendApiProxy (proxy.ts)
// on net/http/httputil.ReverseProxy.

// DefaultProxyPath is where a [FrontendAPIProxy] is mounted unless
// ProxyOptions.Path or Config.ProxyURL says otherwise (@clerk/shared's
// DEFAULT_PROXY_PATH).
const DefaultProxyPath = "/__clerk"

// The Frontend API a proxy forwards to, by the publishable key's host
// (@clerk/shared's PROD_FAPI_URL, STAGING_FAPI_URL, LOCAL_FAPI_URL): Clerk
// tells the instance apart by the Clerk-Proxy-Url and Clerk-Secret-Key
// headers, not by the host.
const (
	frontendAPIProduction = "https://frontend-api.clerk.dev"
	frontendAPIStaging    = "https://frontend-api.clerkstage.dev"
	frontendAPILocal      = "https://frontend-api.lclclerk.com"
)

// Error codes of a [FrontendAPIProxy]'s JSON answers, as Clerk's proxy
// spells them: {"errors":[{"code":...,"message":...}]}.
const (
	// ProxyConfigurationError (HTTP 500): the proxy is not configured (a nil
	// or zero FrontendAPIProxy).
	ProxyConfigurationError = "proxy_configuration_error"
	// ProxyPathMismatch (HTTP 400): the request's path is not under the
	// proxy's path, or has a dot segment.
	ProxyPathMismatch = "proxy_path_mismatch"
	// ProxyRequestFailed: HTTP 502 when the Frontend API could not be
	// reached or did not answer; HTTP 400 when the request's public URL
	// cannot be told (a Host header that is not a plain host[:port]).
	ProxyRequestFailed = "proxy_request_failed"
)

// ErrProxyNeedsKeys is matched (errors.Is) by the *ConfigError
// [NewFrontendAPIProxy] returns for a client without a secret key or a
// publishable key.
var ErrProxyNeedsKeys = errors.New("clerk: the Frontend API proxy needs a secret key (CLERK_SECRET_KEY), which it sends to Clerk as Clerk-Secret-Key, and a publishable key (CLERK_PUBLISHABLE_KEY), which picks the Frontend API")

// ProxyOptions configure a [FrontendAPIProxy]. The zero value of every
// field is its default.
type ProxyOptions struct {
	// Client is the instance whose Frontend API is proxied: its secret key
	// authenticates the proxy to Clerk, its publishable key picks the
	// Frontend API, and its Config.ProxyURL, when set, is the proxy's public
	// URL. Nil: a client built from the environment with [NewFromEnv],
	// which the proxy owns and [FrontendAPIProxy.Close] closes.
	Client *Client
	// Path is the path the proxy is mounted at, such as "/__clerk"
	// (letters, digits and "-._~/", starting with "/", no trailing "/", no
	// dot segment). Default: the path of Config.ProxyURL when it has one,
	// else [DefaultProxyPath]. Requests reach the proxy with their full
	// path: mount it without stripping the prefix.
	Path string
	// FrontendAPIURL overrides where requests are forwarded: for tests
	// and fakes, such as clerktest.Server.URL (https, or http on
	// loopback; no query, fragment or credentials). Default: the Frontend
	// API Clerk's proxy picks from the publishable key
	// (https://frontend-api.clerk.dev for production and development
	// instances alike).
	FrontendAPIURL string
	// TrustForwardedHeaders makes the proxy take the request's public
	// scheme and host from X-Forwarded-Proto and X-Forwarded-Host, and the
	// browser's IP from CF-Connecting-IP, X-Real-IP or the first
	// X-Forwarded-For, as Options.TrustForwardedHeaders does for pages.
	// Turn it on only behind a proxy that sets them and drops what clients
	// send. Default off: the scheme comes from the connection, the host
	// from the Host header, the IP from the connection's peer.
	TrustForwardedHeaders bool
}

// FrontendAPIProxy serves an instance's Frontend API from the
// application's own domain, as @clerk/backend's clerkFrontendApiProxy
// does: mounted at Path (default "/__clerk"), it forwards every request
// under it to the Frontend API, streaming bodies both ways, with
// Clerk-Proxy-Url (the proxy's public URL), Clerk-Secret-Key and
// X-Forwarded-For/-Host/-Proto, without hop-by-hop headers, and rewrites a
// Location on the Frontend API back through the proxy. The target host
// never depends on the request. Its own failures are JSON answers with a
// code ([ProxyPathMismatch], [ProxyRequestFailed]).
//
// Build it with [NewFrontendAPIProxy]; set the same URL as the instance's
// proxy URL in the Clerk dashboard and as Config.ProxyURL. A
// FrontendAPIProxy is safe for concurrent use.
type FrontendAPIProxy struct {
	client    *Client
	owned     bool     // client built from the environment: Close closes it
	path      string   // without a trailing slash
	upstream  *url.URL // scheme, host and path (no trailing slash)
	publicURL string   // Config.ProxyURL without a trailing slash, or ""
	trust     bool
	rp        *httputil.ReverseProxy
}

// NewFrontendAPIProxy validates o and returns the proxy. Every
// configuration error surfaces here: a *ConfigError naming the setting
// (matching [ErrProxyNeedsKeys] for a missing key), never a secret.
func NewFrontendAPIProxy(o ProxyOptions) (*FrontendAPIProxy, error) {
	c, owned := o.Client, false
	if c == nil {
		var err error
		if c, err = NewFromEnv(); err != nil {
			return nil, err
		}
		owned = true
	}
	p, err := newFrontendAPIProxy(c, o)
	if err != nil {
		if owned {
			_ = c.Close()
		}
		return nil, err
	}
	p.owned = owned
	return p, nil
}

func newFrontendAPIProxy(c *Client, o ProxyOptions) (*FrontendAPIProxy, error) {
	if c.s == nil {
		return nil, errNilClient
	}
	switch {
	case c.s.SecretKey == "":
		return nil, &ConfigError{Field: "SecretKey", Problem: "is required by the Frontend API proxy", Instance: c.s.Name, Err: ErrProxyNeedsKeys}
	case c.s.cookieSuffix == "": // set from a publishable key only
		return nil, &ConfigError{Field: "PublishableKey", Problem: "is required by the Frontend API proxy", Instance: c.s.Name, Err: ErrProxyNeedsKeys}
	}
	p := &FrontendAPIProxy{client: c, publicURL: c.s.proxyURL, trust: o.TrustForwardedHeaders}

	field := "ProxyOptions.Path"
	p.path = o.Path
	if p.path == "" {
		p.path = DefaultProxyPath
		if u, err := url.Parse(c.s.proxyURL); err == nil && c.s.proxyURL != "" && strings.Trim(u.Path, "/") != "" {
			p.path, field = u.EscapedPath(), "ProxyURL"
		}
	}
	p.path = strings.TrimRight(p.path, "/")
	if problem := checkProxyPath(p.path); problem != "" {
		return nil, &ConfigError{Field: field, Problem: "as the proxy's path " + problem, Instance: c.s.Name}
	}

	raw := o.FrontendAPIURL
	if raw == "" {
		raw = frontendAPIFor(c.s.frontendHost)
	}
	raw = strings.TrimRight(raw, "/")
	if err := bapi.CheckBaseURL(raw); err != nil {
		return nil, &ConfigError{Field: "ProxyOptions.FrontendAPIURL", Problem: urlProblem(err), Instance: c.s.Name}
	}
	u, _ := url.Parse(raw) // checked above
	p.upstream = &url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path, RawPath: u.RawPath}

	transport := c.s.HTTPClient.Transport
	if transport == nil {
		transport = http.DefaultTransport
	}
	errLog := log.New(io.Discard, "", 0)
	if c.s.Logger != nil {
		errLog = slog.NewLogLogger(c.s.Logger.Handler(), slog.LevelWarn)
	}
	p.rp = &httputil.ReverseProxy{
		Rewrite:        p.rewrite,
		Transport:      transport,
		FlushInterval:  -1, // stream: flush every write
		ModifyResponse: p.modifyResponse,
		ErrorHandler:   p.upstreamFailed,
		ErrorLog:       errLog,
	}
	return p, nil
}

// frontendAPIFor is @clerk/backend's fapiUrlFromPublishableKey: the
// Frontend API a proxy forwards to, by the instance's Frontend API host.
func frontendAPIFor(host string) string {
	hasSuffix := func(suffixes ...string) bool {
		for _, s := range suffixes {
			if strings.HasSuffix(host, s) {
				return true
			}
		}
		return false
	}
	switch {
	case strings.HasPrefix(host, "clerk.") && hasSuffix(".lcl.dev", ".lclstage.dev", ".lclclerk.com"):
		return frontendAPIProduction // legacy development instances
	case hasSuffix(".lcl.dev", "lclstage.dev", ".lclclerk.com", ".accounts.lclclerk.com"):
		return frontendAPILocal
	case hasSuffix(".accountsstage.dev"):
		return frontendAPIStaging
	}
	return frontendAPIProduction
}

// checkProxyPath says what is wrong with a mount path, or "".
func checkProxyPath(p string) string {
	if !strings.HasPrefix(p, "/") {
		return `must start with "/" and not be "/"`
	}
	for i := 0; i < len(p); i++ {
		c := p[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-._~/", c) >= 0) {
			return `may hold only letters, digits and "-._~/"`
		}
	}
	for _, seg := range strings.Split(p[1:], "/") {
		if seg == "" || seg == "." || seg == ".." {
			return "must not have empty or dot segments"
		}
	}
	return ""
}

// Path returns the path the proxy is mounted at, without a trailing slash
// ("" for a nil or zero proxy).
func (p *FrontendAPIProxy) Path() string {
	if p == nil {
		return ""
	}
	return p.path
}

// Close closes the client the proxy built from the environment (no
// ProxyOptions.Client); a client passed in is the caller's to close. Close
// is idempotent and safe on a nil or zero proxy.
func (p *FrontendAPIProxy) Close() error {
	if p == nil || !p.owned {
		return nil
	}
	return p.client.Close()
}

// proxyCall is what ServeHTTP works out before forwarding.
type proxyCall struct {
	target   url.URL     // the Frontend API URL, query excluded
	proxyURL string      // the proxy's public URL (Clerk-Proxy-Url)
	scheme   string      // the request's public scheme
	host     string      // the request's public host
	clientIP string      // the browser's IP, or ""
	answer   *time.Timer // cancels the call unless the Frontend API answers in time
}

// errProxyTimeout is the cause of a proxied call the Frontend API did not
// start answering within Config.Timeout.
var errProxyTimeout = errors.New("the Frontend API did not answer in time")

type proxyCallKey struct{}

// ServeHTTP forwards the request to the Frontend API. A request outside
// the proxy's path, or with a dot segment, gets 400 [ProxyPathMismatch];
// one whose public URL cannot be told (a Host that is not a plain
// host[:port]) 400 [ProxyRequestFailed]; a Frontend API that cannot be
// reached, or does not start answering within the client's Config.Timeout
// (the request body's upload included), 502 [ProxyRequestFailed]; an answer
// that has started streams on unbounded. A nil or zero proxy answers 500
// [ProxyConfigurationError].
func (p *FrontendAPIProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if p == nil || p.rp == nil {
		writeProxyError(w, http.StatusInternalServerError, ProxyConfigurationError, "The Frontend API proxy is not configured: build it with core.NewFrontendAPIProxy.")
		return
	}
	rest, problem := p.forwardPath(r.URL.EscapedPath())
	if problem != "" {
		writeProxyError(w, http.StatusBadRequest, ProxyPathMismatch, problem)
		return
	}
	call := &proxyCall{target: *p.upstream}
	call.target.RawPath = p.upstream.EscapedPath() + rest
	call.target.Path, _ = url.PathUnescape(call.target.RawPath) // rest is checked

	call.scheme, call.host = "http", r.Host
	if r.TLS != nil {
		call.scheme = "https"
	}
	if p.trust {
		if v := firstValue(r.Header.Get("X-Forwarded-Proto")); v != "" {
			call.scheme = strings.ToLower(v)
		}
		if v := firstValue(r.Header.Get("X-Forwarded-Host")); v != "" {
			call.host = v
		}
	}
	if (call.scheme != "http" && call.scheme != "https") || !validHost(call.host) {
		writeProxyError(w, http.StatusBadRequest, ProxyRequestFailed, "The request's public URL cannot be told: its scheme or host is not valid.")
		return
	}
	call.proxyURL = p.publicURL
	if call.proxyURL == "" {
		call.proxyURL = call.scheme + "://" + call.host + p.path
	}
	call.clientIP = p.clientIP(r)
	// The Frontend API must start answering within Config.Timeout (the
	// body then streams for as long as it takes): a Frontend API that
	// hangs must not hold the request, and its goroutine, forever (a
	// client that stays, or an adapter whose context never ends).
	ctx, cancel := context.WithCancelCause(context.WithValue(r.Context(), proxyCallKey{}, call))
	defer cancel(nil)
	call.answer = time.AfterFunc(p.client.s.Timeout, func() { cancel(errProxyTimeout) })
	defer call.answer.Stop()
	p.rp.ServeHTTP(w, r.WithContext(ctx))
}

// forwardPath returns the escaped path to append to the Frontend API's:
// the request's path after the proxy's, with runs of slashes collapsed, or
// a problem for a request outside the proxy's path or with a dot segment
// (also escaped: %2e%2e, or ".." between encoded slashes or backslashes).
func (p *FrontendAPIProxy) forwardPath(escaped string) (rest, problem string) {
	rest, ok := strings.CutPrefix(escaped, p.path)
	if !ok || (rest != "" && rest[0] != '/') {
		return "", "The request path does not match the proxy path " + p.path + "."
	}
	var b strings.Builder
	for _, seg := range strings.Split(rest, "/") {
		if seg == "" {
			continue
		}
		dec, err := url.PathUnescape(seg)
		if err != nil {
			return "", "The request path is not validly escaped."
		}
		for _, part := range strings.FieldsFunc(dec, func(r rune) bool { return r == '/' || r == '\\' }) {
			if part == "." || part == ".." {
				return "", "The request path must not have dot segments."
			}
		}
		b.WriteByte('/')
		b.WriteString(seg)
	}
	if strings.HasSuffix(rest, "/") || b.Len() == 0 {
		b.WriteByte('/')
	}
	return b.String(), ""
}

// clientIP is the browser's IP: with trusted forwarded headers the first
// of CF-Connecting-IP, X-Real-IP and X-Forwarded-For's first value that is
// an IP (Clerk's getClientIp), else the connection's peer.
func (p *FrontendAPIProxy) clientIP(r *http.Request) string {
	if p.trust {
		for _, v := range []string{r.Header.Get("CF-Connecting-IP"), r.Header.Get("X-Real-IP"), firstValue(r.Header.Get("X-Forwarded-For"))} {
			if a, err := netip.ParseAddr(strings.TrimSpace(v)); err == nil {
				return a.String()
			}
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return ""
	}
	if a, err := netip.ParseAddr(host); err == nil {
		return a.String()
	}
	return ""
}

// rewrite builds the outbound request: the pinned target, the proxy's
// headers, and none of the hop-by-hop ones (ReverseProxy has removed those
// of RFC 7230 and the Connection header's; it puts back an Upgrade, which
// Clerk's proxy does not forward either).
func (p *FrontendAPIProxy) rewrite(pr *httputil.ProxyRequest) {
	call, _ := pr.In.Context().Value(proxyCallKey{}).(*proxyCall)
	if call == nil { // not through ServeHTTP: never forward
		call = &proxyCall{target: url.URL{Scheme: "http", Host: "invalid.invalid"}}
	}
	query := pr.Out.URL.RawQuery // without unparsable parameters
	target := call.target
	target.RawQuery = query
	pr.Out.URL = &target
	pr.Out.Host = ""
	h := pr.Out.Header
	for _, k := range []string{"Connection", "Upgrade", "Te", "Trailer", "Keep-Alive", "Proxy-Connection", "Proxy-Authorization", "CF-Connecting-IP", "X-Real-IP"} {
		h.Del(k)
	}
	h.Set("Clerk-Proxy-Url", call.proxyURL)
	h.Set("Clerk-Secret-Key", p.client.s.SecretKey)
	h.Set("X-Forwarded-Host", call.host)
	h.Set("X-Forwarded-Proto", call.scheme)
	if call.clientIP != "" {
		h.Set("X-Forwarded-For", call.clientIP)
	}
}

// modifyResponse rewrites a Location on the Frontend API (absolute, or
// relative to it) to the same place through the proxy, as Clerk's proxy
// does; a Location elsewhere is left alone.
func (p *FrontendAPIProxy) modifyResponse(res *http.Response) error {
	call, _ := res.Request.Context().Value(proxyCallKey{}).(*proxyCall)
	if call == nil {
		return nil
	}
	if call.answer != nil {
		call.answer.Stop() // the answer has started: it streams on
	}
	loc := res.Header.Get("Location")
	if loc == "" {
		return nil
	}
	if to, ok := p.rewriteLocation(loc, call.proxyURL); ok {
		res.Header.Set("Location", to)
	}
	return nil
}

// rewriteLocation maps a Location on the Frontend API to the proxy's
// public URL proxyURL; ok is false for one elsewhere or unparsable.
func (p *FrontendAPIProxy) rewriteLocation(loc, proxyURL string) (string, bool) {
	ref, err := url.Parse(loc)
	if err != nil {
		return "", false
	}
	u := p.upstream.ResolveReference(ref)
	if !strings.EqualFold(u.Host, p.upstream.Host) || (u.Scheme != "http" && u.Scheme != "https") {
		return "", false
	}
	path := u.EscapedPath()
	if base := p.upstream.EscapedPath(); base != "" {
		rest, ok := strings.CutPrefix(path, base)
		if !ok || (rest != "" && rest[0] != '/') {
			return "", false // outside the Frontend API's base path
		}
		path = rest
	}
	if path == "" {
		path = "/"
	}
	out := proxyURL + path
	if u.RawQuery != "" || u.ForceQuery {
		out += "?" + u.RawQuery
	}
	if u.Fragment != "" {
		out += "#" + u.EscapedFragment()
	}
	return out, true
}

// upstreamFailed answers 502 proxy_request_failed when the Frontend API
// cannot be reached, and logs why: the transport's error without the URL
// (whose query may hold a session token).
func (p *FrontendAPIProxy) upstreamFailed(w http.ResponseWriter, r *http.Request, err error) {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	if errors.Is(context.Cause(r.Context()), errProxyTimeout) {
		err = errProxyTimeout
	}
	if l := p.client.s.Logger; l != nil && !errors.Is(err, context.Canceled) {
		l.LogAttrs(r.Context(), slog.LevelWarn, "clerk: the Frontend API proxy could not reach Clerk",
			slog.String("instance", p.client.s.Name), slog.String("error", err.Error()))
	}
	writeProxyError(w, http.StatusBadGateway, ProxyRequestFailed, "Failed to proxy request to Clerk FAPI.")
}

// writeProxyError writes Clerk's proxy error body.
func writeProxyError(w http.ResponseWriter, status int, code, message string) {
	type proxyError struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	}
	body, _ := json.Marshal(struct {
		Errors []proxyError `json:"errors"`
	}{[]proxyError{{code, message}}})
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
