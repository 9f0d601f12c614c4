package chiclerk

import (
	"net/http"

	"github.com/clerkgo/clerk/core"
)

// Require returns middleware that runs authorization checks (core.Role,
// core.Permission, core.Feature, core.Plan, core.Reverified, core.Scope,
// core.Kind, ...) on what [Middleware] verified, for one route or group:
//
//	r.With(chiclerk.Require(core.Role("org:admin"))).Get("/admin", h)
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
func Require(checks ...core.Check) func(http.Handler) http.Handler {
	check := core.All(checks...) // panics on a nil check
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			auth := Auth(r.Context())
			st, _ := r.Context().Value(stateKey{}).(*state)
			if st == nil {
				st = &state{} // no Middleware before: the defaults
			}
			if auth == nil && st.signIn != "" {
				w.Header().Set("Location", st.signIn)
				w.Header().Set("Cache-Control", "no-store")
				w.WriteHeader(http.StatusTemporaryRedirect)
				return
			}
			if err := core.Authorize(auth, check); err != nil {
				writeError(st.onError, w, r, err)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}
