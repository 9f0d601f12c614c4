// Package chiclerk protects go-chi/chi and plain net/http routes with Clerk
// (clerk.com) authentication, in one line:
//
//	go get github.com/clerkgo/clerk/chiclerk
//
//	r.Use(chiclerk.Middleware())
//
// The middleware is a plain func(http.Handler) http.Handler, so it works
// with chi, with http.ServeMux and with any router that takes net/http
// middleware. It reads the token from the Authorization header (Bearer) or
// the __session cookie (see [TokenFrom]), verifies it by the rules of
// Clerk's own verifier, loads the user (see [FetchUser]), and puts the
// result on the request context, where [Auth], [User] and [Session] (or
// core.AuthFromContext, core.UserFromContext, core.SessionFromContext) find
// it. Requests that are not signed in are answered 401 with a JSON body and
// never reach the handler; Clerk being unreachable is 503. [Require] adds
// per-route authorization checks (403). [AcceptsToken] opens a route to
// machine tokens (API keys, M2M tokens, OAuth access tokens), and
// [Webhook] serves Clerk's signed webhook deliveries.
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
package chiclerk
