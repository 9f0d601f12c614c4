package ginclerk

import (
	"github.com/gin-gonic/gin"

	"github.com/clerkgo/clerk/core"
)

// Keys of the values the middleware sets on the gin.Context. Unexported
// types: no other package can collide with them.
type (
	authKey         struct{}
	errorHandlerKey struct{}
	// signInKey holds where [Require] sends a signed-out page request of
	// an Optional route with BrowserPages ("" for none).
	signInKey struct{}
)

// Auth returns what [Middleware] learned about the request (the token's
// kind, subject, scopes, and for a session its claims and user), or nil
// (signed out, skipped, or no Middleware ran). It reads the gin.Context,
// else the request's context (where a net/http middleware wrapped for gin
// puts it). The value is shared: do not modify it.
func Auth(c *gin.Context) *core.Auth {
	if c == nil {
		return nil
	}
	if v, ok := c.Get(authKey{}); ok {
		a, _ := v.(*core.Auth)
		return a
	}
	if c.Request != nil {
		return core.AuthFromContext(c.Request.Context())
	}
	return nil
}

// User returns the signed-in Clerk user that [Middleware] loaded, or nil
// (signed out, a machine token, FetchUser(false), or no Middleware ran).
// The user is shared between requests (the core caches it briefly): do not
// modify it.
func User(c *gin.Context) *core.User {
	if a := Auth(c); a != nil {
		return a.User
	}
	return nil
}

// Session returns the verified session token claims of the request, or nil
// when it is not signed in with a session. The claims are shared between
// requests: do not modify them.
func Session(c *gin.Context) *core.Claims {
	if a := Auth(c); a != nil {
		return a.Session
	}
	return nil
}
