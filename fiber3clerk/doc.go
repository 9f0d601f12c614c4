// Package fiber3clerk protects Fiber v3 (github.com/gofiber/fiber/v3)
// routes with Clerk (clerk.com) authentication, in one line:
//
//	go get github.com/clerkgo/clerk/fiber3clerk
//
//	app.Use(fiber3clerk.Middleware())
//
// It is the Fiber v3 twin of fiberclerk (Fiber v2): the same options,
// getters, [Require] and [Webhook], on Fiber v3's types. Handlers take a
// fiber.Ctx (an interface, no longer *fiber.Ctx), the skip function is
// [Next] as in Fiber v3's own middleware configs, and the request's
// context.Context is c.Context() and c.SetContext (v2's UserContext and
// SetUserContext are gone).
//
// The middleware is a fiber.Handler with a [Next] skip function. It reads
// the token from the Authorization header (Bearer) or the __session cookie
// (see [TokenFrom]), verifies it by the rules of Clerk's own verifier,
// loads the user (see [FetchUser]), and stores the result in c.Locals,
// where [Auth], [User] and [Session] find it, and on c.Context(): both c
// and c.Context() answer core.AuthFromContext, core.UserFromContext and
// core.SessionFromContext. Requests that are not signed in are answered 401 with a
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
// Fiber's request strings (c.Get, c.Cookies, c.Query) still live in
// buffers that fasthttp reuses after the handler returns. The middleware
// keeps none of them: what it stores (the Auth, the user, the claims) are
// decoded copies, valid after the handler returns.
//
// # Large tokens
//
// Fiber reads a request's headers into a buffer of fiber.Config.
// ReadBufferSize bytes (4096 by default) and answers 431 in plain text,
// before any middleware runs, to a request whose headers do not fit. A
// session token with many custom claims, plus its cookies, can exceed
// that: give the app room, for example
//
//	app := fiber.New(fiber.Config{ReadBufferSize: 32 << 10})
//
// (core.MaxTokenSize, 16 KiB, is the largest token the core accepts).
//
// With no [WithClient] or [ClientFunc] option the Clerk client is
// configured from the environment (CLERK_SECRET_KEY, ...; see
// core.ConfigFromEnv).
package fiber3clerk
