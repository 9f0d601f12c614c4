package echoclerk

import (
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/clerkgo/clerk/core"
)

// Option configures [Middleware] and [New].
type Option func(*options)

type options struct {
	core.Options
	clientFunc func(echo.Context) (*core.Client, error)
	onError    func(echo.Context, error) error
	skipper    middleware.Skipper
}

// WithClient sets the Clerk instance to verify against. Without it (and
// without [ClientFunc]) the client is built from the environment with
// core.NewFromEnv. Multi-tenant applications give each group of routes its
// own client, or use ClientFunc.
func WithClient(c *core.Client) Option { return func(o *options) { o.Client = c } }

// ClientFunc picks the Clerk instance per request (by host, path or
// header), for applications with one Clerk instance per customer; each
// client still shares nothing with the others. An error or a nil client
// answers 404 unknown-tenant (the error is never shown). It takes
// precedence over [WithClient].
func ClientFunc(fn func(c echo.Context) (*core.Client, error)) Option {
	return func(o *options) { o.clientFunc = fn }
}

// FetchUser turns loading the Clerk user of each request signed in with a
// session on or off (default on). With it off, [User] returns nil and a
// repeated token makes no network call; [Session] still works. It does not
// apply to machine tokens. The user fetch needs a secret key: without one,
// [New] fails with core.ErrFetchUserNeedsSecretKey.
func FetchUser(on bool) Option { return func(o *options) { o.SkipUserFetch = !on } }

// SessionKey sets the name of the session cookie (default "__session").
func SessionKey(name string) Option { return func(o *options) { o.SessionKey = name } }

// Optional lets signed-out requests through (no token, or a token that is
// not acceptable) with no [Auth], so handlers can serve both audiences.
// Clerk being unreachable is still an error (503).
func Optional(on bool) Option { return func(o *options) { o.Optional = on } }

// AcceptsToken sets the kinds of token the routes accept, named as Clerk
// names them: core.SessionToken (the default, alone), core.APIKey,
// core.M2MToken, core.OAuthToken, or core.AnyToken. A token of another kind
// is answered 401 token-type-not-accepted, with no network call. Accepting
// machine tokens is opt-in per route: a new opaque token costs a Backend
// API call (then cached briefly; see core.Config.MachineTokenCacheTTL).
func AcceptsToken(kinds ...core.TokenKind) Option {
	return func(o *options) { o.AcceptsToken = kinds }
}

// TokenFrom sets where to look for the token, in order: core.
// FromAuthorizationHeader(), core.FromCookie(name), core.FromHeader(name),
// core.FromQuery(name) (never on by default: URLs end up in logs),
// core.FromFunc(fn). The first that finds a token decides; a bad token
// never falls back to the next. Default: the Authorization header, then
// the [SessionKey] cookie.
func TokenFrom(extractors ...core.Extractor) Option {
	return func(o *options) { o.TokenFrom = extractors }
}

// SkipOptions lets CORS preflight requests through unauthenticated when on,
// so that a CORS middleware after this one can answer them. Default off.
// Only a real preflight passes: OPTIONS with both an Origin and an
// Access-Control-Request-Method header ([core.IsPreflight]); any other
// OPTIONS request is authenticated like any method. Prefer putting the CORS
// middleware before this one instead: it then answers preflights itself.
func SkipOptions(on bool) Option { return func(o *options) { o.SkipOptions = on } }

// ErrorHandler replaces the default failure response. fn receives the error
// (use core.FailureOf, core.ReasonOf or errors.Is with core.ErrNoCredentials,
// core.ErrInvalidCredentials, core.ErrForbidden, core.ErrUnavailable) and
// should write a response and return nil; a non-nil error it returns goes to
// Echo's HTTPErrorHandler. The protected handler never runs after a failure.
// [Require] uses the handler of the Middleware that ran before it. Nil
// restores the default.
func ErrorHandler(fn func(c echo.Context, err error) error) Option {
	return func(o *options) { o.onError = fn }
}

// Skipper sets a function that, when it returns true, lets a request pass
// without authentication, following Echo's middleware convention. Default
// middleware.DefaultSkipper (never skip). Nil restores the default. A
// skipped request has no [Auth]: a [Require] after it answers 401, with
// this middleware's ErrorHandler.
func Skipper(fn middleware.Skipper) Option { return func(o *options) { o.skipper = fn } }

// BrowserPages turns on Clerk's browser decision for the routes (default
// off; see docs/browser.md): a page request (a browser's GET of a document)
// whose session cookie has expired, or whose cookies disagree, is answered
// with a 307 to Clerk's handshake and comes back signed in; an expired
// session is refreshed with the __refresh cookie; development instances
// sync the development browser; and a signed-out page request of a route
// that needs a session is sent to the sign-in page ([SignInRedirect]).
// Every other request keeps the 401/403/503 contract. It needs session
// tokens accepted, the default [TokenFrom], and a client with a secret key
// and a publishable key ([New] says so otherwise).
func BrowserPages(on bool) Option { return func(o *options) { o.BrowserPages = on } }

// SignInRedirect sends a page request that ends signed out on a route that
// needs a session to the sign-in page (core.Config.SignInURL, else the
// instance's Account Portal) with redirect_url back to the page, when
// [BrowserPages] is on (default on). Off, pages get the 401 as API
// requests do. On an [Optional] route the request goes on anonymously and
// [Require] sends it to sign in.
func SignInRedirect(on bool) Option { return func(o *options) { o.NoSignInRedirect = !on } }

// TrustForwardedHeaders makes [BrowserPages] build the page's public URL
// (where the handshake and the sign-in page send the browser back) from
// X-Forwarded-Proto and X-Forwarded-Host (default off: the connection and
// the Host header). Turn it on only behind a proxy that sets both and drops
// what clients send.
func TrustForwardedHeaders(on bool) Option {
	return func(o *options) { o.TrustForwardedHeaders = on }
}

// OrganizationSync makes [BrowserPages] activate the organization a page's
// URL names (Clerk's organizationSyncOptions; see docs/browser.md): a
// signed-in page request whose path matches s.OrganizationPatterns (e.g.
// "/orgs/:slug/(.*)") and names another organization than the session's
// active one, or matches s.PersonalAccountPatterns while an organization is
// active, is answered with a 307 to Clerk's handshake with organization_id,
// which activates it and sends the browser back. Other requests are not
// changed. [New] refuses a bad pattern, or the option without
// BrowserPages, with a *core.ConfigError.
func OrganizationSync(s core.OrganizationSync) Option {
	return func(o *options) { o.OrganizationSync = &s }
}
