package ginclerk

import (
	"github.com/gin-gonic/gin"

	"github.com/clerkgo/clerk/core"
)

// auth returns what the middleware stored on c, else what the request's
// context carries (where a net/http middleware wrapped for gin puts it), or
// nil.
func auth(c *gin.Context) *core.Auth {
	if c == nil {
		return nil
	}
	if v, ok := c.Get(authKey{}); ok {
		if a, ok := v.(*core.Auth); ok && a != nil {
			return a
		}
	}
	if c.Request != nil {
		return core.AuthFromContext(c.Request.Context())
	}
	return nil
}

// User returns the signed-in Clerk user that [Middleware] loaded, or nil
// (signed out, FetchUser(false), or no Middleware ran).
func User(c *gin.Context) *core.User {
	if a := auth(c); a != nil {
		return a.User
	}
	return nil
}

// Session returns the verified session token claims of the request, or nil
// when it is not signed in.
func Session(c *gin.Context) *core.Claims {
	if a := auth(c); a != nil {
		return a.Session
	}
	return nil
}
