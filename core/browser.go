package core

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The browser decision: what @clerk/backend's authenticateRequest decides
// for a page request of a browser whose session token travels in cookies
// (signed in, signed out, or Clerk's handshake), turned on by
// Options.BrowserPages, with satellite domains (satellite.go) and
// organization sync (orgsync.go). See docs/browser.md.

// PageRequest is a [Request] that also says where it was sent, which the
// browser decision needs to build the handshake's redirect_url.
// [HTTPRequest] implements it.
type PageRequest interface {
	Request
	// RequestURI is the request target as received: the path and the raw
	// query ("/dashboard?tab=2").
	RequestURI() string
	// Host is the Host the request was sent to (host or host:port).
	Host() string
	// TLS reports whether the request came over TLS.
	TLS() bool
}

// PageStatus is the outcome of [Authenticator.AuthenticatePage], spelled as
// Clerk's x-clerk-auth-status header spells it.
type PageStatus string

// The outcomes of a page request.
const (
	// PageSignedIn: PageResult.Auth holds the session.
	PageSignedIn PageStatus = "signed-in"
	// PageSignedOut: PageResult.Err says why (the failure contract of
	// [FailureOf]; nil for an Optional route's anonymous request without
	// BrowserPages), PageResult.Reason as Clerk spells it.
	PageSignedOut PageStatus = "signed-out"
	// PageHandshake: answer 307 with PageResult.Header and no body
	// (Location to the Frontend API's handshake; in a development
	// instance's satellite sync, to the primary's sign-in page or back to
	// the satellite).
	PageHandshake PageStatus = "handshake"
)

// PageResult is the decision for a page request: the status, the session
// when signed in, and the headers to copy onto the response whatever the
// status (Set-Cookie, possibly several; Location; Cache-Control; and on
// signed-out and handshake answers x-clerk-auth-status, -reason and
// -message). When [PageResult.Redirect] is true the answer is a 307 with
// these headers and no body, before any handler runs.
type PageResult struct {
	// Status is signed in, signed out or handshake.
	Status PageStatus
	// Auth is the session of a signed-in request, else nil.
	Auth *Auth
	// Reason is Clerk's reason for a signed-out or handshake answer
	// ("session-token-expired-refresh-non-eligible-no-refresh-cookie", ...).
	Reason string
	// Message is Clerk's message, often "".
	Message string
	// Err is the error of a signed-out request, for [FailureOf] and
	// [WriteFailure] (a core [Error]); nil otherwise.
	Err error
	// Header holds the response headers of the decision.
	Header http.Header
	// SignInURL is where a signed-out page request goes to sign in: the
	// sign-in page (Config.SignInURL, else the Account Portal) with
	// redirect_url back to the page. It is set, with BrowserPages, for a
	// page request signed out for want of acceptable credentials (not when
	// Clerk is unreachable), unless Options.NoSignInRedirect. On a route
	// that needs a session it is also the result's Location (a 307); on an
	// Optional route the request goes on anonymously, and the adapters'
	// Require sends it there if the handler needs a session after all.
	SignInURL string

	why Reason // a handshake's reason in core's terms, for the Observer
}

// Redirect reports whether the answer is a 307 to Header's Location: a
// handshake, or a development instance back from one (to the clean URL).
func (p *PageResult) Redirect() bool { return p != nil && p.Header.Get("Location") != "" }

// CopyHeaders adds the decision's headers to h (a response's headers).
func (p *PageResult) CopyHeaders(h http.Header) {
	if p == nil {
		return
	}
	for k, vs := range p.Header {
		for _, v := range vs {
			h.Add(k, v)
		}
	}
}

// Clerk's reasons (@clerk/backend authStatus.ts AuthErrorReason).
const (
	hsClientUATWithoutSession = "client-uat-but-no-session-token"
	hsDevBrowserMissing       = "dev-browser-missing"
	hsDevBrowserSync          = "dev-browser-sync"
	hsSessionAndUATMissing    = "session-token-and-uat-missing"
	hsSessionTokenMissing     = "session-token-missing"
	hsSessionTokenExpired     = "session-token-expired"
	hsIATBeforeClientUAT      = "session-token-iat-before-client-uat"
	hsSessionTokenNBF         = "session-token-nbf"
	hsIATInTheFuture          = "session-token-iat-in-the-future"
	hsSessionWithoutClientUAT = "session-token-but-no-client-uat"
	hsTokenTypeMismatch       = "token-type-mismatch"
)

// Refresh reasons (@clerk/backend request.ts RefreshTokenErrorReason).
const (
	refreshNoCookie          = "non-eligible-no-refresh-cookie"
	refreshNonGet            = "non-eligible-non-get"
	refreshInvalidToken      = "invalid-session-token"
	refreshMissingAPIClient  = "missing-api-client"
	refreshMissingSID        = "expired-session-token-missing-sid-claim"
	refreshFetchError        = "fetch-error"
	refreshUnexpectedBAPIErr = "unexpected-bapi-error"
	refreshUnexpectedSDKErr  = "unexpected-sdk-error"
	refreshDecodeFailed      = "expired-session-token-decode-failed"
)

// Clerk's cookie, query and header names (@clerk/backend constants.ts),
// and the handshake's limits.
const (
	handshakeLoopLimit    = 3
	cookieRefresh         = "__refresh"
	cookieDevBrowser      = "__clerk_db_jwt"
	cookieHandshake       = "__clerk_handshake"
	cookieHandshakeNonce  = "__clerk_handshake_nonce"
	cookieRedirectCount   = "__clerk_redirect_count"
	paramLegacyDevBrowser = "__dev_session"
	paramHandshakeHelp    = "__clerk_help"
	handshakeAPIVersion   = "2026-05-12"
	maxHandshakeTokenSize = 64 << 10
	headerAuthStatus      = "X-Clerk-Auth-Status"
	headerAuthReason      = "X-Clerk-Auth-Reason"
	headerAuthMessage     = "X-Clerk-Auth-Message"
	redirectLoopMessage   = "clerk: refreshing the session token resulted in an infinite redirect loop; this usually means that the instance keys do not match the browser's instance: copy the publishable and secret keys of the same instance from the Clerk dashboard"
)

// pageCtx is what the browser decision reads from one request
// (@clerk/backend's AuthenticateContext).
type pageCtx struct {
	a        *Authenticator
	c        *Client
	r        Request
	cookies  string
	suffixed bool   // the suffixed cookies describe the session
	session  string // the session token of the cookies, or ""
	header   string // the Authorization header's token, or ""
	uat      int64
	refresh  string
	devJWT   string // __clerk_db_jwt from the query, else the cookie
	hsToken  string
	hsNonce  string
	loops    int
	dev      bool
	eligible bool
}

// AuthenticatePage decides a request as @clerk/backend's
// authenticateRequest decides a browser's: with Options.BrowserPages on, a
// page request whose session cookies need Clerk's handshake gets a
// PageHandshake result (a 307 to write as is), an expired cookie token is
// refreshed when the browser has the refresh cookie, and a handshake's
// return is resolved into cookies. Without BrowserPages it is
// [Authenticator.Authenticate] in PageResult form (an Optional route's
// anonymous request: signed out with a nil Err). With BrowserPages, a
// page request signed out for want of credentials is sent to the sign-in
// page (a 307 to PageResult.SignInURL; see Options.NoSignInRedirect),
// unless Optional: then, as for any request signed out that way, Err is
// nil and the request goes on anonymously. It never returns nil.
func (a *Authenticator) AuthenticatePage(ctx context.Context, r Request) *PageResult {
	if a == nil {
		return signedOutResult(errNilClient, "", "")
	}
	c := a.client
	if a.clientFunc != nil {
		var err error
		if c, err = a.clientFunc(r); err != nil || c == nil {
			return signedOutResult(&Error{Reason: ReasonUnknownTenant, Err: err}, "", "")
		}
	}
	if !a.browserPages || (a.skipOptions && IsPreflight(r)) || c == nil || c.s == nil {
		auth, err := a.AuthenticateWith(ctx, c, r)
		switch {
		case err != nil:
			return signedOutResult(err, string(ReasonOf(err)), "")
		case auth == nil: // Optional, or a skipped preflight: signed out, no error
			return signedOutResult(nil, "", "")
		}
		return &PageResult{Status: PageSignedIn, Auth: auth, Header: http.Header{}}
	}
	if c != a.client {
		if err := a.check(c); err != nil {
			return signedOutResult(err, "", "")
		}
	}
	start := time.Now()
	p := a.newPageCtx(c, r)
	res := p.decide(ctx)
	if res.Status == PageSignedIn && a.fetchUser && res.Auth != nil {
		u, err := c.users.get(ctx, res.Auth.Subject, res.Auth.Subject)
		if err != nil {
			if ReasonOf(err) == "" {
				err = newError(ReasonUserFetchFailed, err)
			}
			h := res.Header
			res = signedOutResult(err, string(ReasonOf(err)), "")
			res.Header = h
		} else {
			res.Auth.User = u
		}
	}
	d := Decision{Duration: time.Since(start)}
	if p.header != "" || p.session != "" {
		d.Kind = SessionToken
	}
	switch {
	case res.Err != nil:
		res.Err = c.label(res.Err)
		d.Reason = ReasonOf(res.Err)
		if errors.Is(res.Err, ErrNoCredentials) || errors.Is(res.Err, ErrInvalidCredentials) || d.Reason == ReasonJWKSRefreshPending {
			res.SignInURL = p.signInLocation()
			if a.optional { // served anonymously, as Authenticate does
				res.Err, d.Optional = nil, true
			} else if res.SignInURL != "" && res.Header.Get("Location") == "" {
				// A development instance back from a handshake goes to the
				// clean URL first (Clerk's resolveHandshake); that request
				// is then sent to sign in, with the development browser.
				res.Header.Set("Location", res.SignInURL)
				res.Header.Set("Cache-Control", "no-store")
			}
		}
	case res.Status == PageHandshake:
		d.Reason = res.why // not authenticated: handed to the handshake
	}
	c.events.decision(ctx, d)
	if res.Status != PageSignedIn {
		res.Header.Set(headerAuthStatus, string(res.Status))
		if res.Reason != "" {
			res.Header.Set(headerAuthReason, res.Reason)
		}
		if res.Message != "" {
			res.Header.Set(headerAuthMessage, res.Message)
		}
	}
	return res
}

// signInLocation is the sign-in redirect of a signed-out page request
// (Clerk's redirectToSignIn): the sign-in URL with redirect_url set to the
// page's public URL, less the development-browser and handshake
// parameters, and on a development instance going to another origin the
// development-browser token (__clerk_db_jwt). "" when the request is not
// a page request, redirects are off, there is no sign-in URL, the page's
// URL cannot be told, or the sign-in page is this very page (a loop).
func (p *pageCtx) signInLocation() string {
	target := p.c.s.signInURL
	if !p.eligible || !p.a.signInRedirect || target == "" {
		return ""
	}
	self, ok := p.publicURL()
	if !ok {
		return ""
	}
	back := withoutParams(self, cookieDevBrowser, paramLegacyDevBrowser, cookieHandshake, cookieHandshakeNonce, paramHandshakeHelp)
	page, err := url.Parse(back)
	if err != nil {
		return ""
	}
	u, err := page.Parse(target) // a path is on the page's origin
	if err != nil {
		return ""
	}
	if u.Host == page.Host && u.Path == page.Path {
		return "" // the sign-in page itself needs a session: no loop
	}
	if p.c.s.satellite && u.Host != page.Host {
		// createRedirect: back from the primary's sign-in, sync
		back = setParam(back, paramClerkSynced, syncNeeded)
	}
	q := u.Query()
	q.Set("redirect_url", back)
	if p.dev && p.devJWT != "" && u.Host != page.Host {
		q.Set(cookieDevBrowser, p.devJWT)
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// signedOutResult is a signed-out result for err.
func signedOutResult(err error, reason, message string) *PageResult {
	return &PageResult{Status: PageSignedOut, Err: err, Reason: reason, Message: message, Header: http.Header{}}
}

// newPageCtx reads the request as Clerk's AuthenticateContext does.
func (a *Authenticator) newPageCtx(c *Client, r Request) *pageCtx {
	p := &pageCtx{a: a, c: c, r: r, cookies: r.Header("Cookie"), dev: !c.s.production}
	p.header = HeaderToken(r.Header("Authorization"))
	sfx := c.s.cookieSuffix
	p.suffixed = sfx != "" && c.usesSuffixedCookies(p.cookies)
	jar := c.sessionCookies(p.cookies, a.sessionKey)
	p.session, p.uat = jar.token, jar.uat
	if sfx != "" {
		p.refresh, _ = CookieValue(p.cookies, cookieRefresh+"_"+sfx)
	}
	p.devJWT = r.Query(cookieDevBrowser)
	if p.devJWT == "" {
		name := cookieDevBrowser
		if p.suffixed {
			name += "_" + sfx
		}
		p.devJWT, _ = CookieValue(p.cookies, name)
	}
	p.hsToken = r.Query(cookieHandshake)
	if p.hsToken == "" {
		p.hsToken, _ = CookieValue(p.cookies, cookieHandshake)
	}
	p.hsNonce = r.Query(cookieHandshakeNonce)
	if p.hsNonce == "" {
		p.hsNonce, _ = CookieValue(p.cookies, cookieHandshakeNonce)
	}
	if v, ok := CookieValue(p.cookies, cookieRedirectCount); ok {
		if n, err := strconv.Atoi(v); err == nil && n > 0 {
			p.loops = n
		}
	}
	p.eligible = handshakeEligible(r)
	return p
}

// handshakeEligible is Clerk's isRequestEligibleForHandshake: a GET that a
// browser sends for a document or an iframe (Sec-Fetch-Dest), or with no
// Sec-Fetch-Dest an Accept starting with text/html.
func handshakeEligible(r Request) bool {
	if r.Method() != http.MethodGet {
		return false
	}
	switch dest := r.Header("Sec-Fetch-Dest"); dest {
	case "document", "iframe":
		return true
	case "":
		return strings.HasPrefix(r.Header("Accept"), "text/html")
	}
	return false
}

// decide is authenticateRequest's choice between the header and the
// cookie path.
func (p *pageCtx) decide(ctx context.Context) *PageResult {
	if p.header != "" {
		return p.headerPath(ctx)
	}
	return p.cookiePath(ctx)
}

// headerPath verifies the Authorization header's token with the
// authenticator's rules; a session token that is expired, not yet valid or
// issued in the future goes through Clerk's session-token error handler
// (a refresh or a handshake for a page request).
func (p *pageCtx) headerPath(ctx context.Context) *PageResult {
	v, err := p.c.verify(ctx, p.header, p.a.accepts)
	if err == nil {
		return &PageResult{Status: PageSignedIn, Auth: v.auth(), Header: http.Header{}}
	}
	if v.kind == SessionToken && timeReason(ReasonOf(err)) {
		return p.tokenError(ctx, err)
	}
	return signedOutResult(err, string(ReasonOf(err)), "")
}

// cookiePath is authenticateRequestWithTokenInCookie, in Clerk's order.
func (p *pageCtx) cookiePath(ctx context.Context) *PageResult {
	if p.hsNonce != "" || p.hsToken != "" {
		res, jwtRefused, err := p.resolveHandshake(ctx)
		if err == nil {
			return res
		}
		if p.dev && jwtRefused {
			// Clerk throws here (the app answers 500): signed out instead.
			return signedOutResult(err, string(ReasonOf(err)), "")
		}
		p.c.logError(ctx, "clerk: unable to resolve the handshake", err)
	}
	if res := p.multiDomainSync(ctx); res != nil {
		return res
	}
	if p.dev && p.r.Query(cookieDevBrowser) != "" {
		return p.maybeHandshake(ctx, hsDevBrowserSync, "", ReasonTokenMissing)
	}
	if p.dev && p.devJWT == "" {
		return p.maybeHandshake(ctx, hsDevBrowserMissing, "", ReasonTokenMissing)
	}
	switch {
	case p.uat == 0 && p.session == "":
		return signedOutResult(newError(ReasonTokenMissing, nil), hsSessionAndUATMissing, "")
	case p.uat == 0:
		return p.maybeHandshake(ctx, hsSessionWithoutClientUAT, "", ReasonSessionTokenButNoClientUAT)
	case p.session == "":
		return p.maybeHandshake(ctx, hsClientUATWithoutSession, "", ReasonTokenMissing)
	}
	t, r, err := parseJWS(p.session)
	if r != "" {
		return signedOutResult(newError(r, err), string(r), "")
	}
	if t.kind() != SessionToken || t.sessionHeader() == ReasonTokenNotSession {
		return signedOutResult(newError(ReasonTokenNotSession, nil), hsTokenTypeMismatch, "")
	}
	if iat := peekToken(p.session).iat; iat < float64(p.uat) {
		return p.maybeHandshake(ctx, hsIATBeforeClientUAT, "", ReasonTokenStale)
	}
	v, err := p.c.verify(ctx, p.session, acceptSession)
	if err != nil {
		return p.tokenError(ctx, err)
	}
	if res := p.crossOriginSync(ctx); res != nil {
		return res
	}
	auth := v.auth()
	if res := p.organizationSync(ctx, auth); res != nil {
		return res
	}
	return &PageResult{Status: PageSignedIn, Auth: auth, Header: http.Header{}}
}

// timeReason reports the refusals Clerk answers with a refresh or a
// handshake.
func timeReason(r Reason) bool {
	return r == ReasonTokenExpired || r == ReasonTokenNotActiveYet || r == ReasonTokenIATInTheFuture
}

// tokenError is Clerk's handleSessionTokenError for a token that failed
// (the header's or the cookie's); the refresh renews Clerk's sessionToken,
// the cookie's token first.
func (p *pageCtx) tokenError(ctx context.Context, err error) *PageResult {
	r := ReasonOf(err)
	if !timeReason(r) {
		return signedOutResult(err, string(r), "")
	}
	var refreshErr string
	switch {
	case r == ReasonTokenExpired && p.refresh != "" && p.r.Method() == http.MethodGet:
		res, code := p.attemptRefresh(ctx, p.sessionToken())
		if res != nil {
			return res
		}
		refreshErr = code
	case p.r.Method() != http.MethodGet:
		refreshErr = refreshNonGet
	case p.refresh == "":
		refreshErr = refreshNoCookie
	default:
		refreshErr = "null" // as @clerk/backend spells a missing refresh error
	}
	reason := hsSessionTokenExpired + "-refresh-" + refreshErr
	switch r {
	case ReasonTokenNotActiveYet:
		reason = hsSessionTokenNBF
	case ReasonTokenIATInTheFuture:
		reason = hsIATInTheFuture
	}
	return p.maybeHandshake(ctx, reason, "", r)
}

// maybeHandshake is Clerk's handleMaybeHandshakeStatus: a handshake
// redirect for an eligible request that is not in a redirect loop, else
// signed out with the same reason. coreReason is the failure contract's
// reason of the signed-out answer.
func (p *pageCtx) maybeHandshake(ctx context.Context, reason, message string, coreReason Reason) *PageResult {
	return p.maybeRedirect(ctx, reason, message, coreReason, "")
}

// maybeRedirect is handleMaybeHandshakeStatus with the Location given
// (the multi-domain sync's redirects), or "" for the handshake's.
func (p *pageCtx) maybeRedirect(ctx context.Context, reason, message string, coreReason Reason, loc string) *PageResult {
	out := signedOutResult(newError(coreReason, nil), reason, message)
	if !p.eligible {
		return out
	}
	if loc == "" {
		var ok bool
		if loc, ok = p.handshakeURL(reason); !ok {
			return out // no public URL to come back to (see publicURL)
		}
	}
	if p.loops >= handshakeLoopLimit {
		msg := redirectLoopMessage
		if reason == hsSatelliteNeedsSyncing {
			msg = satelliteLoopMessage
		}
		p.c.logError(ctx, msg, nil)
		return out
	}
	h := http.Header{}
	h.Set("Location", loc)
	h.Set("Cache-Control", "no-store")
	h.Add("Set-Cookie", cookieRedirectCount+"="+strconv.Itoa(p.loops+1)+"; SameSite=Lax; HttpOnly; Max-Age=2")
	return &PageResult{Status: PageHandshake, Reason: reason, Message: message, Header: h, why: coreReason}
}

// logError writes an error line to the client's logger, if any. err is
// one of core's errors or nil: its text carries no secret.
func (c *Client) logError(ctx context.Context, msg string, err error) {
	if c.events == nil || c.events.log == nil {
		return
	}
	attrs := c.events.attrs()
	if err != nil {
		attrs = append(attrs, slog.String("reason", string(ReasonOf(err))))
	}
	c.events.log.LogAttrs(ctx, slog.LevelError, msg, attrs...)
}

// String describes the result without its header values: Location and
// Set-Cookie carry session tokens, the refresh token and handshake
// cookies. The formatting methods have value receivers, so that a
// PageResult value (not only a pointer) never prints its headers either;
// a nil *PageResult prints as fmt's "<nil>".
func (p PageResult) String() string {
	names := make([]string, 0, len(p.Header))
	for k := range p.Header {
		names = append(names, k)
	}
	slices.Sort(names)
	return fmt.Sprintf("core.PageResult{Status:%q Reason:%q Message:%q Err:%v SignedIn:%t Header:%v}",
		p.Status, p.Reason, p.Message, p.Err, p.Auth != nil, names)
}

// GoString is [PageResult.String], for %#v.
func (p PageResult) GoString() string { return p.String() }

// Format writes [PageResult.String] for every verb, so that no verb prints
// a token.
func (p PageResult) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, p.String()) }

// LogValue is the result as slog shows it: without header values.
func (p PageResult) LogValue() slog.Value { return slog.StringValue(p.String()) }
