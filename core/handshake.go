package core

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/clerkgo/clerk/core/bapi"
)

// Clerk's handshake: the redirect to the Frontend API, its return (a nonce
// or a __clerk_handshake JWT) resolved into Set-Cookie directives, and the
// session refresh (@clerk/backend handshake.ts and request.ts).

// publicURL returns the URL the browser asked for, scheme://host plus the
// request target, or false when it cannot be told. The scheme and host come
// from X-Forwarded-Proto and X-Forwarded-Host only when the authenticator
// trusts them (Options.TrustForwardedHeaders); otherwise from the
// connection (TLS or not) and the Host header. A host that is not a plain
// host[:port] is refused, so no redirect is ever built from it.
func (p *pageCtx) publicURL() (string, bool) {
	pr, ok := p.r.(PageRequest)
	if !ok {
		return "", false
	}
	scheme, host := "http", pr.Host()
	if pr.TLS() {
		scheme = "https"
	}
	if p.a.trustForwarded {
		if v := firstValue(p.r.Header("X-Forwarded-Proto")); v != "" {
			scheme = strings.ToLower(v)
		}
		if v := firstValue(p.r.Header("X-Forwarded-Host")); v != "" {
			host = v
		}
	}
	target := pr.RequestURI()
	if (scheme != "http" && scheme != "https") || !validHost(host) || !strings.HasPrefix(target, "/") || strings.HasPrefix(target, "//") {
		return "", false
	}
	for i := 0; i < len(target); i++ {
		if target[i] <= ' ' || target[i] >= 0x7f || target[i] == '#' {
			return "", false
		}
	}
	return scheme + "://" + host + target, true
}

// firstValue is the first of a comma-separated header's values, trimmed.
func firstValue(v string) string {
	v, _, _ = strings.Cut(v, ",")
	return strings.TrimSpace(v)
}

// validHost reports whether h is a host or host:port with nothing else: a
// DNS name or IPv4 address of letters, digits, '-', '.', or a bracketed
// IPv6 address, and an optional decimal port.
func validHost(h string) bool {
	if h == "" || len(h) > 255 {
		return false
	}
	name, port := h, ""
	if strings.HasPrefix(h, "[") {
		end := strings.IndexByte(h, ']')
		if end < 0 {
			return false
		}
		if net.ParseIP(h[1:end]) == nil {
			return false
		}
		name, port = "", h[end+1:]
		if port != "" && port[0] != ':' {
			return false
		}
		port = strings.TrimPrefix(port, ":")
		if port == "" && strings.HasSuffix(h, ":") {
			return false
		}
	} else if i := strings.LastIndexByte(h, ':'); i >= 0 {
		name, port = h[:i], h[i+1:]
		if port == "" {
			return false
		}
	}
	for i := 0; i < len(port); i++ {
		if port[i] < '0' || port[i] > '9' {
			return false
		}
	}
	if len(port) > 5 {
		return false
	}
	if strings.HasPrefix(h, "[") {
		return true
	}
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}

// withoutParams returns u without the query parameters named in drop,
// keeping the other parameters as they were spelled, in order. A query
// left empty loses its '?'.
func withoutParams(u string, drop ...string) string {
	base, query, ok := strings.Cut(u, "?")
	if !ok {
		return u
	}
	var kept []string
	for _, part := range strings.Split(query, "&") {
		if part == "" {
			continue
		}
		k, _, _ := strings.Cut(part, "=")
		if dk, err := url.QueryUnescape(k); err == nil {
			k = dk
		}
		dropped := false
		for _, d := range drop {
			if k == d {
				dropped = true
				break
			}
		}
		if !dropped {
			kept = append(kept, part)
		}
	}
	if len(kept) == 0 {
		return base
	}
	return base + "?" + strings.Join(kept, "&")
}

// frontendBase is where the handshake is sent, as Clerk's
// parsePublishableKey decides it: Config.ProxyURL when the client has one,
// else a production satellite's https://clerk.<Config.Domain>, else
// https://<the publishable key's Frontend API host>.
func (p *pageCtx) frontendBase() string {
	if p.c.s.proxyURL != "" {
		return p.c.s.proxyURL
	}
	return "https://" + p.c.s.instanceHost()
}

// handshakeURL builds Clerk's buildRedirectToHandshake Location.
func (p *pageCtx) handshakeURL(reason string) (string, bool) {
	self, ok := p.publicURL()
	if !ok {
		return "", false
	}
	base := p.frontendBase()
	redirect := withoutParams(self, cookieDevBrowser, paramLegacyDevBrowser)
	var b strings.Builder
	b.WriteString(strings.TrimRight(base, "/"))
	b.WriteString("/v1/client/handshake?redirect_url=")
	b.WriteString(url.QueryEscape(redirect))
	b.WriteString("&__clerk_api_version=" + handshakeAPIVersion)
	if p.suffixed {
		b.WriteString("&suffixed_cookies=true")
	} else {
		b.WriteString("&suffixed_cookies=false")
	}
	b.WriteString("&__clerk_hs_reason=")
	b.WriteString(url.QueryEscape(reason))
	b.WriteString("&format=nonce")
	if tok := p.sessionToken(); tok != "" {
		b.WriteString("&__session=")
		b.WriteString(url.QueryEscape(tok))
	}
	if p.dev && p.devJWT != "" {
		b.WriteString("&" + cookieDevBrowser + "=")
		b.WriteString(url.QueryEscape(p.devJWT))
	}
	b.WriteString(p.organizationParam())
	return b.String(), true
}

// sessionToken is Clerk's AuthenticateContext.sessionToken: the cookie's
// token, else the header's (sessionTokenInCookie || tokenInHeader). The
// handshake carries it and the refresh renews it, even when the header's
// token is the one that failed.
func (p *pageCtx) sessionToken() string {
	if p.session != "" {
		return p.session
	}
	return p.header
}

// errHandshakeToken refuses a __clerk_handshake JWT.
var errHandshakeToken = errors.New("the handshake token is not acceptable")

// resolveHandshake is Clerk's resolveHandshake: the directives of the
// nonce (Backend API) or of the handshake JWT become Set-Cookie headers,
// the new __session is verified; a development instance is then sent to
// the clean URL. An error means the flow goes on with the request's
// cookies, as Clerk's does; jwtRefused says the handshake JWT itself was
// refused (Clerk throws then on a development instance).
func (p *pageCtx) resolveHandshake(ctx context.Context) (res *PageResult, jwtRefused bool, err error) {

	h := http.Header{}
	h.Set("Access-Control-Allow-Origin", "null")
	h.Set("Access-Control-Allow-Credentials", "true")
	directives, err := p.handshakeDirectives(ctx)
	if err != nil {
		return nil, true, err
	}
	session := ""
	for _, d := range directives {
		name, value, ok := parseDirective(d)
		if !ok {
			continue // not a cookie: never copied onto the response
		}
		h.Add("Set-Cookie", d)
		if strings.HasPrefix(name, sessionCookie) {
			session = value
		}
	}
	if p.dev {
		if self, ok := p.publicURL(); ok {
			h.Set("Location", withoutParams(self, cookieHandshake, paramHandshakeHelp, cookieDevBrowser, cookieHandshakeNonce))
			h.Set("Cache-Control", "no-store")
		}
	}
	if session == "" {
		res := signedOutResult(newError(ReasonTokenMissing, nil), hsSessionTokenMissing, "")
		res.Header = h
		return res, false, nil
	}
	v, err := p.c.verify(ctx, session, acceptSession)
	if err != nil {
		return nil, false, err
	}
	return &PageResult{Status: PageSignedIn, Auth: v.auth(), Header: h}, false, nil
}

// handshakeDirectives returns the Set-Cookie directives of the handshake's
// return: the nonce's, through the Backend API (an unknown nonce or a
// failed call: none, as Clerk's), else the handshake JWT's.
func (p *pageCtx) handshakeDirectives(ctx context.Context) ([]string, error) {
	if p.hsNonce != "" {
		api := p.c.api
		if api == nil {
			return nil, nil
		}
		out, _, err := api.Clients.HandshakePayload(ctx, &bapi.GetHandshakePayloadParams{Nonce: p.hsNonce})
		if err != nil {
			p.c.logError(ctx, "clerk: the handshake payload could not be fetched", newError(ReasonTokenVerificationUnavailable, nil))
			return nil, nil
		}
		return out.Directives, nil
	}
	return p.c.verifyHandshakeToken(ctx, p.hsToken)
}

// verifyHandshakeToken verifies a __clerk_handshake JWT as Clerk's
// verifyHandshakeJwt does: the header rules of a session token (typ, alg,
// a cat that is not another category's), the instance's key and the
// signature; no claim and no time is checked. It returns the handshake
// claim.
func (c *Client) verifyHandshakeToken(ctx context.Context, token string) ([]string, error) {
	if len(token) > maxHandshakeTokenSize {
		return nil, newError(ReasonTokenTooLarge, nil)
	}
	t, r, err := parseJWS(token)
	if r != "" {
		return nil, newError(r, err)
	}
	if r := t.sessionHeader(); r != "" {
		return nil, newError(r, errHandshakeToken)
	}
	key, err := c.keys.get(ctx, t.kid)
	if err != nil {
		return nil, err
	}
	if r := key.verify(&t); r != "" {
		return nil, newError(r, errHandshakeToken)
	}
	var payload struct {
		Handshake []string `json:"handshake"`
	}
	if err := json.Unmarshal([]byte(t.payload), &payload); err != nil {
		return nil, newError(ReasonTokenMalformed, errHandshakeToken)
	}
	return payload.Handshake, nil
}

// parseDirective reads the cookie name and value of a Set-Cookie
// directive (Clerk's getCookieName and getCookieValue), and reports
// whether it is fit for a response header: printable ASCII without
// control characters, and a valid cookie name.
func parseDirective(d string) (name, value string, ok bool) {
	if d == "" || len(d) > 8<<10 {
		return "", "", false
	}
	for i := 0; i < len(d); i++ {
		if d[i] < ' ' || d[i] >= 0x7f {
			return "", "", false
		}
	}
	pair, _, _ := strings.Cut(d, ";")
	name, value, found := strings.Cut(pair, "=")
	name = strings.TrimSpace(name)
	if !found || !validCookieName(name) {
		return "", "", false
	}
	return name, strings.TrimSpace(value), true
}

// attemptRefresh is Clerk's refreshToken and attemptRefresh: the expired
// token and the refresh cookie are exchanged through the Backend API
// (POST /v1/sessions/{sid}/refresh, format cookie) for new cookies, whose
// __session is verified. On failure it returns Clerk's refresh reason.
func (p *pageCtx) attemptRefresh(ctx context.Context, expired string) (*PageResult, string) {
	api := p.c.api
	if api == nil {
		return nil, refreshMissingAPIClient
	}
	first, last := indexDot(expired), lastDot(expired)
	if first < 0 || first == last {
		return nil, refreshDecodeFailed
	}
	raw, err := decodeSegment(nil, []byte(expired[first+1:last]))
	if err != nil {
		return nil, refreshDecodeFailed
	}
	sid := peekString(string(raw), "sid")
	if sid == "" {
		return nil, refreshMissingSID
	}
	origin := ""
	if self, ok := p.publicURL(); ok {
		scheme, rest, _ := strings.Cut(self, "://")
		host, _, _ := strings.Cut(rest, "/")
		origin = scheme + "://" + host
	}
	params := &bapi.RefreshSessionParams{
		ExpiredToken:  expired,
		RefreshToken:  p.refresh,
		RequestOrigin: origin,
		Format:        bapi.Value("cookie"),
	}
	out, _, err := api.Sessions.Refresh(ctx, sid, params)
	if err != nil {
		return nil, refreshErrorCode(err)
	}
	h := http.Header{}
	session := ""
	for _, d := range out.Cookies {
		name, value, ok := parseDirective(d)
		if !ok {
			continue
		}
		h.Add("Set-Cookie", d)
		if strings.HasPrefix(name, sessionCookie) {
			session = value
		}
	}
	if len(h) == 0 {
		return nil, refreshUnexpectedSDKErr // no cookies: Clerk's error is null here
	}
	v, err := p.c.verify(ctx, session, acceptSession)
	if err != nil {
		return nil, refreshInvalidToken
	}
	return &PageResult{Status: PageSignedIn, Auth: v.auth(), Header: h}, ""
}

// refreshErrorCode is the refresh reason of a Backend API error: the code
// of Clerk's first error ("fetch-error" for unexpected_error), or
// unexpected-bapi-error. A code that is not a plain identifier is not
// repeated (it goes into a URL and a header).
func refreshErrorCode(err error) string {
	var e *bapi.Error
	if !errors.As(err, &e) || len(e.Errors) == 0 {
		return refreshUnexpectedBAPIErr
	}
	code := e.Errors[0].Code
	if code == "unexpected_error" {
		return refreshFetchError
	}
	if code == "" || len(code) > 64 {
		return refreshUnexpectedBAPIErr
	}
	for i := 0; i < len(code); i++ {
		c := code[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.') {
			return refreshUnexpectedBAPIErr
		}
	}
	return code
}
