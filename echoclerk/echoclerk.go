// Package echoclerk protects an Echo (github.com/labstack/echo/v4)
// application with Clerk (clerk.com) session tokens.
//
// Install:
//
//	go get github.com/clerkgo/clerk/echoclerk
//
// One line protects every route of an app configured from the environment
// (CLERK_SECRET_KEY, ...):
//
//	e.Use(echoclerk.Middleware())
//
// The middleware reads the session token from the Authorization header or
// the __session cookie, verifies it, loads the user (unless FetchUser(false))
// and makes both available with [User] and [Session], and on the request's
// context.Context with core.UserFromContext and core.SessionFromContext
// (an echo.Context is not a context.Context). A request that is not signed in
// gets 401 with a WWW-Authenticate challenge and a JSON body; a request that
// cannot be verified because Clerk is unreachable gets 503. [Require] adds
// per-route authorization checks (403 when one fails).
package echoclerk

import (
	"fmt"
	"strings"

	"github.com/clerkgo/clerk/core"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// Keys of the values the middleware stores with echo.Context.Set. They are
// namespaced so that they do not collide with an application's keys.
const (
	authKey    = "github.com/clerkgo/clerk/echoclerk.auth"
	handlerKey = "github.com/clerkgo/clerk/echoclerk.errorHandler"
)

// Option configures [Middleware] and [New].
type Option func(*options)

type options struct {
	core.Options // Client, FetchUser, SessionKey, Optional
	onError      func(c echo.Context, err error) error
	skipper      middleware.Skipper
}

// WithClient sets the Clerk instance to verify against. Without it the
// client is built from the environment with core.NewFromEnv. Multi-tenant
// applications give each group of routes its own client.
func WithClient(c *core.Client) Option { return func(o *options) { o.Client = c } }

// FetchUser turns loading the Clerk user of each signed-in request on or off
// (default on). With it off, [User] returns nil and verification makes no
// network call per request; [Session] still works. The user fetch needs a
// secret key: without one, [New] fails with core.ErrFetchUserNeedsSecretKey.
func FetchUser(on bool) Option { return func(o *options) { o.FetchUser = on } }

// SessionKey sets the name of the session cookie (default "__session").
func SessionKey(name string) Option { return func(o *options) { o.SessionKey = name } }

// Optional lets signed-out requests through (no token, or a token that is
// not acceptable) with no user and no session, so handlers can serve both
// audiences. Clerk being unreachable is still an error (503).
func Optional(on bool) Option { return func(o *options) { o.Optional = on } }

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
// skipped request has no session: a [Require] after it answers 401, with
// this middleware's ErrorHandler.
func Skipper(fn middleware.Skipper) Option { return func(o *options) { o.skipper = fn } }

// Middleware returns the authentication middleware:
//
//	e.Use(echoclerk.Middleware())
//
// With no [WithClient] option the client is built from the environment
// (core.NewFromEnv), a new one on each call: to install the middleware more
// than once, build one client and pass it to each with WithClient. An
// invalid or missing configuration panics at once with a message naming the
// problem, never a secret (a start-up failure, like regexp.MustCompile); use
// [New] to get the error instead.
func Middleware(opts ...Option) echo.MiddlewareFunc {
	mw, err := New(opts...)
	if err != nil {
		panic(fmt.Sprintf("echoclerk: invalid configuration: %v", err))
	}
	return mw
}

// New is [Middleware] returning the configuration error instead of
// panicking. Every configuration error is returned here, none on a request.
func New(opts ...Option) (echo.MiddlewareFunc, error) {
	o := options{Options: core.Options{FetchUser: true}}
	for _, opt := range opts {
		if opt != nil {
			opt(&o)
		}
	}
	a, err := core.NewAuthenticator(o.Options)
	if err != nil {
		return nil, err
	}
	skip := o.skipper
	if skip == nil {
		skip = middleware.DefaultSkipper
	}
	onError := o.onError
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if onError != nil {
				// For Require further down the chain.
				c.Set(handlerKey, onError)
			}
			if skip(c) {
				return next(c)
			}
			r := c.Request()
			cookie := strings.Join(r.Header.Values("Cookie"), "; ")
			auth, err := a.Authenticate(r.Context(), r.Header.Get(echo.HeaderAuthorization), cookie)
			if err != nil {
				return handleError(c, onError, err)
			}
			if auth != nil {
				c.Set(authKey, auth)
				c.SetRequest(r.WithContext(core.WithAuth(r.Context(), auth)))
			}
			return next(c)
		}
	}, nil
}

// Require runs authorization checks (core.Role, core.Permission,
// core.Feature, core.Plan, core.Reverified, ...) after [Middleware]. A
// request without a session (optional mode, signed out, or no Middleware
// before it) gets 401 token-missing; a failing check gets 403 with
// WWW-Authenticate: Bearer error="insufficient_scope". With no checks it only
// requires a session. It answers with the ErrorHandler of the Middleware
// that ran before it, else the default. It panics if a check is nil.
//
//	e.GET("/admin", h, echoclerk.Require(core.Role("org:admin")))
func Require(checks ...core.Check) echo.MiddlewareFunc {
	check := core.All(checks...) // panics on a nil check
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if err := core.Authorize(Session(c), check); err != nil {
				onError, _ := c.Get(handlerKey).(func(echo.Context, error) error)
				return handleError(c, onError, err)
			}
			return next(c)
		}
	}
}

// User returns the signed-in Clerk user, or nil when the request is not
// signed in or the user fetch is off. The user is shared between requests
// (the core caches it briefly): do not modify it.
func User(c echo.Context) *core.User {
	if a := authOf(c); a != nil {
		return a.User
	}
	return nil
}

// Session returns the verified session claims, or nil when the request is
// not signed in. The claims are shared between requests: do not modify them.
func Session(c echo.Context) *core.Claims {
	if a := authOf(c); a != nil {
		return a.Session
	}
	return nil
}

// authOf finds the Auth on the echo.Context, else on the request's context
// (where a net/http middleware wrapped with echo.WrapMiddleware puts it).
func authOf(c echo.Context) *core.Auth {
	if c == nil {
		return nil
	}
	if a, ok := c.Get(authKey).(*core.Auth); ok && a != nil {
		return a
	}
	if r := c.Request(); r != nil {
		return core.AuthFromContext(r.Context())
	}
	return nil
}

func handleError(c echo.Context, onError func(echo.Context, error) error, err error) error {
	if onError != nil {
		return onError(c, err)
	}
	return writeFailure(c, err)
}

// writeFailure writes the default answer of the HTTP failure contract
// directly (not through echo.HTTPError, whose body and headers would differ).
func writeFailure(c echo.Context, err error) error {
	f := core.FailureOf(err)
	h := c.Response().Header()
	if f.WWWAuthenticate != "" {
		h.Set(echo.HeaderWWWAuthenticate, f.WWWAuthenticate)
	}
	h.Set(echo.HeaderCacheControl, "no-store")
	return c.Blob(f.Status, "application/json; charset=utf-8", f.Body())
}
