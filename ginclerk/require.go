package ginclerk

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/clerkgo/clerk/core"
)

// Require returns middleware that runs authorization checks (core.Role,
// core.Permission, core.Feature, core.Plan, core.Reverified, core.Scope,
// core.Kind, ...) on what [Middleware] verified, for one route or group:
//
//	r.GET("/admin", ginclerk.Require(core.Role("org:admin")), handler)
//
// All checks must pass; with none it only requires an authenticated
// request. A failing check is answered 403 with WWW-Authenticate: Bearer
// error="insufficient_scope" (a reverification failure with Clerk's
// reverification body); a request without authentication (Optional and
// signed out, skipped, or no Middleware before it) is answered 401
// token-missing, or, a page request of a [BrowserPages] route, sent to
// the sign-in page ([SignInRedirect]). It answers with the ErrorHandler of
// the Middleware that ran before it, else the default, and aborts the
// chain. It panics if a check is nil.
func Require(checks ...core.Check) gin.HandlerFunc {
	check := core.All(checks...) // panics on a nil check
	return func(c *gin.Context) {
		auth := Auth(c)
		if v, _ := c.Get(signInKey{}); auth == nil {
			if loc, _ := v.(string); loc != "" {
				c.Writer.Header().Set("Location", loc)
				c.Writer.Header().Set("Cache-Control", "no-store")
				c.AbortWithStatus(http.StatusTemporaryRedirect)
				return
			}
		}
		if err := core.Authorize(auth, check); err != nil {
			v, _ := c.Get(errorHandlerKey{})
			fn, _ := v.(func(*gin.Context, error))
			abort(c, fn, err)
			return
		}
		c.Next()
	}
}
