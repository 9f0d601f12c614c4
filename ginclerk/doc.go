// Package ginclerk protects Gin (github.com/gin-gonic/gin) routes with Clerk
// (clerk.com) authentication, in one line:
//
//	go get github.com/clerkgo/clerk/ginclerk
//
//	r.Use(ginclerk.Middleware())
//
// The middleware reads the session token from the Authorization header
// (Bearer) or the __session cookie, verifies it, loads the user (see
// [FetchUser]) and stores both on the gin.Context, where [User] and
// [Session] find them, and on the request's context (c.Request.Context()),
// where core.UserFromContext and core.SessionFromContext find them whatever
// the engine's ContextWithFallback setting. Requests that are not signed in
// are answered 401 with a JSON body and the chain is aborted; see the HTTP
// failure contract in the project's README. [Require] adds per-route
// authorization checks.
//
// With no [WithClient] option the Clerk client is configured from the
// environment (CLERK_SECRET_KEY, ...; see core.ConfigFromEnv).
package ginclerk
