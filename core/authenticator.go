package core

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"
)

// Options configure an [Authenticator]. The zero value of every field is
// its default: Options{} verifies session tokens from the Authorization
// header, then the __session cookie, with the client built from the
// environment, and loads the user of each session.
type Options struct {
	// Client is the instance to verify against. Nil: a client built from
	// the environment with [NewFromEnv].
	Client *Client
	// SkipUserFetch turns off loading the Clerk user of each request
	// signed in with a session token (by default it is loaded, through the
	// client's deduplicating, briefly caching user fetch, which needs a
	// secret key). The user fetch never applies to machine tokens. The
	// adapters set it from their FetchUser(on) option.
	SkipUserFetch bool
	// SessionKey is the session cookie name of the default extractors.
	// Default "__session".
	SessionKey string
	// Optional lets signed-out requests through: with no token, or with a
	// token that is not acceptable, Authenticate returns (nil, nil). So is
	// a token whose signing key is not known yet while the key refetch
	// cooldown runs ([ReasonJWKSRefreshPending]): an optional route serves
	// it signed out, as it would a token of another instance, instead of
	// answering 503. Clerk being unreachable is still an error.
	Optional bool
	// AcceptsToken lists the token kinds accepted (SessionToken, APIKey,
	// M2MToken, OAuthToken, or AnyToken). Default: session tokens only.
	AcceptsToken []TokenKind
	// TokenFrom lists where to look for the token, in order (see
	// [Extractor]). Default: the Authorization header, then the SessionKey
	// cookie.
	TokenFrom []Extractor
	// SkipOptions lets CORS preflight requests through unauthenticated, so
	// that a CORS middleware after this one can answer them. Only a real
	// preflight passes: method OPTIONS with both an Origin and an
	// Access-Control-Request-Method header (see [IsPreflight]); every other
	// OPTIONS request is authenticated like any method. Default off: a
	// preflight carries no credentials, so the better place for CORS is
	// before this middleware, where it answers preflights itself.
	SkipOptions bool
	// ClientFunc, when set, picks the Clerk instance per request (by host,
	// path, header...), for applications with one instance per customer;
	// Client is then not needed and no client is built from the
	// environment. An error or a nil client is [ReasonUnknownTenant] (HTTP
	// 404). The adapters set it from their typed ClientFunc option.
	ClientFunc func(Request) (*Client, error)
	// BrowserPages turns on the browser decision of
	// [Authenticator.AuthenticatePage]: for a page request whose session
	// travels in cookies, Clerk's handshake, the session refresh and the
	// development-browser rules, as @clerk/backend's authenticateRequest
	// decides them (see docs/browser.md). It needs session tokens accepted,
	// the default TokenFrom, and a client with a secret key and a
	// publishable key (the instance's Frontend API and kind; the handshake
	// goes to Config.ProxyURL when set). Authenticate is not changed by it.
	// Default off.
	BrowserPages bool
	// TrustForwardedHeaders makes the browser decision build the request's
	// public URL (the handshake's redirect_url) from X-Forwarded-Proto and
	// X-Forwarded-Host. Turn it on only behind a proxy that sets both and
	// drops what clients send; otherwise the scheme comes from the
	// connection and the host from the Host header. Default off.
	TrustForwardedHeaders bool
	// NoSignInRedirect keeps the 401 for page requests. By default, with
	// BrowserPages, a page request that ends signed out on a route that
	// needs a session (not Optional) is answered with a 307 to the sign-in
	// page (Config.SignInURL, else the instance's Account Portal) with
	// redirect_url back to the page, as Next.js's auth.protect() does; API
	// requests keep the 401 either way.
	NoSignInRedirect bool
	// OrganizationSync, with BrowserPages, activates the organization a
	// page's URL names (Clerk's organizationSyncOptions): a signed-in page
	// request whose path names another organization than the session's
	// active one (or the personal account while an organization is active)
	// is answered with a handshake that activates it. Its patterns are
	// checked here, at start-up. Nil: off.
	OrganizationSync *OrganizationSync
}

// DefaultOptions returns the defaults: the zero Options (the user fetch
// on, session tokens only, the Authorization header then the __session
// cookie, and every request authenticated, OPTIONS included).
//
// Deprecated: the zero Options are the defaults; use Options{}.
func DefaultOptions() Options { return Options{} }

// IsPreflight reports whether r is a CORS preflight request: method
// OPTIONS with an Origin and an Access-Control-Request-Method header (the
// Fetch standard's CORS-preflight request). A plain OPTIONS request is not.
func IsPreflight(r Request) bool {
	return r.Method() == http.MethodOptions && r.Header("Origin") != "" && r.Header("Access-Control-Request-Method") != ""
}

// Authenticator is the framework-neutral heart of the adapters: it turns a
// [Request] into an [Auth]. Adapters wrap it in their framework's
// middleware type.
type Authenticator struct {
	client      *Client
	clientFunc  func(Request) (*Client, error)
	fetchUser   bool
	optional    bool
	skipOptions bool
	accepts     kindSet
	extractors  []Extractor

	browserPages   bool
	trustForwarded bool
	signInRedirect bool
	sessionKey     string
	orgSync        *orgMatcher
}

// Errors of [NewAuthenticator] and of a per-request client.
var (
	// ErrFetchUserNeedsSecretKey: the user fetch is on and session tokens
	// are accepted, but the client has no secret key.
	ErrFetchUserNeedsSecretKey = errors.New("clerk: the user fetch needs a secret key (CLERK_SECRET_KEY); set it or turn the user fetch off (Options.SkipUserFetch, the adapters' FetchUser(false))")
	// ErrBrowserPagesNeedKeys: Options.BrowserPages is on but the client
	// lacks a secret key or a publishable key.
	ErrBrowserPagesNeedKeys = errors.New("clerk: Options.BrowserPages needs a secret key (CLERK_SECRET_KEY) and a publishable key (CLERK_PUBLISHABLE_KEY): the handshake is resolved through the Backend API and sent to the instance's Frontend API")
	// ErrAPIKeysNeedSecretKey: API keys are accepted but the client has no
	// secret key (they are verified with the Backend API).
	ErrAPIKeysNeedSecretKey = errors.New("clerk: accepting API keys needs a secret key (CLERK_SECRET_KEY): they are verified with the Backend API")
)

// NewAuthenticator validates o and returns an Authenticator. All
// configuration errors surface here, at start-up, not on a request.
func NewAuthenticator(o Options) (*Authenticator, error) {
	key := o.SessionKey
	if key == "" {
		key = DefaultSessionKey
	}
	if !validCookieName(key) {
		return nil, &ConfigError{Field: "SessionKey", Problem: "is not a valid cookie name"}
	}
	accepts, err := acceptedKinds(o.AcceptsToken)
	if err != nil {
		return nil, &ConfigError{Field: "AcceptsToken", Problem: err.Error()}
	}
	extractors := defaultExtractors(key)
	if o.TokenFrom != nil {
		if len(o.TokenFrom) == 0 {
			return nil, &ConfigError{Field: "TokenFrom", Problem: "needs at least one extractor"}
		}
		for _, x := range o.TokenFrom {
			if !x.valid() {
				return nil, &ConfigError{Field: "TokenFrom", Problem: "an extractor is not built by core.From... or lacks its name"}
			}
		}
		extractors = append([]Extractor(nil), o.TokenFrom...)
	}
	a := &Authenticator{fetchUser: !o.SkipUserFetch, optional: o.Optional, skipOptions: o.SkipOptions, accepts: accepts, extractors: extractors, clientFunc: o.ClientFunc,
		browserPages: o.BrowserPages, trustForwarded: o.TrustForwardedHeaders, signInRedirect: !o.NoSignInRedirect, sessionKey: key}
	if o.BrowserPages && (o.TokenFrom != nil || !accepts.has(SessionToken)) {
		return nil, &ConfigError{Field: "BrowserPages", Problem: "needs session tokens accepted and the default TokenFrom (the Authorization header, then the session cookie)"}
	}
	if o.OrganizationSync != nil && !o.BrowserPages {
		return nil, &ConfigError{Field: "OrganizationSync", Problem: "needs BrowserPages: organizations are activated through Clerk's handshake"}
	}
	if a.orgSync, err = newOrgMatcher(o.OrganizationSync); err != nil {
		return nil, err
	}
	c := o.Client
	switch {
	case c == nil && o.ClientFunc != nil:
		return a, nil // a client per request
	case c == nil:
		if c, err = NewFromEnv(); err != nil {
			return nil, err // names the environment variable at fault
		}
		if err := a.check(c); err != nil {
			c.Close()
			return nil, err
		}
	default:
		if err := a.check(c); err != nil {
			return nil, err
		}
	}
	a.client = c
	return a, nil
}

// check tells whether c can serve the authenticator's options.
func (a *Authenticator) check(c *Client) error {
	switch {
	case c == nil || c.s == nil:
		return errNilClient
	case a.fetchUser && a.accepts.has(SessionToken) && !c.HasSecretKey():
		return ErrFetchUserNeedsSecretKey // the user fetch serves sessions only
	case a.accepts.has(APIKey) && !c.HasSecretKey():
		return ErrAPIKeysNeedSecretKey
	case a.browserPages && (!c.HasSecretKey() || c.s.cookieSuffix == ""):
		return ErrBrowserPagesNeedKeys
	}
	return nil
}

// BrowserPages reports whether the authenticator makes the browser
// decision (Options.BrowserPages): the adapters then answer every request
// through [Authenticator.AuthenticatePage].
func (a *Authenticator) BrowserPages() bool { return a != nil && a.browserPages }

// Client returns the client the authenticator verifies against (nil with a
// ClientFunc and no Client).
func (a *Authenticator) Client() *Client {
	if a == nil {
		return nil
	}
	return a.client
}

// Authenticate verifies the request's token with the authenticator's
// client and, for a session with the user fetch on, loads the user. A
// request without an acceptable token is an error, unless Optional: then,
// like a passed-through CORS preflight (SkipOptions), it yields (nil, nil).
func (a *Authenticator) Authenticate(ctx context.Context, r Request) (*Auth, error) {
	if a == nil {
		return nil, errNilClient
	}
	c := a.client
	if a.clientFunc != nil {
		var err error
		if c, err = a.clientFunc(r); err != nil || c == nil {
			return nil, &Error{Reason: ReasonUnknownTenant, Err: err}
		}
	}
	return a.AuthenticateWith(ctx, c, r)
}

// AuthenticateWith is [Authenticator.Authenticate] with another client, for
// applications that choose the Clerk instance per request (the adapters'
// ClientFunc). A nil client is [ReasonUnknownTenant] (HTTP 404).
func (a *Authenticator) AuthenticateWith(ctx context.Context, c *Client, r Request) (*Auth, error) {
	if a == nil {
		return nil, errNilClient
	}
	if c == nil || c.s == nil {
		return nil, newError(ReasonUnknownTenant, nil)
	}
	if c != a.client { // the authenticator's own client was checked once, by NewAuthenticator
		if err := a.check(c); err != nil {
			return nil, err
		}
	}
	start := time.Now()
	if a.skipOptions && IsPreflight(r) {
		c.events.decision(ctx, Decision{Skipped: true, Duration: time.Since(start)})
		return nil, nil
	}
	auth, kind, err := a.decide(ctx, c, r)
	d := Decision{Kind: kind, Duration: time.Since(start)}
	if err == nil { // signed in: nothing to label (ReasonOf would cost an allocation)
		c.events.decision(ctx, d)
		return auth, nil
	}
	err = c.label(err)
	d.Reason = ReasonOf(err)
	if a.optional && (errors.Is(err, ErrNoCredentials) || errors.Is(err, ErrInvalidCredentials) || d.Reason == ReasonJWKSRefreshPending) {
		d.Optional = true
		c.events.decision(ctx, d)
		return nil, nil
	}
	c.events.decision(ctx, d)
	return nil, err
}

// decide is the path from a request to a decision with client c: the
// first extractor that finds something decides, the client verifies it
// (cookies by Clerk's cookie rules), and a session with the user fetch on
// gets its user.
func (a *Authenticator) decide(ctx context.Context, c *Client, r Request) (*Auth, TokenKind, error) {
	v, err := a.verifyRequest(ctx, c, r)
	if err != nil {
		return nil, v.kind, err
	}
	auth := v.auth()
	if a.fetchUser && auth.Kind == SessionToken {
		u, err := c.users.get(ctx, auth.Subject, auth.Subject)
		if err != nil {
			if ReasonOf(err) == "" {
				err = newError(ReasonUserFetchFailed, err)
			}
			return nil, v.kind, err
		}
		auth.User = u
	}
	return auth, v.kind, nil
}

// verifyRequest finds what the request carries with the extractors, in
// order, and verifies it: the first extractor that finds a token decides
// (a bad token never falls back to the next one).
func (a *Authenticator) verifyRequest(ctx context.Context, c *Client, r Request) (verdict, error) {
	for _, x := range a.extractors {
		got, err := x.extract(r)
		if err != nil {
			return verdict{}, newError(ReasonTokenMalformed, err)
		}
		if got.cookieName != "" {
			if v, found, err := c.verifyCookies(ctx, got.cookies, got.cookieName, a.accepts); found {
				return v, err
			}
			continue
		}
		if got.token != "" {
			return c.verify(ctx, got.token, a.accepts)
		}
	}
	return verdict{}, newError(ReasonTokenMissing, nil)
}

// validCookieName reports whether s is an RFC 6265 cookie name (a token).
func validCookieName(s string) bool {
	if s == "" || len(s) > 256 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`()<>@,;:\"/[]?={}`, c) >= 0 {
			return false
		}
	}
	return true
}
