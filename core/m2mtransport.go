package core

import (
	"errors"
	"net"
	"net/http"
	"strings"
)

// ErrM2MInsecureRequest is returned by an M2M transport asked to send its
// token over plain http to a host that is not loopback.
var ErrM2MInsecureRequest = errors.New("clerk: refusing to send an M2M token over plain http to a non-loopback host")

// errM2MHost is a host entry the transport cannot use.
var errM2MHost = errors.New(`clerk: M2M transport hosts must be host names or "host:port", without scheme, path or user info`)

// m2mTransport adds the source's token to requests for its hosts.
type m2mTransport struct {
	src   *M2MTokenSource
	base  http.RoundTripper
	hosts map[string]struct{} // lower-case "host" (default port) or "host:port"
}

// Transport returns an [http.RoundTripper] that sends each request through
// base (http.DefaultTransport when nil), adding "Authorization: Bearer
// <token>" (replacing any) to the requests, and only those, whose URL host
// is one of hosts: "api.internal" matches that host on the scheme's
// default port, "api.internal:8443" that port only; matching ignores case.
// Requests to any other host go out untouched, so the token never reaches
// a host it was not meant for, also when an http.Client follows a redirect
// there (each hop is a new request, checked anew). The token is sent over
// https, or over http to loopback hosts only ([ErrM2MInsecureRequest]
// otherwise). A request is cloned, never modified. When no token can be
// had, RoundTrip fails with the source's [*Error] (class [ErrUnavailable]).
func (s *M2MTokenSource) Transport(base http.RoundTripper, hosts ...string) (http.RoundTripper, error) {
	if s == nil || s.c == nil {
		return nil, errNilClient
	}
	if base == nil {
		base = http.DefaultTransport
	}
	if len(hosts) == 0 {
		return nil, errM2MHost
	}
	t := &m2mTransport{src: s, base: base, hosts: make(map[string]struct{}, len(hosts))}
	for _, h := range hosts {
		if h == "" || strings.ContainsAny(h, "/?#@ \t\r\n") {
			return nil, errM2MHost
		}
		t.hosts[strings.ToLower(h)] = struct{}{}
	}
	return t, nil
}

// HTTPClient returns an *http.Client whose Transport is
// Transport(http.DefaultTransport, hosts...), and with no timeout: bound
// each call with its request's context.
func (s *M2MTokenSource) HTTPClient(hosts ...string) (*http.Client, error) {
	t, err := s.Transport(nil, hosts...)
	if err != nil {
		return nil, err
	}
	return &http.Client{Transport: t}, nil
}

// RoundTrip adds the token for the transport's hosts and sends the request
// through the base transport.
func (t *m2mTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL == nil || !t.matches(req.URL.Scheme, req.URL.Host) {
		return t.base.RoundTrip(req)
	}
	fail := func(err error) (*http.Response, error) {
		if req.Body != nil {
			_ = req.Body.Close() // RoundTrip must close the body, even on errors
		}
		return nil, err
	}
	if req.URL.Scheme != "https" && !isLoopbackHost(req.URL.Hostname()) {
		return fail(ErrM2MInsecureRequest)
	}
	tok, err := t.src.Token(req.Context())
	if err != nil {
		return fail(err)
	}
	r := req.Clone(req.Context())
	r.Header.Set("Authorization", "Bearer "+tok.Value())
	return t.base.RoundTrip(r)
}

// matches reports whether host (of a URL with scheme) is one of the
// transport's hosts.
func (t *m2mTransport) matches(scheme, host string) bool {
	host = strings.ToLower(host)
	if _, ok := t.hosts[host]; ok {
		return true
	}
	name, port, err := net.SplitHostPort(host)
	if err != nil { // no port: the scheme's default
		name = strings.Trim(host, "[]")
		_, ok := t.hosts[name]
		return ok
	}
	if (scheme == "https" && port == "443") || (scheme == "http" && port == "80") {
		_, ok := t.hosts[name]
		return ok
	}
	return false
}

// isLoopbackHost reports whether host is localhost or a loopback IP.
func isLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
