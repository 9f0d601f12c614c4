// Package fiberclerk protects a Fiber v2 (github.com/gofiber/fiber/v2)
// application with Clerk (clerk.com) session tokens.
//
// Install:
//
//	go get github.com/clerkgo/clerk/fiberclerk
//
// One line protects every route of an app configured from the environment
// (CLERK_SECRET_KEY, ...):
//
//	app.Use(fiberclerk.Middleware())
//
// The middleware reads the session token from the Authorization header or
// the __session cookie, verifies it, loads the user (unless FetchUser(false))
// and makes both available with [User] and [Session], and on c.UserContext()
// with core.UserFromContext and core.SessionFromContext. A request that is
// not signed in gets 401 with a WWW-Authenticate challenge and a JSON body; a
// request that cannot be verified because Clerk is unreachable gets 503.
// [Require] adds per-route authorization checks (403 when one fails).
//
// Fiber's request strings live in buffers that fasthttp reuses after the
// handler returns. The middleware keeps none of them: the values it stores
// (user, claims) are decoded copies, valid after the handler returns.
package fiberclerk

import (
	"bytes"
	"fmt"

	"github.com/clerkgo/clerk/core"
	"github.com/gofiber/fiber/v2"
)

// Keys of the values the middleware stores with c.Locals. Unexported types:
// no other package can collide with them.
type (
	authKey    struct{}
	handlerKey struct{}
)

// Option configures [Middleware] and [New].
type Option func(*options)

type options struct {
	core.Options // Client, FetchUser, SessionKey, Optional
	onError      func(c *fiber.Ctx, err error) error
	next         func(c *fiber.Ctx) bool
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
// the app's fiber.Config.ErrorHandler. The protected handler never runs after
// a failure. [Require] uses the handler of the Middleware that ran before it.
// Nil restores the default.
func ErrorHandler(fn func(c *fiber.Ctx, err error) error) Option {
	return func(o *options) { o.onError = fn }
}

// Next sets a function that, when it returns true, lets a request pass
// without authentication, following Fiber's middleware convention. Default
// nil: never skip. A skipped request has no session: a [Require] after it
// answers 401, with this middleware's ErrorHandler.
func Next(fn func(c *fiber.Ctx) bool) Option { return func(o *options) { o.next = fn } }

// Middleware returns the authentication middleware:
//
//	app.Use(fiberclerk.Middleware())
//
// With no [WithClient] option the client is built from the environment
// (core.NewFromEnv), a new one on each call: to install the middleware more
// than once, build one client and pass it to each with WithClient. An
// invalid or missing configuration panics at once with a message naming the
// problem, never a secret (a start-up failure, like regexp.MustCompile); use
// [New] to get the error instead.
func Middleware(opts ...Option) fiber.Handler {
	h, err := New(opts...)
	if err != nil {
		panic(fmt.Sprintf("fiberclerk: invalid configuration: %v", err))
	}
	return h
}

// New is [Middleware] returning the configuration error instead of
// panicking. Every configuration error is returned here, none on a request.
func New(opts ...Option) (fiber.Handler, error) {
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
	next, onError := o.next, o.onError
	return func(c *fiber.Ctx) error {
		if onError != nil {
			// For Require further down the chain.
			c.Locals(handlerKey{}, onError)
		}
		if next != nil && next(c) {
			return c.Next()
		}
		// The header strings alias fasthttp's buffers. They are only read
		// during this call; the core copies the token into its cache.
		ctx := c.UserContext()
		auth, err := a.Authenticate(ctx, c.Get(fiber.HeaderAuthorization), cookieHeader(c))
		if err != nil {
			return handleError(c, onError, err)
		}
		if auth != nil {
			c.Locals(authKey{}, auth)
			c.SetUserContext(core.WithAuth(ctx, auth))
		}
		return c.Next()
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
//	app.Get("/admin", fiberclerk.Require(core.Role("org:admin")), h)
func Require(checks ...core.Check) fiber.Handler {
	check := core.All(checks...) // panics on a nil check
	return func(c *fiber.Ctx) error {
		if err := core.Authorize(Session(c), check); err != nil {
			onError, _ := c.Locals(handlerKey{}).(func(*fiber.Ctx, error) error)
			return handleError(c, onError, err)
		}
		return c.Next()
	}
}

// User returns the signed-in Clerk user, or nil when the request is not
// signed in or the user fetch is off. The user is shared between requests
// (the core caches it briefly): do not modify it.
func User(c *fiber.Ctx) *core.User {
	if a := authOf(c); a != nil {
		return a.User
	}
	return nil
}

// Session returns the verified session claims, or nil when the request is
// not signed in. The claims are shared between requests: do not modify them.
func Session(c *fiber.Ctx) *core.Claims {
	if a := authOf(c); a != nil {
		return a.Session
	}
	return nil
}

// authOf finds the Auth in c.Locals, else on c.UserContext().
func authOf(c *fiber.Ctx) *core.Auth {
	if c == nil {
		return nil
	}
	if a, ok := c.Locals(authKey{}).(*core.Auth); ok && a != nil {
		return a
	}
	return core.AuthFromContext(c.UserContext())
}

// cookieHeader returns the Cookie header, several lines joined with "; ".
func cookieHeader(c *fiber.Ctx) string {
	lines := c.Request().Header.PeekAll(fiber.HeaderCookie)
	if len(lines) <= 1 {
		return c.Get(fiber.HeaderCookie)
	}
	return string(bytes.Join(lines, []byte("; ")))
}

func handleError(c *fiber.Ctx, onError func(*fiber.Ctx, error) error, err error) error {
	if onError != nil {
		return onError(c, err)
	}
	return writeFailure(c, err)
}

// writeFailure writes the default answer of the HTTP failure contract.
func writeFailure(c *fiber.Ctx, err error) error {
	f := core.FailureOf(err)
	if f.WWWAuthenticate != "" {
		c.Set(fiber.HeaderWWWAuthenticate, f.WWWAuthenticate)
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set(fiber.HeaderContentType, "application/json; charset=utf-8")
	return c.Status(f.Status).Send(f.Body())
}
