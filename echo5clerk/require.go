package echo5clerk

import (
	"net/http"

	"github.com/labstack/echo/v5"

	"github.com/clerkgo/clerk/core"
)

// Require returns middleware that runs authorization checks (core.Role,
// core.Permission, core.Feature, core.Plan, core.Reverified, core.Scope,
// core.Kind, ...) on what [Middleware] verified, for one route or group:
//
//	e.GET("/admin", h, echo5clerk.Require(core.Role("org:admin")))
//
// All checks must pass; with none it only requires an authenticated
// request. A failing check is answered 403 with WWW-Authenticate: Bearer
// error="insufficient_scope" (a reverification failure with Clerk's
// reverification body); a request without authentication (Optional and
// signed out, skipped, or no Middleware before it) is answered 401
// token-missing, or, a page request of a [BrowserPages] route, sent to
// the sign-in page ([SignInRedirect]). It answers with the ErrorHandler of
// the Middleware that ran before it, else the default. It panics if a
// check is nil.
func Require(checks ...core.Check) echo.MiddlewareFunc {
	check := core.All(checks...) // panics on a nil check
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c *echo.Context) error {
			auth := Auth(c)
			if loc, _ := c.Get(signInKey).(string); auth == nil && loc != "" {
				h := c.Response().Header()
				h.Set(echo.HeaderLocation, loc)
				h.Set(echo.HeaderCacheControl, "no-store")
				return c.NoContent(http.StatusTemporaryRedirect)
			}
			if err := core.Authorize(auth, check); err != nil {
				onError, _ := c.Get(handlerKey).(func(*echo.Context, error) error)
				return handleError(c, onError, err)
			}
			return next(c)
		}
	}
}
