package fiber3clerk

import (
	"github.com/gofiber/fiber/v3"

	"github.com/clerkgo/clerk/core"
)

// Keys of the values the middleware stores with c.Locals. Unexported types:
// no other package can collide with them.
type (
	authKey    struct{}
	handlerKey struct{}
	// signInKey holds where [Require] sends a signed-out page request of
	// an Optional route with BrowserPages ("" for none).
	signInKey struct{}
)

// Auth returns what [Middleware] learned about the request (the token's
// kind, subject, scopes, and for a session its claims and user), or nil
// (signed out, skipped, or no Middleware ran). It reads c.Locals, else
// c.Context(). The value is shared and stays valid after the handler
// returns (it holds no fasthttp buffer): do not modify it.
//
// A Fiber v3 fiber.Ctx is itself a context.Context whose Value reads
// c.Locals: the middleware stores the Auth there under the core's key too,
// so core.AuthFromContext (and UserFromContext, SessionFromContext) find it
// whether they are handed c or c.Context().
func Auth(c fiber.Ctx) *core.Auth {
	if c == nil {
		return nil
	}
	if v := c.Locals(authKey{}); v != nil {
		a, _ := v.(*core.Auth)
		return a
	}
	return core.AuthFromContext(c.Context())
}

// User returns the signed-in Clerk user that [Middleware] loaded, or nil
// (signed out, a machine token, FetchUser(false), or no Middleware ran).
// The user is shared between requests (the core caches it briefly): do not
// modify it.
func User(c fiber.Ctx) *core.User {
	if a := Auth(c); a != nil {
		return a.User
	}
	return nil
}

// Session returns the verified session token claims of the request, or nil
// when it is not signed in with a session. The claims are shared between
// requests: do not modify them.
func Session(c fiber.Ctx) *core.Claims {
	if a := Auth(c); a != nil {
		return a.Session
	}
	return nil
}
