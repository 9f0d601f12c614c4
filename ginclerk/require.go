package ginclerk

import (
	"github.com/gin-gonic/gin"

	"github.com/clerkgo/clerk/core"
)

// Require returns middleware that runs authorization checks on the session
// that [Middleware] verified, for one route or group:
//
//	r.GET("/admin", ginclerk.Require(core.Role("org:admin")), handler)
//
// All checks must pass. A failing check is answered 403 with
// WWW-Authenticate: Bearer error="insufficient_scope"; a request with no
// session (Middleware missing, or Optional and signed out) is answered 401
// token-missing. Errors go to the ErrorHandler of the Middleware that ran
// before, else to the default JSON answer; the chain is aborted.
func Require(checks ...core.Check) gin.HandlerFunc {
	check := core.All(checks...) // panics on a nil check
	return func(c *gin.Context) {
		if err := core.Authorize(Session(c), check); err != nil {
			v, _ := c.Get(errorHandlerKey{})
			fn, _ := v.(func(*gin.Context, error))
			abort(c, fn, err)
			return
		}
		c.Next()
	}
}
