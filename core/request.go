package core

import (
	"errors"
	"net/http"
	"strings"
)

// Request is the part of an HTTP request an [Authenticator] reads, in
// framework-neutral form: the adapters implement it over their request
// types (net/http, fasthttp), without copying headers.
type Request interface {
	// Method is the request method.
	Method() string
	// Header returns the first value of a request header, or "". For
	// "Cookie", all Cookie header lines joined with "; ".
	Header(name string) string
	// Query returns the first value of a URL query parameter, or "".
	Query(name string) string
}

// Extractor says where a request may carry its token; see [TokenFrom] in
// each adapter. Extractors are tried in order and the first that finds a
// token decides: a bad token never falls back to the next extractor.
type Extractor struct {
	kind extractorKind
	name string
	fn   func(Request) (string, error)
}

type extractorKind uint8

const (
	fromAuthorization extractorKind = iota + 1
	fromHeader
	fromCookie
	fromQuery
	fromFunc
)

// FromAuthorizationHeader reads the Authorization header: "Bearer <token>"
// (scheme case-insensitive) or a bare token with no scheme; other schemes
// (Basic, ...) carry no token. The default's first extractor.
func FromAuthorizationHeader() Extractor { return Extractor{kind: fromAuthorization} }

// FromHeader reads the token from another request header (such as
// "X-API-Key"), its whole value, trimmed; a "Bearer " prefix is removed.
func FromHeader(name string) Extractor { return Extractor{kind: fromHeader, name: name} }

// FromCookie reads a session token from the cookie called name, with
// Clerk's cookie rules (the __client_uat cookie beside it; the suffixed
// cookies of several apps on one domain when name is "__session"). Cookies
// only ever carry session tokens. The default's second extractor, with the
// SessionKey option's name.
func FromCookie(name string) Extractor { return Extractor{kind: fromCookie, name: name} }

// FromQuery reads the token from a URL query parameter. It is never on by
// default: a token in a URL ends up in access logs, proxy logs, browser
// history and Referer headers. Use it only where a client cannot send a
// header (a WebSocket upgrade from a browser, an EventSource), and keep such
// tokens short-lived.
func FromQuery(name string) Extractor { return Extractor{kind: fromQuery, name: name} }

// FromFunc reads the token with fn: "" means none; an error refuses the
// request as malformed (the error text is never shown to the client).
func FromFunc(fn func(Request) (string, error)) Extractor {
	return Extractor{kind: fromFunc, fn: fn}
}

// defaultExtractors is the rule Clerk's reference follows: the
// Authorization header, else the session cookie.
func defaultExtractors(sessionKey string) []Extractor {
	return []Extractor{FromAuthorizationHeader(), FromCookie(sessionKey)}
}

// HeaderToken extracts the token from an Authorization header value:
// "Bearer <token>" (scheme case-insensitive) or a bare token with no scheme.
// Other schemes (Basic, ...) yield "".
func HeaderToken(authorization string) string {
	v := strings.TrimSpace(authorization)
	scheme, rest, ok := strings.Cut(v, " ")
	if !ok {
		if strings.EqualFold(v, "Bearer") {
			return "" // a scheme without a token
		}
		return v
	}
	if strings.EqualFold(scheme, "Bearer") {
		return strings.TrimSpace(rest)
	}
	return ""
}

// errExtractor is the cause when an extractor could not read a request.
var errExtractor = errors.New("the token extractor failed")

// carried is what an extractor finds in a request, unverified and
// uninterpreted: a token, or for a cookie extractor the Cookie header and
// the session cookie's name, which the client reads by Clerk's cookie
// rules ([Client.verifyCookies]).
type carried struct {
	token      string // a token (header, query and func extractors)
	cookies    string // the Cookie header (cookie extractors)
	cookieName string // the session cookie's name (cookie extractors); "" otherwise
}

// extract runs the extractor on r.
func (x Extractor) extract(r Request) (carried, error) {
	switch x.kind {
	case fromAuthorization:
		return carried{token: HeaderToken(r.Header("Authorization"))}, nil
	case fromHeader:
		v := strings.TrimSpace(r.Header(x.name))
		if len(v) > 7 && strings.EqualFold(v[:7], "bearer ") {
			v = strings.TrimSpace(v[7:])
		}
		return carried{token: v}, nil
	case fromCookie:
		return carried{cookies: r.Header("Cookie"), cookieName: x.name}, nil
	case fromQuery:
		return carried{token: r.Query(x.name)}, nil
	case fromFunc:
		t, err := x.fn(r)
		if err != nil {
			return carried{}, errExtractor
		}
		return carried{token: t}, nil
	}
	return carried{}, nil
}

// valid reports whether the extractor was built by one of the From
// functions, with what it needs.
func (x Extractor) valid() bool {
	switch x.kind {
	case fromAuthorization:
		return true
	case fromHeader, fromQuery:
		return x.name != ""
	case fromCookie:
		return validCookieName(x.name)
	case fromFunc:
		return x.fn != nil
	}
	return false
}

// HTTPRequest adapts a net/http request to [Request], for net/http
// middleware and for code without a framework:
//
//	auth, err := authenticator.Authenticate(r.Context(), core.HTTPRequest(r))
func HTTPRequest(r *http.Request) Request { return httpRequest{r} }

// httpRequest holds one pointer, so a Request of it needs no allocation.
type httpRequest struct{ r *http.Request }

func (h httpRequest) Method() string {
	if h.r == nil {
		return ""
	}
	return h.r.Method
}

func (h httpRequest) Header(name string) string {
	if h.r == nil {
		return ""
	}
	if name == "Cookie" {
		return strings.Join(h.r.Header.Values("Cookie"), "; ")
	}
	return h.r.Header.Get(name)
}

func (h httpRequest) Query(name string) string {
	if h.r == nil || h.r.URL == nil {
		return ""
	}
	return h.r.URL.Query().Get(name)
}

// RequestURI is the request target: the URL's path and raw query.
func (h httpRequest) RequestURI() string {
	if h.r == nil || h.r.URL == nil {
		return ""
	}
	return h.r.URL.RequestURI()
}

// Host is the request's Host.
func (h httpRequest) Host() string {
	if h.r == nil {
		return ""
	}
	return h.r.Host
}

// TLS reports whether the request came over TLS.
func (h httpRequest) TLS() bool { return h.r != nil && h.r.TLS != nil }
