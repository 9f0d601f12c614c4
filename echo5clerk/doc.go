// Package echo5clerk protects Echo v5 (github.com/labstack/echo/v5) routes
// with Clerk (clerk.com) authentication, in one line:
//
//	go get github.com/clerkgo/clerk/echo5clerk
//
//	e.Use(echo5clerk.Middleware())
//
// It is the Echo v5 twin of echoclerk (Echo v4): the same options, getters,
// [Require] and [Webhook], on Echo v5's types. Handlers take a
// *echo.Context (a struct, no longer an interface), the skip function is a
// middleware.Skipper over it, and Echo's HTTPErrorHandler takes
// (c *echo.Context, err error).
//
// The middleware is an echo.MiddlewareFunc with a [Skipper]. It reads the
// token from the Authorization header (Bearer) or the __session cookie
// (see [TokenFrom]), verifies it by the rules of Clerk's own verifier,
// loads the user (see [FetchUser]), and stores the result on the
// *echo.Context, where [Auth], [User] and [Session] find it, and on the
// request's context.Context (an *echo.Context is not one), where
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
package echo5clerk
