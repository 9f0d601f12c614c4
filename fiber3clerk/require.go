package fiber3clerk

import (
	"github.com/gofiber/fiber/v3"

	"github.com/clerkgo/clerk/core"
)

// Require returns middleware that runs authorization checks (core.Role,
// core.Permission, core.Feature, core.Plan, core.Reverified, core.Scope,
// core.Kind, ...) on what [Middleware] verified, for one route or group:
//
//	app.Get("/admin", fiber3clerk.Require(core.Role("org:admin")), h)
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
func Require(checks ...core.Check) fiber.Handler {
	check := core.All(checks...) // panics on a nil check
	return func(c fiber.Ctx) error {
		auth := Auth(c)
		if loc, _ := c.Locals(signInKey{}).(string); auth == nil && loc != "" {
			c.Set(fiber.HeaderLocation, loc)
			c.Set(fiber.HeaderCacheControl, "no-store")
			c.Status(fiber.StatusTemporaryRedirect)
			return nil
		}
		if err := core.Authorize(auth, check); err != nil {
			onError, _ := c.Locals(handlerKey{}).(func(fiber.Ctx, error) error)
			return handleError(c, onError, err)
		}
		return c.Next()
	}
}
