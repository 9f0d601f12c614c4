package chiclerk

import (
	"net/http"

	"github.com/clerkgo/clerk/core"
)

// Require returns middleware that runs authorization checks on the session
// that [Middleware] verified, for one route or group:
//
//	r.With(chiclerk.Require(core.Role("org:admin"))).Get("/admin", h)
//
// All checks must pass. A failing check is answered 403 with
// WWW-Authenticate: Bearer error="insufficient_scope"; a request with no
// session (Middleware missing, or Optional and signed out) is answered 401
// token-missing. Errors go to the ErrorHandler of the Middleware that ran
// before, else to the default JSON answer.
func Require(checks ...core.Check) func(http.Handler) http.Handler {
	check := core.All(checks...) // panics on a nil check
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if err := core.Authorize(core.SessionFromContext(r.Context()), check); err != nil {
				fn, _ := r.Context().Value(errorHandlerKey{}).(func(http.ResponseWriter, *http.Request, error))
				writeError(fn, w, r, err)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}
