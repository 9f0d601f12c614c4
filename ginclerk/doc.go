// Package ginclerk protects Gin (github.com/gin-gonic/gin) routes with Clerk
// (clerk.com) authentication, in one line:
//
//	go get github.com/clerkgo/clerk/ginclerk
//
//	r.Use(ginclerk.Middleware())
//
// The middleware is a gin.HandlerFunc. It reads the token from the
// Authorization header (Bearer) or the __session cookie (see [TokenFrom]),
// verifies it by the rules of Clerk's own verifier, loads the user (see
// [FetchUser]), and stores the result on the gin.Context, where [Auth],
// [User] and [Session] find it, and on the request's context
// (c.Request.Context()), where core.AuthFromContext, core.UserFromContext
// and core.SessionFromContext find it whatever the engine's
// ContextWithFallback setting. Requests that are not signed in are answered
// 401 with a JSON body and the chain is aborted (c.Abort); Clerk being
// unreachable is 503. [Require] adds per-route authorization checks (403).
// [AcceptsToken] opens a route to machine tokens (API keys, M2M tokens,
// OAuth access tokens), and [Webhook] serves Clerk's signed webhook
// deliveries.
//
// For server-rendered pages, [BrowserPages] makes the decision Clerk's own
// server SDKs make for a browser: an expired session cookie is refreshed
// through Clerk's handshake (a 307 there and back) instead of answered
// 401, and a signed-out page request is sent to the sign-in page
// ([SignInRedirect]); API requests keep the 401 (docs/browser.md).
//
// With no [WithClient] or [ClientFunc] option the Clerk client is
// configured from the environment (CLERK_SECRET_KEY, ...; see
// core.ConfigFromEnv).
package ginclerk
