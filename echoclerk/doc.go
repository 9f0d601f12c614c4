// Package echoclerk protects Echo (github.com/labstack/echo/v4) routes with
// Clerk (clerk.com) authentication, in one line:
//
//	go get github.com/clerkgo/clerk/echoclerk
//
//	e.Use(echoclerk.Middleware())
//
// The middleware is an echo.MiddlewareFunc with a [Skipper]. It reads the
// token from the Authorization header (Bearer) or the __session cookie
// (see [TokenFrom]), verifies it by the rules of Clerk's own verifier,
// loads the user (see [FetchUser]), and stores the result on the
// echo.Context, where [Auth], [User] and [Session] find it, and on the
// request's context.Context (an echo.Context is not one), where
// core.AuthFromContext, core.UserFromContext and core.SessionFromContext
// find it. Requests that are not signed in are answered 401 with a
// WWW-Authenticate challenge and a JSON body; Clerk being unreachable is
// 503. [Require] adds per-route authorization checks (403). [AcceptsToken]
// opens a route to machine tokens (API keys, M2M tokens, OAuth access
// tokens), and [Webhook] serves Clerk's signed webhook deliveries.
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
package echoclerk
