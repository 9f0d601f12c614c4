// Package chiclerk protects net/http and go-chi/chi routes with Clerk
// (clerk.com) authentication, in one line:
//
//	go get github.com/clerkgo/clerk/chiclerk
//
//	r.Use(chiclerk.Middleware())
//
// The middleware is a plain func(http.Handler) http.Handler, so it works
// with chi, with http.ServeMux and with any router that takes net/http
// middleware. It reads the session token from the Authorization header
// (Bearer) or the __session cookie, verifies it, loads the user (see
// [FetchUser]) and puts both on the request context, where [User] and
// [Session] (or core.UserFromContext and core.SessionFromContext) find
// them. Requests that are not signed in are answered 401 with a JSON body
// and never reach the handler; see the HTTP failure contract in the
// project's README. [Require] adds per-route authorization checks.
//
// With no [WithClient] option the Clerk client is configured from the
// environment (CLERK_SECRET_KEY, ...; see core.ConfigFromEnv).
package chiclerk
