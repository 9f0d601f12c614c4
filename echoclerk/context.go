package echoclerk

import (
	"github.com/labstack/echo/v4"

	"github.com/clerkgo/clerk/core"
)

// Keys of the values the middleware stores with echo.Context.Set. They are
// namespaced so that they do not collide with an application's keys.
const (
	authKey    = "github.com/clerkgo/clerk/echoclerk.auth"
	handlerKey = "github.com/clerkgo/clerk/echoclerk.errorHandler"
	// signInKey holds where [Require] sends a signed-out page request of
	// an Optional route with BrowserPages ("" for none).
	signInKey = "github.com/clerkgo/clerk/echoclerk.signIn"
)

// Auth returns what [Middleware] learned about the request (the token's
// kind, subject, scopes, and for a session its claims and user), or nil
// (signed out, skipped, or no Middleware ran). It reads the echo.Context,
// else the request's context (where a net/http middleware wrapped with
// echo.WrapMiddleware puts it); an echo.Context is not a context.Context.
// The value is shared: do not modify it.
func Auth(c echo.Context) *core.Auth {
	if c == nil {
		return nil
	}
	if v := c.Get(authKey); v != nil {
		a, _ := v.(*core.Auth)
		return a
	}
	if r := c.Request(); r != nil {
		return core.AuthFromContext(r.Context())
	}
	return nil
}

// User returns the signed-in Clerk user that [Middleware] loaded, or nil
// (signed out, a machine token, FetchUser(false), or no Middleware ran).
// The user is shared between requests (the core caches it briefly): do not
// modify it.
func User(c echo.Context) *core.User {
	if a := Auth(c); a != nil {
		return a.User
	}
	return nil
}

// Session returns the verified session token claims of the request, or nil
// when it is not signed in with a session. The claims are shared between
// requests: do not modify them.
func Session(c echo.Context) *core.Claims {
	if a := Auth(c); a != nil {
		return a.Session
	}
	return nil
}
