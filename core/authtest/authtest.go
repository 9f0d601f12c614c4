// Package authtest is the contract suite of the clerkgo framework adapters
// (ginclerk, echoclerk, chiclerk, fiberclerk): one table of requests and
// expected answers, written once and run by each adapter's tests against its
// real router and a fake Clerk ([github.com/clerkgo/clerk/core/clerktest]).
//
// An adapter's test describes how to build its router for a [Setup] and
// hands that to [Run]:
//
//	func TestContract(t *testing.T) {
//		authtest.Run(t, authtest.Target{Name: "chi", Build: build})
//	}
//
// Every row checks the status, the WWW-Authenticate header (exactly), the
// JSON body (its "reason", or the handler's [Identity]), whether the
// downstream handler ran, the browser decision's headers (Location,
// Set-Cookie, Cache-Control, x-clerk-auth-status and -reason; absent
// unless the row expects them), and that neither the token nor the secret
// key appears anywhere in the response (but a handshake's Location, which
// carries the current session token as Clerk's does, and the Set-Cookie
// headers of a handshake's return). Some page rows walk a browser's session
// through the fake for real: a sign-in on its page, the handshake and its
// nonce, the session refresh, a development instance's flows; the browser
// keeps the app's cookies on the injected clock.
//
// The package uses only the standard library, core and clerktest.
package authtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/clerkgo/clerk/core"
	"github.com/clerkgo/clerk/core/clerktest"
)

// Setup is the configuration of the middleware under test for one row.
type Setup struct {
	// Client is the client to pass with WithClient.
	Client *core.Client
	// FetchUser is the FetchUser option.
	FetchUser bool
	// SessionKey is the SessionKey option; "" leaves it unset (default).
	SessionKey string
	// Optional is the Optional option.
	Optional bool
	// Check, when non-nil, makes GET /protected also run Require(Check)
	// after the middleware.
	Check core.Check
	// CustomErrors installs an ErrorHandler answering [CustomErrorStatus]
	// with [CustomErrorBody] (JSON {"custom":"<core.ReasonOf(err)>"}).
	CustomErrors bool
	// SkipPrefix, when non-empty (and Target.SupportsSkip), makes requests
	// whose path has this prefix skip authentication, with the framework's
	// skip convention (echo Skipper, fiber Next).
	SkipPrefix string
	// AcceptsToken, when non-nil, sets the AcceptsToken option.
	AcceptsToken []core.TokenKind
	// TokenFrom, when non-nil, sets the TokenFrom option.
	TokenFrom []core.Extractor
	// SkipOptions, when non-nil, sets the SkipOptions option.
	SkipOptions *bool
	// Tenants, when non-nil, sets the ClientFunc option instead of
	// WithClient: it picks the client by the request's host (Host header)
	// and returns an error for a host it does not know.
	Tenants map[string]*core.Client
	// BrowserPages sets the BrowserPages(true) option: the middleware
	// answers with the browser decision (docs/browser.md). The row's fake
	// is then a production instance and its client has the fake's
	// publishable key and SignInURL "<fake URL>/sign-in".
	BrowserPages bool
	// NoSignInRedirect sets the SignInRedirect(false) option.
	NoSignInRedirect bool
	// TrustForwardedHeaders sets the TrustForwardedHeaders(true) option.
	TrustForwardedHeaders bool
	// Development makes a BrowserPages row's fake a development instance
	// (pk_test_: the development-browser rules) instead of a production
	// one. Build need not read it: the suite builds Client.
	Development bool
	// Satellite makes a BrowserPages row's fake client a production
	// satellite (Config.IsSatellite) whose primary signs in at
	// [SatelliteSignIn]; the handshake still goes to the fake (its
	// ProxyURL). Build need not read it: the suite builds Client.
	Satellite bool
	// OrganizationSync, when non-nil, sets the OrganizationSync option
	// (with BrowserPages).
	OrganizationSync *core.OrganizationSync
	// Outer, when non-nil, installs another Middleware before the row's,
	// with WithClient(Outer), Optional(true) and FetchUser(false): two
	// Clerk instances stacked, as a global middleware and a route group's.
	Outer *core.Client

	// Stacked asks the suite for an Outer client of a second fake Clerk.
	Stacked bool `json:"-"`
	// PerHost asks the suite for Tenants: "a.example" (the row's fake) and
	// "b.example" (a second fake).
	PerHost bool `json:"-"`
}

// Hosts of the two tenants of a PerHost setup.
const (
	HostA = "a.example"
	HostB = "b.example"
)

// Target is an adapter under test.
type Target struct {
	// Name names the adapter in failure messages.
	Name string
	// SupportsSkip is true for adapters with a skip option (echo Skipper,
	// fiber Next); rows about skipping are skipped otherwise.
	SupportsSkip bool
	// Build returns a function that serves one request through the
	// adapter's REAL router (gin engine, echo.Echo, chi.Mux, fiber.App via
	// app.Test) configured per s. Routes: GET and OPTIONS /protected, GET
	// /skip/ping and /any for every method (chi HandleFunc, gin and echo
	// Any, fiber All), all behind the middleware (and, with s.Outer, behind an
	// outer one too; and Require(s.Check) on GET /protected when s.Check !=
	// nil). The handlers answer 200 with the JSON of [Identify] (see
	// [Identity]): the adapter's Auth, User and Session getters and the
	// request context. The returned function must be safe for concurrent
	// use.
	Build func(t *testing.T, s Setup) func(*http.Request) (*http.Response, error)

	// Package is the adapter's package name ("chiclerk"): its Middleware
	// panics with "<Package>: invalid configuration: <error>".
	Package string
	// New calls the adapter's New with the options of s (WithClient,
	// FetchUser, SessionKey; a nil s.Client builds the client from the
	// environment) and returns its error. Middleware does the same through
	// the adapter's Middleware, which panics on a bad configuration. When
	// New is set, Run also checks configuration errors: each surfaces at
	// construction, names the setting at fault and shows no secret.
	New        func(s Setup) error
	Middleware func(s Setup)
}

// Run runs every row of the contract against the target, each row with a
// fresh fake Clerk (core/clerktest) and a client on an injected clock.
func Run(t *testing.T, target Target) {
	t.Helper()
	if target.Build == nil {
		t.Fatal("authtest: Target.Build is nil")
	}
	for _, r := range rows() {
		t.Run(r.name, func(t *testing.T) {
			if r.setup.SkipPrefix != "" && !target.SupportsSkip {
				t.Skipf("%s has no skip option", target.Name)
			}
			e := newEnv(t, target, r.setup)
			if r.arrange != nil {
				r.arrange(e)
			}
			for i, st := range r.steps {
				if st.before != nil {
					st.before(e)
				}
				e.check(fmt.Sprintf("step %d", i+1), st.req(e), st.want)
			}
			if r.after != nil {
				r.after(e)
			}
		})
	}
	t.Run("concurrent requests share one user fetch", func(t *testing.T) {
		testConcurrentUserFetch(t, target)
	})
	t.Run("concurrent requests of many users", func(t *testing.T) {
		testConcurrentUsers(t, target)
	})
	t.Run("two instances share nothing", func(t *testing.T) {
		testTenants(t, target)
	})
	t.Run("concurrent requests with one new API key share one verify call", func(t *testing.T) {
		testConcurrentMachine(t, target)
	})
	if target.New != nil {
		t.Run("configuration", func(t *testing.T) { runConfig(t, target) })
	}
}

// env is one row's world: a fake Clerk, a client and the target's router.
type env struct {
	t *testing.T
	*Fake
	other  *Fake // the second instance of a Stacked or PerHost setup
	userID string
	serve  func(*http.Request) (*http.Response, error)
	b      *browser // the row's browser, see env.browser
	last   *answer  // the last step's answer
}

func newEnv(t *testing.T, target Target, s Setup) *env {
	var f *Fake
	switch {
	case s.BrowserPages && s.Satellite:
		f = newSatelliteFake(t)
	case s.BrowserPages && s.Development:
		f = newDevFake(t)
	case s.BrowserPages:
		f = newPageFake(t)
	default:
		f = NewFake(t)
	}
	s.Client = f.Client
	e := &env{t: t, Fake: f, userID: f.Server.DefaultUserID()}
	if s.Stacked || s.PerHost {
		e.other = NewFake(t, func(c *core.Config) { c.Name = "other" })
	}
	if s.Stacked {
		s.Outer = e.other.Client
	}
	if s.PerHost {
		s.Client = nil
		s.Tenants = map[string]*core.Client{HostA: f.Client, HostB: e.other.Client}
	}
	e.serve = target.Build(t, s)
	if e.serve == nil {
		t.Fatalf("%s: Build returned nil", target.Name)
	}
	return e
}

// token mints a session token on the fake's clock.
func (e *env) token(opts ...clerktest.TokenOption) string { return e.Server.Token(opts...) }

// request is what a step sends.
type request struct {
	method  string   // default GET
	path    string   // default "/protected"; may carry a query
	host    string   // Host header; default example.com
	auth    string   // Authorization header; "" for none
	cookies []string // one Cookie header each
	header  [2]string
	// preflight adds Origin and Access-Control-Request-Method, as a
	// browser's CORS preflight carries them.
	preflight bool
	// page adds the headers of a browser's document request:
	// Sec-Fetch-Dest: document and Accept: text/html.
	page bool
	// setCookieTokens are tokens the answer may carry in its Set-Cookie
	// headers (a handshake's new session), and nowhere else. The values
	// of the answer's own Set-Cookie headers are checked so too.
	setCookieTokens []string
	// jar sends the cookies of the row's browser (env.browser) too, and
	// keeps the answer's Set-Cookie headers there, as a browser does.
	jar bool
}

// want is what a step expects.
type want struct {
	status int
	www    string      // exact WWW-Authenticate; "" means absent
	reason core.Reason // default error body's reason
	custom core.Reason // custom error handler's reason
	// For 200: whether user_id/ctx_user_id and session_sub/ctx_session_sub
	// carry the default user's ID (else they are "").
	user, session bool
	// For 200: the kind and subject of the adapter's Auth (and the
	// context's); session implies session_token and the default user.
	kind    core.TokenKind
	subject string
	// reverify is the clerk_error a reverification failure carries
	// (Clerk's shape, read by clerk-js); nil: the body has none.
	reverify *core.ReverificationRequirement
	// retryAfter is the exact Retry-After header; "" means absent.
	retryAfter string

	// The browser decision's headers. In location and locationPrefix,
	// "@fake" stands for the fake's URL.
	location       string   // the exact Location; "" means absent (unless locationPrefix)
	locationPrefix string   // Location starts with it
	locationSuffix string   // with locationPrefix: Location also ends with it
	setCookies     []string // the Set-Cookie names ("name" or "name=value"; "@sfx" is the fake's cookie suffix), in order; nil: none
	noStore        bool     // Cache-Control: no-store (always checked on error bodies)
	authStatus     string   // x-clerk-auth-status; "" means absent
	authReason     string   // x-clerk-auth-reason; "" means absent
	// tokenInLocation lets the request's tokens appear in Location (a
	// handshake sends the current session token to Clerk, as Clerk's does).
	tokenInLocation bool
}

// clerk is w with the x-clerk-auth headers of a signed-out page decision.
func (w want) clerk(reason string) want {
	w.authStatus, w.authReason = "signed-out", reason
	return w
}

func ok(user, session bool) want { return want{status: http.StatusOK, user: user, session: session} }

// machine is a 200 with a machine token's Auth.
func machine(kind core.TokenKind, subject string) want {
	return want{status: http.StatusOK, kind: kind, subject: subject}
}

func notFound(r core.Reason) want { return want{status: http.StatusNotFound, reason: r} }

func missing() want {
	return want{status: http.StatusUnauthorized, www: "Bearer", reason: core.ReasonTokenMissing}
}

func invalid(r core.Reason) want {
	return want{status: http.StatusUnauthorized, www: `Bearer error="invalid_token"`, reason: r}
}

func forbidden(r core.Reason) want {
	return want{status: http.StatusForbidden, www: `Bearer error="insufficient_scope"`, reason: r}
}

func unavailable(r core.Reason) want { return want{status: http.StatusServiceUnavailable, reason: r} }

// refreshPending is a 503 jwks-refresh-pending with a Retry-After of
// seconds.
func refreshPending(seconds string) want {
	return want{status: http.StatusServiceUnavailable, reason: core.ReasonJWKSRefreshPending, retryAfter: seconds}
}

func custom(r core.Reason) want { return want{status: CustomErrorStatus, custom: r} }

type step struct {
	before func(e *env)
	req    func(e *env) request
	want   want
}

type row struct {
	name    string
	setup   Setup
	arrange func(e *env)
	steps   []step
	after   func(e *env)
}

func one(req func(e *env) request, w want) []step { return []step{{req: req, want: w}} }

func bearer(opts ...clerktest.TokenOption) func(e *env) request {
	return func(e *env) request { return request{auth: "Bearer " + e.token(opts...)} }
}

// cookie sends the token as Clerk's frontend does: the __session cookie
// and, beside it, the __client_uat cookie of a client signed in an hour ago.
func cookie(opts ...clerktest.TokenOption) func(e *env) request {
	return func(e *env) request { return request{cookies: []string{e.sessionCookie(e.token(opts...))}} }
}

// sessionCookie is a Cookie header value with tok as the session cookie and
// a __client_uat of an hour ago.
func (e *env) sessionCookie(tok string) string {
	return "__session=" + tok + "; __client_uat=" + unix(e.Clock.Now().Add(-time.Hour))
}

func header(auth string) func(e *env) request {
	return func(*env) request { return request{auth: auth} }
}

func path(p string) func(e *env) request {
	return func(*env) request { return request{path: p} }
}

// orgToken is a member of org "acme" with role admin, permission
// org:articles:read (so feature o:articles) and the user plan "pro".
var orgToken = []clerktest.TokenOption{
	clerktest.WithOrgMembership("org_2acme", "acme", "admin", "org:articles:read"),
	clerktest.WithPlans("u:pro"),
}

// The machine-token forms the fake mints.
const (
	formAPIKey   = "API key"
	formM2M      = "opaque M2M token"
	formM2MJWT   = "M2M JWT"
	formOAuth    = "opaque OAuth token"
	formOAuthJWT = "OAuth JWT"
)

// mint mints a machine token of a form on the row's fake.
func (e *env) mint(form string, p clerktest.MachineTokenParams) clerktest.MachineToken {
	switch form {
	case formAPIKey:
		return e.Server.NewAPIKey(p)
	case formM2M:
		return e.Server.NewM2MToken(p)
	case formM2MJWT:
		return e.Server.NewM2MJWT(p)
	case formOAuth:
		return e.Server.NewOAuthToken(p)
	}
	return e.Server.NewOAuthJWT(p)
}

// machineBearer sends a new machine token of a form in the Authorization
// header.
func machineBearer(form string, scopes ...string) func(e *env) request {
	return func(e *env) request {
		return request{auth: "Bearer " + e.mint(form, clerktest.MachineTokenParams{Scopes: scopes}).Token}
	}
}

// sameMachineBearer sends one machine token, minted at its first use, at
// every step of a row; act, when non-nil, is applied to it on the fake
// before the given step (1-based).
func sameMachineBearer(form string, tok *string) func(e *env) request {
	return func(e *env) request {
		if *tok == "" {
			*tok = e.mint(form, clerktest.MachineTokenParams{}).Token
		}
		return request{auth: "Bearer " + *tok}
	}
}

func kinds(k ...core.TokenKind) []core.TokenKind { return k }

func verifyCalls(e *env) int {
	return e.Server.Requests(clerktest.EndpointVerifyAPIKey) + e.Server.Requests(clerktest.EndpointVerifyM2MToken) + e.Server.Requests(clerktest.EndpointVerifyOAuthToken)
}

func (e *env) wantVerifyCalls(n int) {
	e.t.Helper()
	if got := verifyCalls(e); got != n {
		e.t.Errorf("%d machine-token verify calls, want %d", got, n)
	}
}

func no() *bool { b := false; return &b }

func yes() *bool { b := true; return &b }

func rows() []row {
	fetch := Setup{FetchUser: true}
	rs := []row{
		{name: "valid header token", setup: fetch,
			steps: one(bearer(), ok(true, true)),
			after: func(e *env) { e.wantRequests(clerktest.EndpointGetUser, 1) }},
		{name: "valid header token, lowercase scheme", setup: fetch,
			steps: one(func(e *env) request { return request{auth: "bearer " + e.token()} }, ok(true, true))},
		{name: "valid header token without scheme", setup: fetch,
			steps: one(func(e *env) request { return request{auth: e.token()} }, ok(true, true))},
		{name: "valid session cookie", setup: fetch,
			steps: one(cookie(), ok(true, true))},
		{name: "session cookie among several Cookie headers", setup: fetch,
			steps: one(func(e *env) request {
				return request{cookies: []string{"theme=dark", e.sessionCookie(e.token()) + "; lang=en"}}
			}, ok(true, true))},
		{name: "other Authorization scheme falls back to the cookie", setup: fetch,
			steps: one(func(e *env) request {
				return request{auth: "Basic dXNlcjpwYXNz", cookies: []string{e.sessionCookie(e.token())}}
			}, ok(true, true))},
		{name: "custom session key: its cookie works", setup: Setup{FetchUser: true, SessionKey: "app_session"},
			steps: one(func(e *env) request {
				return request{cookies: []string{"app_session=" + e.token() + "; __client_uat=" + unix(e.Clock.Now().Add(-time.Hour))}}
			}, ok(true, true))},
		{name: "session cookie without __client_uat is signed out", setup: fetch,
			steps: one(func(e *env) request { return request{cookies: []string{"__session=" + e.token()}} }, invalid(core.ReasonSessionTokenButNoClientUAT)),
			after: func(e *env) { e.wantRequests(clerktest.AnyEndpoint, 0) }},
		{name: "session cookie with __client_uat=0 is signed out", setup: fetch,
			steps: one(func(e *env) request { return request{cookies: []string{"__session=" + e.token() + "; __client_uat=0"}} }, invalid(core.ReasonSessionTokenButNoClientUAT))},
		{name: "custom session key: __session is ignored", setup: Setup{FetchUser: true, SessionKey: "app_session"},
			steps: one(cookie(), missing())},

		{name: "missing credentials", setup: fetch, steps: one(header(""), missing()),
			after: func(e *env) { e.wantRequests(clerktest.AnyEndpoint, 0) }},
		{name: "bearer scheme without token", setup: fetch, steps: one(header("Bearer "), missing())},
		{name: "garbage token", setup: fetch, steps: one(header("Bearer not-a-jwt"), invalid(core.ReasonTokenMalformed))},
		{name: "expired token", setup: fetch,
			steps: one(bearer(clerktest.WithTTL(-time.Minute)), invalid(core.ReasonTokenExpired))},
		{name: "wrong signature", setup: fetch,
			steps: one(bearer(clerktest.WithSigningKey(keys()[1], "")), invalid(core.ReasonTokenInvalidSignature))},
		{name: "unknown key id", setup: fetch,
			steps: one(bearer(clerktest.WithSigningKey(keys()[1], "ins_2unknownkey")), invalid(core.ReasonTokenUnknownKID))},
		{name: "a new signing key: 503 with Retry-After in the refetch cooldown, 200 after it", setup: Setup{},
			steps: []step{
				{req: bearer(), want: ok(false, true)}, // the keys are fetched
				{before: func(e *env) { e.Server.RotateKeyWith(keys()[1]); e.Clock.Advance(10 * time.Second) },
					req: bearer(), want: refreshPending("20")}, // the new key's token
				{req: bearer(clerktest.WithSigningKey(keys()[1], "ins_2randomkid")), want: refreshPending("20")},
				{before: func(e *env) { e.Clock.Advance(20 * time.Second) }, req: bearer(), want: ok(false, true)},
				{req: bearer(clerktest.WithSigningKey(keys()[1], "ins_2randomkid")), want: invalid(core.ReasonTokenUnknownKID)},
			},
			after: func(e *env) { e.wantRequests(clerktest.EndpointJWKS, 2) }},
		{name: "optional: a new signing key in the refetch cooldown is signed out", setup: Setup{Optional: true},
			steps: []step{
				{req: bearer(), want: ok(false, true)},
				{before: func(e *env) { e.Server.RotateKeyWith(keys()[1]); e.Clock.Advance(10 * time.Second) },
					req: bearer(), want: ok(false, false)},
			}},
		{name: "alg none", setup: fetch,
			steps: one(bearer(clerktest.WithHeader("alg", "none")), invalid(core.ReasonTokenInvalidAlgorithm))},
		{name: "bad header token never falls back to a good cookie", setup: fetch,
			steps: []step{
				{req: func(e *env) request {
					return request{auth: "Bearer not-a-jwt", cookies: []string{e.sessionCookie(e.token())}}
				}, want: invalid(core.ReasonTokenMalformed)},
				{req: func(e *env) request {
					return request{auth: "Bearer " + e.token(clerktest.WithTTL(-time.Minute)), cookies: []string{e.sessionCookie(e.token())}}
				}, want: invalid(core.ReasonTokenExpired)},
			}},
		{name: "stale cookie: __client_uat newer than iat", setup: fetch,
			steps: one(func(e *env) request {
				now := e.Clock.Now()
				tok := e.token(clerktest.WithIssuedAt(now.Add(-20 * time.Second)))
				return request{cookies: []string{"__session=" + tok + "; __client_uat=" + unix(now)}}
			}, invalid(core.ReasonTokenStale))},
		{name: "fresh cookie: __client_uat older than iat", setup: fetch,
			steps: one(func(e *env) request {
				now := e.Clock.Now()
				return request{cookies: []string{"__client_uat=" + unix(now.Add(-time.Hour)), "__session=" + e.token()}}
			}, ok(true, true))},
		{name: "__client_uat does not apply to header tokens", setup: fetch,
			steps: one(func(e *env) request {
				now := e.Clock.Now()
				tok := e.token(clerktest.WithIssuedAt(now.Add(-20 * time.Second)))
				return request{auth: "Bearer " + tok, cookies: []string{"__client_uat=" + unix(now)}}
			}, ok(true, true))},

		{name: "FetchUser(false) makes no user API call", setup: Setup{},
			steps: one(bearer(), ok(false, true)),
			after: func(e *env) { e.wantRequests(clerktest.EndpointGetUser, 0) }},
		{name: "deleted user", setup: fetch,
			arrange: func(e *env) { e.Server.DeleteUser(e.userID) },
			steps:   one(bearer(), invalid(core.ReasonUserNotFound))},
		{name: "unknown user", setup: fetch,
			steps: one(bearer(clerktest.WithSubject("user_2NoSuchUserNoSuchUserNoSuch")), invalid(core.ReasonUserNotFound))},
		{name: "user endpoint failing 500", setup: fetch,
			arrange: func(e *env) { e.Server.Fail(clerktest.EndpointGetUser, http.StatusInternalServerError) },
			steps:   one(bearer(), unavailable(core.ReasonUserFetchFailed))},
		{name: "user endpoint failing 503", setup: fetch,
			arrange: func(e *env) { e.Server.Fail(clerktest.EndpointGetUser, http.StatusServiceUnavailable) },
			steps:   one(bearer(), unavailable(core.ReasonUserFetchFailed))},
		{name: "JWKS unreachable at start, then recovery after the cooldown", setup: fetch,
			arrange: func(e *env) { e.Server.Fail(clerktest.EndpointJWKS, http.StatusServiceUnavailable) },
			steps: []step{
				{req: bearer(), want: unavailable(core.ReasonJWKSUnavailable)},
				// Clerk is back, but the cooldown holds off another fetch.
				{before: func(e *env) { e.Server.Recover(clerktest.EndpointJWKS) },
					req: bearer(), want: unavailable(core.ReasonJWKSUnavailable)},
				{before: func(e *env) {
					e.wantRequests(clerktest.EndpointJWKS, 1)
					e.Clock.Advance(core.DefaultKeyCooldown + time.Second)
				}, req: bearer(), want: ok(true, true)},
			},
			after: func(e *env) { e.wantRequests(clerktest.EndpointJWKS, 2) }},
		{name: "optional: a new signing key in the refetch cooldown is signed out", setup: Setup{Optional: true},
			steps: []step{
				{req: bearer(), want: ok(false, true)},
				{before: func(e *env) { e.Server.RotateKeyWith(keys()[1]); e.Clock.Advance(10 * time.Second) },
					req: bearer(), want: ok(false, false)},
			}},

		{name: "optional: no token passes signed out", setup: Setup{FetchUser: true, Optional: true},
			steps: one(header(""), ok(false, false))},
		{name: "optional: valid token signs in", setup: Setup{FetchUser: true, Optional: true},
			steps: one(bearer(), ok(true, true))},
		{name: "optional: invalid token passes signed out", setup: Setup{FetchUser: true, Optional: true},
			steps: one(bearer(clerktest.WithTTL(-time.Minute)), ok(false, false))},
		{name: "optional: JWKS unreachable is still 503", setup: Setup{FetchUser: true, Optional: true},
			arrange: func(e *env) { e.Server.Fail(clerktest.EndpointJWKS, http.StatusServiceUnavailable) },
			steps:   one(bearer(), unavailable(core.ReasonJWKSUnavailable))},

		{name: "skip: skipped path passes, others do not", setup: Setup{FetchUser: true, SkipPrefix: "/skip/"},
			steps: []step{
				{req: path("/skip/ping"), want: ok(false, false)},
				// A skipped request is not even verified: no session, no fetch.
				{req: func(e *env) request { return request{path: "/skip/ping", auth: "Bearer " + e.token()} }, want: ok(false, false)},
				{req: path("/protected"), want: missing()},
			},
			after: func(e *env) { e.wantRequests(clerktest.AnyEndpoint, 0) }},

		{name: "custom error handler", setup: Setup{FetchUser: true, CustomErrors: true},
			steps: []step{
				{req: header(""), want: custom(core.ReasonTokenMissing)},
				{req: header("Bearer not-a-jwt"), want: custom(core.ReasonTokenMalformed)},
				{req: bearer(), want: ok(true, true)},
			}},
		{name: "custom error handler is used by Require", setup: Setup{CustomErrors: true, Check: core.Role("org:owner")},
			steps: one(bearer(orgToken...), custom(core.ReasonMissingRole))},

		{name: "custom error handler on a user fetch failure", setup: Setup{FetchUser: true, CustomErrors: true},
			arrange: func(e *env) { e.Server.Fail(clerktest.EndpointGetUser, http.StatusInternalServerError) },
			steps:   one(bearer(), custom(core.ReasonUserFetchFailed))},
		{name: "Require with no checks passes any session", setup: Setup{Check: core.All()},
			steps: []step{
				{req: bearer(), want: ok(false, true)},
				{req: header(""), want: missing()},
			}},
		{name: "Require on a signed-out optional request", setup: Setup{Optional: true, Check: core.Role("org:admin")},
			steps: []step{
				{req: header(""), want: missing()},
				{req: header("Bearer not-a-jwt"), want: missing()},
				{req: bearer(orgToken...), want: ok(false, true)},
			}},
	}

	rs = append(rs, pageRows()...)
	rs = append(rs, sessionRows()...)

	// Machine tokens.
	for _, m := range []struct {
		form    string
		kind    core.TokenKind
		subject string
		calls   int
	}{
		{formAPIKey, core.APIKey, subjectUser, 1},
		{formM2M, core.M2MToken, subjectMachine, 1},
		{formM2MJWT, core.M2MToken, subjectMachine, 0},
		{formOAuth, core.OAuthToken, subjectUser, 1},
		{formOAuthJWT, core.OAuthToken, subjectUser, 0},
	} {
		calls := m.calls
		rs = append(rs,
			row{name: m.form + " accepted where its kind is (no user fetch)", setup: Setup{FetchUser: true, AcceptsToken: kinds(m.kind)},
				steps: one(machineBearer(m.form), machine(m.kind, m.subject)),
				after: func(e *env) { e.wantVerifyCalls(calls); e.wantRequests(clerktest.EndpointGetUser, 0) }},
			row{name: m.form + " accepted by AnyToken", setup: Setup{AcceptsToken: kinds(core.AnyToken)},
				steps: one(machineBearer(m.form), machine(m.kind, m.subject))},
			row{name: m.form + " on a session route: not accepted, no network call", setup: fetch,
				steps: one(machineBearer(m.form), invalid(core.ReasonTokenTypeNotAccepted)),
				after: func(e *env) { e.wantRequests(clerktest.AnyEndpoint, 0) }},
		)
	}
	var revoked, cachedTok string
	rs = append(rs,
		row{name: "session token accepted by AnyToken", setup: Setup{FetchUser: true, AcceptsToken: kinds(core.AnyToken)},
			steps: one(bearer(), ok(true, true))},
		row{name: "session token on a machine-only route: not accepted, no network call", setup: Setup{AcceptsToken: kinds(core.APIKey, core.M2MToken)},
			steps: one(bearer(), invalid(core.ReasonTokenTypeNotAccepted)),
			after: func(e *env) { e.wantRequests(clerktest.AnyEndpoint, 0) }},
		row{name: "API key on an M2M route: not accepted, no network call", setup: Setup{AcceptsToken: kinds(core.M2MToken)},
			steps: one(machineBearer(formAPIKey), invalid(core.ReasonTokenTypeNotAccepted)),
			after: func(e *env) { e.wantRequests(clerktest.AnyEndpoint, 0) }},
		row{name: "revoked API key", setup: Setup{AcceptsToken: kinds(core.APIKey)},
			steps: one(func(e *env) request {
				k := e.Server.NewAPIKey(clerktest.MachineTokenParams{})
				e.Server.RevokeMachineToken(k.Token)
				return request{auth: "Bearer " + k.Token}
			}, invalid(core.ReasonTokenRevoked))},
		row{name: "expired M2M token", setup: Setup{AcceptsToken: kinds(core.M2MToken)},
			steps: one(func(e *env) request {
				m := e.Server.NewM2MToken(clerktest.MachineTokenParams{})
				e.Server.ExpireMachineToken(m.Token)
				return request{auth: "Bearer " + m.Token}
			}, invalid(core.ReasonTokenExpired))},
		row{name: "expired M2M JWT", setup: Setup{AcceptsToken: kinds(core.M2MToken)},
			steps: one(func(e *env) request {
				return request{auth: "Bearer " + e.Server.NewM2MJWT(clerktest.MachineTokenParams{TTL: -time.Minute}).Token}
			}, invalid(core.ReasonTokenExpired))},
		row{name: "unknown OAuth token", setup: Setup{AcceptsToken: kinds(core.OAuthToken)},
			steps: one(header("Bearer oat_"+strings.Repeat("0", 32)), invalid(core.ReasonTokenNotFound))},
		row{name: "Clerk down for API keys: 503", setup: Setup{AcceptsToken: kinds(core.APIKey)},
			arrange: func(e *env) { e.Server.Fail(clerktest.EndpointVerifyAPIKey, http.StatusServiceUnavailable) },
			steps:   one(machineBearer(formAPIKey), unavailable(core.ReasonTokenVerificationUnavailable))},
		row{name: "Clerk down for M2M tokens, optional: still 503", setup: Setup{AcceptsToken: kinds(core.M2MToken), Optional: true},
			arrange: func(e *env) { e.Server.Fail(clerktest.EndpointVerifyM2MToken, clerktest.DropConnection) },
			steps:   one(machineBearer(formM2M), unavailable(core.ReasonTokenVerificationUnavailable))},
		row{name: "a machine verdict is reused until the cache TTL, on the injected clock", setup: Setup{AcceptsToken: kinds(core.APIKey)},
			steps: []step{
				{req: sameMachineBearer(formAPIKey, &cachedTok), want: machine(core.APIKey, subjectUser)},
				{req: sameMachineBearer(formAPIKey, &cachedTok), want: machine(core.APIKey, subjectUser)},
				{before: func(e *env) { e.wantVerifyCalls(1); e.Clock.Advance(core.DefaultMachineTokenCacheTTL + time.Second) },
					req: sameMachineBearer(formAPIKey, &cachedTok), want: machine(core.APIKey, subjectUser)},
			},
			after: func(e *env) { e.wantVerifyCalls(2) }},
		row{name: "revocation shows once the cached verdict expires", setup: Setup{AcceptsToken: kinds(core.APIKey)},
			steps: []step{
				{req: sameMachineBearer(formAPIKey, &revoked), want: machine(core.APIKey, subjectUser)},
				{before: func(e *env) { e.Server.RevokeMachineToken(revoked) },
					req: sameMachineBearer(formAPIKey, &revoked), want: machine(core.APIKey, subjectUser)},
				{before: func(e *env) { e.Clock.Advance(core.DefaultMachineTokenCacheTTL + time.Second) },
					req: sameMachineBearer(formAPIKey, &revoked), want: invalid(core.ReasonTokenRevoked)},
			}},
		row{name: "Require scope: pass", setup: Setup{AcceptsToken: kinds(core.APIKey), Check: core.Scope("read")},
			steps: one(machineBearer(formAPIKey, "read", "write"), machine(core.APIKey, subjectUser))},
		row{name: "Require scope: fail", setup: Setup{AcceptsToken: kinds(core.APIKey), Check: core.Scope("read")},
			steps: one(machineBearer(formAPIKey, "write"), forbidden(core.ReasonMissingScope))},
		row{name: "Require scope on a session: fail", setup: Setup{AcceptsToken: kinds(core.AnyToken), Check: core.Scope("read")},
			steps: one(bearer(), forbidden(core.ReasonMissingScope))},
		row{name: "Require role on a machine token fails closed", setup: Setup{AcceptsToken: kinds(core.AnyToken), Check: core.Role("org:admin")},
			steps: one(machineBearer(formM2MJWT), forbidden(core.ReasonMissingRole))},
		row{name: "Require kind", setup: Setup{AcceptsToken: kinds(core.AnyToken), Check: core.Kind(core.SessionToken)},
			steps: []step{
				{req: bearer(), want: ok(false, true)},
				{req: machineBearer(formOAuthJWT), want: invalid(core.ReasonTokenTypeNotAccepted)},
			}},
	)

	// Two instances stacked: a global middleware and a route group's.
	rs = append(rs,
		row{name: "stacked instances: the inner middleware's result only", setup: Setup{Stacked: true, Optional: true, Check: core.Role("org:admin")},
			steps: []step{
				{req: func(e *env) request { return request{auth: "Bearer " + e.other.Server.Token(orgToken...)} }, want: missing()},
				{req: bearer(orgToken...), want: ok(false, true)},
			}},
		row{name: "stacked instances, inner signed out: the handler sees no auth", setup: Setup{Stacked: true, Optional: true},
			steps: one(func(e *env) request { return request{auth: "Bearer " + e.other.Server.Token()} }, ok(false, false))},
		row{name: "stacked instances, inner skips: the handler sees no auth", setup: Setup{Stacked: true, Optional: true, SkipPrefix: "/skip/"},
			steps: one(func(e *env) request { return request{path: "/skip/ping", auth: "Bearer " + e.other.Server.Token()} }, ok(false, false))},
		row{name: "stacked instances, inner signed out: its error handler, not the outer's", setup: Setup{Stacked: true, Optional: true, CustomErrors: true, Check: core.Role("org:admin")},
			steps: one(func(e *env) request { return request{auth: "Bearer " + e.other.Server.Token(orgToken...)} }, custom(core.ReasonTokenMissing))},
	)

	// One instance per host (ClientFunc).
	rs = append(rs,
		row{name: "client per host: each tenant's own tokens", setup: Setup{PerHost: true},
			steps: []step{
				{req: func(e *env) request { return request{host: HostA, auth: "Bearer " + e.token()} }, want: ok(false, true)},
				{req: func(e *env) request { return request{host: HostB, auth: "Bearer " + e.token()} }, want: invalid(core.ReasonTokenUnknownKID)},
				{req: func(e *env) request { return request{host: "c.example", auth: "Bearer " + e.token()} }, want: notFound(core.ReasonUnknownTenant)},
			}},
	)

	// Where the token comes from, and OPTIONS.
	rs = append(rs,
		row{name: "query tokens are not read by default", setup: Setup{},
			steps: one(func(e *env) request { return request{path: "/protected?token=" + e.token()} }, missing())},
		row{name: "TokenFrom a query parameter", setup: Setup{TokenFrom: []core.Extractor{core.FromQuery("token")}},
			steps: one(func(e *env) request { return request{path: "/protected?token=" + e.token()} }, ok(false, true))},
		row{name: "TokenFrom a header, for API keys", setup: Setup{AcceptsToken: kinds(core.APIKey), TokenFrom: []core.Extractor{core.FromHeader("X-API-Key")}},
			steps: []step{
				{req: func(e *env) request {
					return request{header: [2]string{"X-API-Key", e.Server.NewAPIKey(clerktest.MachineTokenParams{}).Token}}
				}, want: machine(core.APIKey, subjectUser)},
				{req: machineBearer(formAPIKey), want: missing()}, // Authorization is not read
			}},
		row{name: "TokenFrom: the first extractor with a token decides", setup: Setup{TokenFrom: []core.Extractor{core.FromHeader("X-Token"), core.FromAuthorizationHeader()}},
			steps: one(func(e *env) request {
				return request{header: [2]string{"X-Token", "garbage"}, auth: "Bearer " + e.token()}
			}, invalid(core.ReasonTokenMalformed))},
		row{name: "OPTIONS is authenticated by default", setup: fetch,
			steps: []step{
				{req: func(*env) request { return request{method: http.MethodOptions} }, want: missing()},
				{req: func(*env) request { return request{method: http.MethodOptions, path: "/any"} }, want: missing()},
				{req: func(*env) request { return request{method: http.MethodOptions, path: "/any", preflight: true} }, want: missing()},
				{req: func(e *env) request {
					return request{method: http.MethodOptions, path: "/any", auth: "Bearer " + e.token()}
				}, want: ok(true, true)},
			}},
		row{name: "SkipOptions(true) passes a CORS preflight unauthenticated", setup: Setup{FetchUser: true, SkipOptions: yes()},
			steps: []step{
				{req: func(*env) request { return request{method: http.MethodOptions, path: "/any", preflight: true} }, want: ok(false, false)},
				{req: func(*env) request { return request{method: http.MethodOptions, preflight: true} }, want: ok(false, false)},
			},
			after: func(e *env) { e.wantRequests(clerktest.AnyEndpoint, 0) }},
		row{name: "SkipOptions(true) authenticates a plain OPTIONS", setup: Setup{FetchUser: true, SkipOptions: yes()},
			steps: []step{
				{req: func(*env) request { return request{method: http.MethodOptions, path: "/any"} }, want: missing()},
				{req: func(*env) request { return request{method: http.MethodOptions} }, want: missing()},
				{req: func(*env) request { // Origin alone is not a preflight
					return request{method: http.MethodOptions, path: "/any", header: [2]string{"Origin", "https://app.example"}}
				}, want: missing()},
				{req: func(*env) request { // nor Access-Control-Request-Method alone
					return request{method: http.MethodOptions, path: "/any", header: [2]string{"Access-Control-Request-Method", "DELETE"}}
				}, want: missing()},
				{req: func(*env) request { return request{method: http.MethodGet, path: "/any", preflight: true} }, want: missing()},
				{req: func(e *env) request {
					return request{method: http.MethodOptions, path: "/any", auth: "Bearer " + e.token()}
				}, want: ok(true, true)},
			}},
		row{name: "SkipOptions(false) authenticates OPTIONS", setup: Setup{SkipOptions: no()},
			steps: []step{
				{req: func(*env) request { return request{method: http.MethodOptions} }, want: missing()},
				{req: func(*env) request { return request{method: http.MethodOptions, preflight: true} }, want: missing()},
				{req: func(e *env) request { return request{method: http.MethodOptions, auth: "Bearer " + e.token()} }, want: ok(false, true)},
			}},
	)

	checks := []struct {
		name  string
		check core.Check
		opts  []clerktest.TokenOption
		fail  core.Reason // "" when the check passes
	}{
		{"role", core.Role("org:admin"), orgToken, ""},
		{"role", core.Role("org:owner"), orgToken, core.ReasonMissingRole},
		{"permission", core.Permission("org:articles:read"), orgToken, ""},
		{"permission", core.Permission("org:billing:manage"), orgToken, core.ReasonMissingPermission},
		{"feature", core.Feature("org:articles"), orgToken, ""},
		{"feature", core.Feature("billing"), orgToken, core.ReasonMissingFeature},
		{"plan", core.Plan("pro"), orgToken, ""},
		{"plan", core.Plan("enterprise"), orgToken, core.ReasonMissingPlan},
		{"reverification", core.Reverified(core.FirstFactor, 10*time.Minute), []clerktest.TokenOption{clerktest.WithFactorAge(2, -1)}, ""},
		{"reverification", core.Reverified(core.FirstFactor, 10*time.Minute), []clerktest.TokenOption{clerktest.WithFactorAge(30, -1)}, core.ReasonReverificationRequired},
		{"all of role and permission", core.All(core.Role("org:admin"), core.Permission("org:articles:read")), orgToken, ""},
		{"all of role and permission", core.All(core.Role("org:admin"), core.Permission("org:articles:write")), orgToken, core.ReasonMissingPermission},
	}
	for _, c := range checks {
		r := row{setup: Setup{FetchUser: true, Check: c.check}}
		if c.fail == "" {
			r.name = "Require " + c.name + ": pass"
			r.steps = one(bearer(c.opts...), ok(true, true))
		} else {
			r.name = "Require " + c.name + ": fail"
			w := forbidden(c.fail)
			if c.fail == core.ReasonReverificationRequired {
				w.reverify = &core.ReverificationRequirement{Level: core.FirstFactor, AfterMinutes: 10}
			}
			r.steps = one(bearer(c.opts...), w)
		}
		rs = append(rs, r)
	}
	return rs
}

// The browser decision's answers for GET /protected on example.com.
const (
	pageURL    = "http%3A%2F%2Fexample.com%2Fprotected"
	signInURL  = "@fake/sign-in?redirect_url=" + pageURL
	handshakes = "@fake/v1/client/handshake?redirect_url=" + pageURL + "&__clerk_api_version=2026-05-12&suffixed_cookies=false&__clerk_hs_reason="
)

// toSignIn is a 307 to the fake's sign-in page, signed out for reason.
func toSignIn(reason string) want {
	return want{status: http.StatusTemporaryRedirect, location: signInURL, noStore: true}.clerk(reason)
}

// handshake is a 307 to the fake's handshake for reason, the loop guard's
// cookie at 1. A handshake with the current session token has Location
// the exact URL followed by "&__session=<token>".
func handshake(reason string, withSession bool) want {
	w := want{status: http.StatusTemporaryRedirect, noStore: true, authStatus: "handshake", authReason: reason,
		setCookies: []string{"__clerk_redirect_count=1"}}
	if withSession {
		w.locationPrefix, w.tokenInLocation = handshakes+reason+"&format=nonce&__session=", true
	} else {
		w.location = handshakes + reason + "&format=nonce"
	}
	return w
}

// page is a browser's document request (Sec-Fetch-Dest: document,
// Accept: text/html) with the given Cookie header, if any.
func page(cookies func(e *env) string) func(e *env) request {
	return func(e *env) request {
		rq := request{page: true}
		if cookies != nil {
			rq.cookies = []string{cookies(e)}
		}
		return rq
	}
}

// api is a fetch() call: Accept: application/json, no Sec-Fetch-Dest.
func api(cookies func(e *env) string) func(e *env) request {
	return func(e *env) request {
		rq := request{header: [2]string{"Accept", "application/json"}}
		if cookies != nil {
			rq.cookies = []string{cookies(e)}
		}
		return rq
	}
}

// uatOnly is a __client_uat cookie of an hour ago without a __session,
// and extra cookies.
func uatOnly(extra string) func(e *env) string {
	return func(e *env) string { return "__client_uat=" + unix(e.Clock.Now().Add(-time.Hour)) + extra }
}

// handshakeReturn is a production instance's return from the handshake:
// GET /protected?__clerk_handshake=<a JWT signed by the instance> carrying
// the directives of a new __session and __client_uat.
func handshakeReturn(e *env) request {
	hs, tok := hsJWT(e)
	return request{page: true, path: "/protected?__clerk_handshake=" + hs, setCookieTokens: []string{tok}}
}

// pageRows are the rows of the browser decision (Setup.BrowserPages): the
// same 307s with the same headers and cookies in every adapter.
func pageRows() []row {
	pages := Setup{FetchUser: true, BrowserPages: true}
	no401 := Setup{FetchUser: true, BrowserPages: true, NoSignInRedirect: true}
	satellite := Setup{FetchUser: true, BrowserPages: true, Satellite: true}
	orgs := Setup{FetchUser: true, BrowserPages: true, OrganizationSync: &core.OrganizationSync{
		OrganizationPatterns: []string{"/:slug"}, PersonalAccountPatterns: []string{"/skip/(.*)"}}}
	syncedURL := "http%3A%2F%2Fexample.com%2Fprotected%3F__clerk_synced%3Dfalse"
	noCookies := "session-token-and-uat-missing"
	expired := "session-token-expired-refresh-non-eligible-no-refresh-cookie"
	expiredCookie := func(e *env) string { return e.sessionCookie(e.token(clerktest.WithTTL(-time.Minute))) }
	return []row{
		{name: "page: no cookies: 307 to the sign-in page", setup: pages,
			steps: one(page(nil), toSignIn(noCookies)),
			after: func(e *env) { e.wantRequests(clerktest.AnyEndpoint, 0) }},
		{name: "page, SignInRedirect(false): no cookies: 401", setup: no401,
			steps: one(page(nil), missing().clerk(noCookies))},
		{name: "page decision: API requests and POSTs keep the 401", setup: pages,
			steps: []step{
				{req: api(nil), want: missing().clerk(noCookies)},
				{req: header(""), want: missing().clerk(noCookies)},
				{req: func(*env) request { return request{method: http.MethodPost, path: "/any", page: true} }, want: missing().clerk(noCookies)},
			}},
		// Organization sync (issue 20): "/:slug" names the organization
		// "protected" on the suite's /protected route, and /skip/ping is a
		// page of the personal account.
		{name: "page, organization sync: the URL names another organization: handshake with organization_id", setup: orgs,
			steps: []step{
				{req: page(func(e *env) string { return e.sessionCookie(e.token(orgToken...)) }), want: func() want {
					w := handshake("active-organization-mismatch", true)
					w.locationSuffix = "&organization_id=protected"
					return w
				}()},
				{req: api(func(e *env) string { return e.sessionCookie(e.token(orgToken...)) }), want: ok(true, true)},
			}},
		{name: "page, organization sync: no organization active, the URL names one: handshake to activate it", setup: orgs,
			steps: one(page(func(e *env) string { return e.sessionCookie(e.token()) }), func() want {
				w := handshake("active-organization-mismatch", true)
				w.locationSuffix = "&organization_id=protected"
				return w
			}())},
		{name: "page, organization sync: the URL names the active organization", setup: orgs,
			steps: one(page(func(e *env) string {
				return e.sessionCookie(e.token(clerktest.WithOrgMembership("org_2protected", "protected", "admin")))
			}), ok(true, true))},
		{name: "page, organization sync: a personal-account page with an organization active: handshake to clear it", setup: orgs,
			steps: []step{
				{req: func(e *env) request {
					return request{page: true, path: "/skip/ping", cookies: []string{e.sessionCookie(e.token(orgToken...))}}
				}, want: func() want {
					w := handshake("active-organization-mismatch", true)
					w.locationPrefix = strings.Replace(w.locationPrefix, "%2Fprotected", "%2Fskip%2Fping", 1)
					w.locationSuffix = "&organization_id="
					return w
				}()},
				{req: func(e *env) request {
					return request{page: true, path: "/skip/ping", cookies: []string{e.sessionCookie(e.token())}}
				}, want: ok(true, true)},
			}},
		// A production satellite (issue 20): Clerk's multi-domain sync on
		// page requests, the primary's sign-in page on another origin.
		{name: "page, satellite: __clerk_synced=false: handshake satellite-needs-syncing", setup: satellite,
			steps: []step{
				{req: func(*env) request { return request{page: true, path: "/protected?__clerk_synced=false"} },
					want: want{status: http.StatusTemporaryRedirect, noStore: true, authStatus: "handshake", authReason: "satellite-needs-syncing",
						setCookies: []string{"__clerk_redirect_count=1"},
						location:   "@fake/v1/client/handshake?redirect_url=" + syncedURL + "&__clerk_api_version=2026-05-12&suffixed_cookies=false&__clerk_hs_reason=satellite-needs-syncing&format=nonce"}},
				{req: func(*env) request {
					return request{path: "/protected?__clerk_synced=false", header: [2]string{"Accept", "application/json"}}
				}, want: missing().clerk(noCookies)},
			},
			after: func(e *env) { e.wantRequests(clerktest.AnyEndpoint, 0) }},
		{name: "page, satellite: signed out: to the primary's sign-in page, to come back syncing", setup: satellite,
			steps: one(page(nil), want{status: http.StatusTemporaryRedirect, noStore: true,
				location: SatelliteSignIn + "?redirect_url=" + syncedURL}.clerk(noCookies))},
		{name: "page, satellite: signed in with its own cookies", setup: satellite,
			steps: one(page(func(e *env) string { return e.sessionCookie(e.token()) }), ok(true, true))},
		{name: "page: __client_uat without __session: handshake", setup: pages,
			steps: []step{
				{req: page(uatOnly("")), want: handshake("client-uat-but-no-session-token", false)},
				{req: api(uatOnly("")), want: missing().clerk("client-uat-but-no-session-token")},
			},
			after: func(e *env) { e.wantRequests(clerktest.AnyEndpoint, 0) }},
		{name: "page: the loop guard counts the handshakes and stops at 3", setup: pages,
			steps: []step{
				{req: page(uatOnly("; __clerk_redirect_count=2")), want: func() want {
					w := handshake("client-uat-but-no-session-token", false)
					w.setCookies = []string{"__clerk_redirect_count=3"}
					return w
				}()},
				{req: page(uatOnly("; __clerk_redirect_count=3")), want: toSignIn("client-uat-but-no-session-token")},
			}},
		{name: "page, SignInRedirect(false): the loop guard stops at 3 with a 401", setup: no401,
			steps: one(page(uatOnly("; __clerk_redirect_count=3")), missing().clerk("client-uat-but-no-session-token"))},
		{name: "page: valid cookies sign in", setup: pages,
			steps: []step{
				{req: page(func(e *env) string { return e.sessionCookie(e.token()) }), want: ok(true, true)},
				{req: func(e *env) request { return request{page: true, auth: "Bearer " + e.token()} }, want: ok(true, true)},
			},
			after: func(e *env) { e.wantRequests(clerktest.EndpointGetUser, 1) }},
		{name: "page: expired cookie token without a refresh cookie: handshake", setup: pages,
			steps: []step{
				{req: page(expiredCookie), want: handshake(expired, true)},
				{req: api(expiredCookie), want: invalid(core.ReasonTokenExpired).clerk(expired)},
			}},
		{name: "page, SignInRedirect(false): expired cookie token: still the handshake", setup: no401,
			steps: one(page(expiredCookie), handshake(expired, true))},
		{name: "page: a production handshake's return signs in with its cookies", setup: pages,
			steps: one(handshakeReturn, func() want {
				w := ok(true, true)
				w.setCookies = []string{"__session", "__client_uat"}
				return w
			}())},
		{name: "page, optional: no cookies go on anonymously", setup: Setup{FetchUser: true, BrowserPages: true, Optional: true},
			steps: []step{
				{req: page(nil), want: ok(false, false).clerk(noCookies)},
				{req: page(func(e *env) string { return e.sessionCookie(e.token()) }), want: ok(true, true)},
			}},
		{name: "page, optional: Require sends a signed-out page to sign in", setup: Setup{FetchUser: true, BrowserPages: true, Optional: true, Check: core.All()},
			steps: []step{
				{req: page(nil), want: toSignIn(noCookies)},
				{req: api(nil), want: missing().clerk(noCookies)},
				{req: page(func(e *env) string { return e.sessionCookie(e.token()) }), want: ok(true, true)},
			}},
		{name: "page, optional, SignInRedirect(false): Require answers 401", setup: Setup{BrowserPages: true, NoSignInRedirect: true, Optional: true, Check: core.All()},
			steps: one(page(nil), missing().clerk(noCookies))},
		{name: "page, SignInRedirect(false): the error handler answers, beside the decision's headers", setup: Setup{BrowserPages: true, NoSignInRedirect: true, CustomErrors: true},
			steps: one(page(nil), custom(core.ReasonTokenMissing).clerk(noCookies))},
		{name: "page: a skipped request is not decided", setup: Setup{BrowserPages: true, SkipPrefix: "/skip/"},
			steps: []step{
				{req: func(*env) request { return request{page: true, path: "/skip/ping"} }, want: ok(false, false)},
				{req: page(nil), want: toSignIn(noCookies)},
			},
			after: func(e *env) { e.wantRequests(clerktest.AnyEndpoint, 0) }},
		{name: "page: X-Forwarded-Host is not trusted by default", setup: pages,
			steps: one(func(*env) request { return request{page: true, header: [2]string{"X-Forwarded-Host", "app.example"}} }, toSignIn(noCookies))},
		{name: "page, TrustForwardedHeaders(true): the page's URL is the proxy's", setup: Setup{BrowserPages: true, TrustForwardedHeaders: true},
			steps: []step{
				{req: func(*env) request { return request{page: true, header: [2]string{"X-Forwarded-Host", "app.example"}} },
					want: func() want {
						w := toSignIn(noCookies)
						w.location = "@fake/sign-in?redirect_url=http%3A%2F%2Fapp.example%2Fprotected"
						return w
					}()},
				{req: func(*env) request { return request{page: true, header: [2]string{"X-Forwarded-Proto", "https"}} },
					want: func() want {
						w := toSignIn(noCookies)
						w.location = "@fake/sign-in?redirect_url=https%3A%2F%2Fexample.com%2Fprotected"
						return w
					}()},
			}},
	}
}

func unix(t time.Time) string { return strconv.FormatInt(t.Unix(), 10) }

// wantRequests checks how many requests the fake received at endpoint.
func (e *env) wantRequests(endpoint string, n int) {
	e.t.Helper()
	if got := e.Server.Requests(endpoint); got != n {
		e.t.Errorf("%s: %d requests, want %d", endpoint, got, n)
	}
}

// newRequest builds the *http.Request for rq.
func newRequest(rq request) *http.Request {
	p := rq.path
	if p == "" {
		p = "/protected"
	}
	method := rq.method
	if method == "" {
		method = http.MethodGet
	}
	req := httptest.NewRequest(method, p, nil)
	if rq.host != "" {
		req.Host = rq.host
	}
	if rq.auth != "" {
		req.Header.Set("Authorization", rq.auth)
	}
	if rq.header[0] != "" {
		req.Header.Set(rq.header[0], rq.header[1])
	}
	if rq.page {
		req.Header.Set("Sec-Fetch-Dest", "document")
		req.Header.Set("Accept", "text/html,application/xhtml+xml")
	}
	if rq.preflight {
		req.Header.Set("Origin", "https://app.example")
		req.Header.Set("Access-Control-Request-Method", http.MethodDelete)
	}
	for _, c := range rq.cookies {
		req.Header.Add("Cookie", c)
	}
	return req
}

// check sends rq through the target and checks the answer against w.
func (e *env) check(label string, rq request, w want) {
	e.t.Helper()
	if rq.jar {
		if c := e.browser().cookieHeader(); c != "" {
			rq.cookies = append(rq.cookies, c)
		}
	}
	got := serve(e.t, label, e.serve, newRequest(rq))
	e.last = got
	if got == nil {
		return
	}
	if rq.jar {
		e.browser().store(got.header)
	}
	switch w.subject {
	case subjectUser:
		w.subject = e.userID
	case subjectMachine:
		w.subject = e.Server.MachineID()
	}
	w.location = strings.ReplaceAll(w.location, "@fake", e.Server.URL)
	w.locationPrefix = strings.ReplaceAll(w.locationPrefix, "@fake", e.Server.URL)
	cookies := make([]string, 0, len(w.setCookies))
	for _, c := range w.setCookies {
		cookies = append(cookies, strings.ReplaceAll(c, "@sfx", e.Server.CookieSuffix()))
	}
	if w.setCookies != nil {
		w.setCookies = cookies
	}
	sec := secrets(e.Server, rq)
	if e.other != nil {
		sec = append(sec, e.other.Server.SecretKey())
	}
	checkAnswer(e.t, label, got, w, e.userID, sec)
	checkPage(e.t, label, got, w, e.Server.SecretKey(), append(rq.setCookieTokens, setCookieValues(got.header)...))
}

// Placeholders of want.subject, resolved per row.
const (
	subjectUser    = "@user"    // the default user of the row's fake
	subjectMachine = "@machine" // the machine of the row's fake
)

// answer is a response, read.
type answer struct {
	status int
	header http.Header
	body   []byte
}

func serve(t *testing.T, label string, do func(*http.Request) (*http.Response, error), req *http.Request) *answer {
	t.Helper()
	resp, err := do(req)
	if err != nil {
		t.Errorf("%s: serving %s: %v", label, req.URL.Path, err)
		return nil
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Errorf("%s: reading body: %v", label, err)
		return nil
	}
	return &answer{status: resp.StatusCode, header: resp.Header, body: body}
}

// secrets lists what must never appear in a response: the secret key and
// every token-like value the request carried.
func secrets(s *clerktest.Server, rq request) []string {
	out := []string{s.SecretKey()}
	if tok := core.HeaderToken(rq.auth); len(tok) >= 16 {
		out = append(out, tok)
	}
	if len(rq.header[1]) >= 16 && rq.header[0] != "Accept" {
		out = append(out, rq.header[1])
	}
	if _, q, ok := strings.Cut(rq.path, "="); ok && len(q) >= 16 {
		out = append(out, q)
	}
	for _, line := range rq.cookies {
		for _, part := range strings.Split(line, ";") {
			if _, v, ok := strings.Cut(part, "="); ok && len(v) >= 16 {
				out = append(out, strings.Trim(v, `"`))
			}
		}
	}
	return out
}

func checkAnswer(t *testing.T, label string, a *answer, w want, userID string, secret []string) {
	t.Helper()
	for _, s := range secret {
		if bytes.Contains(a.body, []byte(s)) {
			t.Errorf("%s: the response body leaks a token or the secret key", label)
		}
		for name, vs := range a.header {
			if name == "Location" && w.tokenInLocation {
				continue // checkPage checks the secret key there
			}
			for _, v := range vs {
				if strings.Contains(v, s) {
					t.Errorf("%s: response header %s leaks a token or the secret key", label, name)
				}
			}
		}
	}
	if a.status != w.status {
		t.Errorf("%s: status %d, want %d (body %s)", label, a.status, w.status, a.body)
	}
	if got := a.header.Values("Retry-After"); w.retryAfter == "" && len(got) > 0 {
		t.Errorf("%s: Retry-After %q, want none", label, got)
	} else if w.retryAfter != "" && (len(got) != 1 || got[0] != w.retryAfter) {
		t.Errorf("%s: Retry-After %q, want exactly %q", label, got, w.retryAfter)
	}
	if got := a.header.Values("WWW-Authenticate"); w.www == "" && len(got) > 0 {
		t.Errorf("%s: WWW-Authenticate %q, want none", label, got)
	} else if w.www != "" && (len(got) != 1 || got[0] != w.www) {
		t.Errorf("%s: WWW-Authenticate %q, want exactly %q", label, got, w.www)
	}

	if w.status == http.StatusTemporaryRedirect {
		if len(a.body) != 0 {
			t.Errorf("%s: a 307 with a body (the handler ran, or a redirect page): %s", label, a.body)
		}
		return
	}
	values, err := decodeAll(a.body)
	if err != nil {
		t.Errorf("%s: body is not JSON: %v: %s", label, err, a.body)
		return
	}
	ran := false
	for _, v := range values {
		var m map[string]json.RawMessage
		if json.Unmarshal(v, &m) == nil {
			if _, ok := m["user_id"]; ok {
				ran = true
			}
		}
	}
	if wantRan := w.status == http.StatusOK; ran != wantRan {
		t.Errorf("%s: downstream handler ran: %v, want %v (body %s)", label, ran, wantRan, a.body)
	}
	if len(values) != 1 {
		t.Errorf("%s: body holds %d JSON values, want 1: %s", label, len(values), a.body)
		return
	}
	switch {
	case w.status == http.StatusOK:
		var got Identity
		if err := strictUnmarshal(values[0], &got); err != nil {
			t.Errorf("%s: handler body %s: %v", label, values[0], err)
			return
		}
		var exp Identity
		if w.user {
			exp.UserID, exp.CtxUserID = userID, userID
		}
		if w.session {
			exp.SessionSub, exp.CtxSessionSub = userID, userID
			exp.Kind, exp.Subject = string(core.SessionToken), userID
		}
		if w.kind != "" {
			exp.Kind, exp.Subject = string(w.kind), w.subject
		}
		exp.CtxKind, exp.CtxSubject = exp.Kind, exp.Subject
		if got != exp {
			t.Errorf("%s: handler saw %+v, want %+v", label, got, exp)
		}
	case w.custom != "":
		var got map[string]string
		if err := json.Unmarshal(values[0], &got); err != nil || len(got) != 1 || got["custom"] != string(w.custom) {
			t.Errorf("%s: custom error body %s, want {\"custom\":%q}", label, values[0], w.custom)
		}
	default:
		var got struct {
			Status     int    `json:"status"`
			Reason     string `json:"reason"`
			Message    string `json:"message"`
			ClerkError *struct {
				Type     string `json:"type"`
				Reason   string `json:"reason"`
				Metadata struct {
					Reverification *core.ReverificationRequirement `json:"reverification"`
				} `json:"metadata"`
			} `json:"clerk_error"`
		}
		if err := json.Unmarshal(values[0], &got); err != nil {
			t.Errorf("%s: error body %s: %v", label, values[0], err)
			return
		}
		if got.Reason != string(w.reason) || got.Status != w.status || got.Message == "" {
			t.Errorf("%s: error body %s, want status %d and reason %q", label, values[0], w.status, w.reason)
		}
		switch ce := got.ClerkError; {
		case w.reverify == nil && ce != nil:
			t.Errorf("%s: error body %s carries a clerk_error", label, values[0])
		case w.reverify != nil && (ce == nil || ce.Type != "forbidden" || ce.Reason != "reverification-error" ||
			ce.Metadata.Reverification == nil || *ce.Metadata.Reverification != *w.reverify):
			t.Errorf("%s: error body %s, want Clerk's reverification-error with %+v", label, values[0], *w.reverify)
		}
		if ct := a.header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
			t.Errorf("%s: Content-Type %q, want application/json; charset=utf-8", label, ct)
		}
		if cc := a.header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("%s: Cache-Control %q, want no-store", label, cc)
		}
	}
}

// decodeAll decodes every JSON value in b (a handler that ran after an
// error response would have appended its own).
func decodeAll(b []byte) ([]json.RawMessage, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	var out []json.RawMessage
	for {
		var v json.RawMessage
		err := dec.Decode(&v)
		if errors.Is(err, io.EOF) {
			if len(out) == 0 {
				return nil, errors.New("empty body")
			}
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
}

func strictUnmarshal(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

// testConcurrentUserFetch sends 50 concurrent requests for the same user
// while the user endpoint is held, then releases it: exactly one user API
// call is made and every request is answered 200.
func testConcurrentUserFetch(t *testing.T, target Target) {
	const n = 50
	e := newEnv(t, target, Setup{FetchUser: true})
	release := e.Server.Block(clerktest.EndpointGetUser)
	tok := e.token()

	answers := make([]*answer, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			answers[i] = serve(t, fmt.Sprintf("request %d", i), e.serve, newRequest(request{auth: "Bearer " + tok}))
		}()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	err := e.Server.AwaitWaiting(ctx, clerktest.EndpointGetUser, 1)
	cancel()
	release()
	wg.Wait()
	if err != nil {
		t.Fatalf("no user fetch reached Clerk: %v", err)
	}
	for i, a := range answers {
		if a != nil {
			checkAnswer(t, fmt.Sprintf("request %d", i), a, ok(true, true), e.userID, []string{tok, e.Server.SecretKey()})
		}
	}
	e.wantRequests(clerktest.EndpointGetUser, 1)
}

// testConcurrentMachine sends 100 concurrent requests with one new API key
// while the verify endpoint is held, then releases it: exactly one verify
// call is made and every request is answered 200.
func testConcurrentMachine(t *testing.T, target Target) {
	const n = 100
	e := newEnv(t, target, Setup{AcceptsToken: kinds(core.APIKey)})
	release := e.Server.Block(clerktest.EndpointVerifyAPIKey)
	tok := e.Server.NewAPIKey(clerktest.MachineTokenParams{}).Token
	answers := make([]*answer, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			answers[i] = serve(t, fmt.Sprintf("request %d", i), e.serve, newRequest(request{auth: "Bearer " + tok}))
		}()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	err := e.Server.AwaitWaiting(ctx, clerktest.EndpointVerifyAPIKey, 1)
	cancel()
	release()
	wg.Wait()
	if err != nil {
		t.Fatalf("no verify call reached Clerk: %v", err)
	}
	for i, a := range answers {
		if a != nil {
			checkAnswer(t, fmt.Sprintf("request %d", i), a, machine(core.APIKey, e.userID), e.userID, []string{tok, e.Server.SecretKey()})
		}
	}
	e.wantRequests(clerktest.EndpointVerifyAPIKey, 1)
}

// testConcurrentUsers sends requests of several users from several
// goroutines, by header and by cookie: each is answered with its own user,
// and users are fetched at most once each (shared calls, then the cache).
func testConcurrentUsers(t *testing.T, target Target) {
	const users, workers, perWorker = 8, 8, 25
	e := newEnv(t, target, Setup{FetchUser: true})
	toks := make([]string, users)
	ids := make([]string, users)
	for i := range toks {
		u := e.Server.CreateUser(clerktest.UserParams{})
		ids[i], toks[i] = u.ID, e.token(clerktest.WithSubject(u.ID))
	}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perWorker {
				n := (w + i) % users
				rq := request{auth: "Bearer " + toks[n]}
				if i%3 == 0 {
					rq = request{cookies: []string{e.sessionCookie(toks[n])}}
				}
				label := fmt.Sprintf("worker %d, request %d", w, i)
				if a := serve(t, label, e.serve, newRequest(rq)); a != nil {
					checkAnswer(t, label, a, ok(true, true), ids[n], []string{toks[n], e.Server.SecretKey()})
				}
			}
		}()
	}
	wg.Wait()
	if n := e.Server.Requests(clerktest.EndpointGetUser); n > users {
		t.Errorf("%d user fetches for %d users", n, users)
	}
}

// testTenants builds the adapter twice, for two Clerk instances: each
// accepts its own tokens and rejects the other's, even under its own kid.
func testTenants(t *testing.T, target Target) {
	a := newEnv(t, target, Setup{})
	b := newEnv(t, target, Setup{})
	for _, c := range []struct {
		label string
		at    *env
		tok   string
		want  want
	}{
		{"A's token at A", a, a.token(), ok(false, true)},
		{"B's token at B", b, b.token(), ok(false, true)},
		// In A's key refetch cooldown, but of another issuer: not a key A
		// has just rotated in, so 401 at once, not 503.
		{"B's token at A", a, b.token(), invalid(core.ReasonTokenUnknownKID)},
		{"a token of another key under A's kid at A", a, b.token(clerktest.WithSigningKey(keys()[1], a.Server.KeyID())), invalid(core.ReasonTokenInvalidSignature)},
	} {
		if r := serve(t, c.label, c.at.serve, newRequest(request{auth: "Bearer " + c.tok})); r != nil {
			checkAnswer(t, c.label, r, c.want, c.at.userID, []string{c.tok})
		}
	}
}

// checkPage checks the browser decision's headers of an answer: Location,
// Set-Cookie, Cache-Control and the x-clerk-auth headers are exactly what
// w expects (absent unless expected); the secret key appears nowhere, not
// even in a handshake's Location; and the tokens of setCookieTokens appear
// only in Set-Cookie headers.
func checkPage(t *testing.T, label string, a *answer, w want, secretKey string, setCookieTokens []string) {
	t.Helper()
	loc := a.header.Values("Location")
	switch {
	case w.locationPrefix != "":
		if len(loc) != 1 || !strings.HasPrefix(loc[0], w.locationPrefix) || !strings.HasSuffix(loc[0], w.locationSuffix) {
			t.Errorf("%s: Location %q, want one starting with %q and ending with %q", label, loc, w.locationPrefix, w.locationSuffix)
		}
	case w.location == "" && len(loc) > 0:
		t.Errorf("%s: Location %q, want none", label, loc)
	case w.location != "" && (len(loc) != 1 || loc[0] != w.location):
		t.Errorf("%s: Location %q, want exactly %q", label, loc, w.location)
	}
	// The cookies as w spells them: "name", or "name=value" where w
	// expects a value (never a session token's).
	cookies := a.header.Values("Set-Cookie")
	var got []string
	for i, c := range cookies {
		pair, _, _ := strings.Cut(c, ";")
		name, _, _ := strings.Cut(pair, "=")
		if i < len(w.setCookies) && strings.Contains(w.setCookies[i], "=") {
			name = pair
		}
		got = append(got, name)
	}
	if !slices.Equal(got, w.setCookies) {
		t.Errorf("%s: Set-Cookie %q, want %q", label, got, w.setCookies)
	}
	if w.noStore {
		if cc := a.header.Values("Cache-Control"); len(cc) != 1 || cc[0] != "no-store" {
			t.Errorf("%s: Cache-Control %q, want no-store", label, cc)
		}
	}
	for _, h := range [...]struct{ name, want string }{
		{"X-Clerk-Auth-Status", w.authStatus},
		{"X-Clerk-Auth-Reason", w.authReason},
	} {
		if got := a.header.Values(h.name); h.want == "" && len(got) > 0 {
			t.Errorf("%s: %s %q, want none", label, h.name, got)
		} else if h.want != "" && (len(got) != 1 || got[0] != h.want) {
			t.Errorf("%s: %s %q, want exactly %q", label, h.name, got, h.want)
		}
	}
	if bytes.Contains(a.body, []byte(secretKey)) {
		t.Errorf("%s: the body shows the secret key", label)
	}
	for name, vs := range a.header {
		for _, v := range vs {
			if strings.Contains(v, secretKey) {
				t.Errorf("%s: response header %s shows the secret key", label, name)
			}
			for _, tok := range setCookieTokens {
				if name != "Set-Cookie" && strings.Contains(v, tok) {
					t.Errorf("%s: response header %s carries the handshake's session token", label, name)
				}
			}
		}
	}
	for _, tok := range setCookieTokens {
		if bytes.Contains(a.body, []byte(tok)) {
			t.Errorf("%s: the body carries the handshake's session token", label)
		}
	}
}
