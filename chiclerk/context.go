package chiclerk

import (
	"context"
	"net/http"

	"github.com/clerkgo/clerk/core"
)

// stateKey holds the Middleware's *state on the request context, for
// Require.
type stateKey struct{}

// state is what Require needs from the Middleware that ran before it: its
// ErrorHandler and, for a signed-out page request of an Optional
// BrowserPages route, where to send it to sign in.
type state struct {
	onError func(http.ResponseWriter, *http.Request, error)
	signIn  string
}

// Auth returns what [Middleware] learned about the request (the token's
// kind, subject, scopes, and for a session its claims and user), or nil
// (signed out, skipped, or no Middleware ran). ctx is the request's
// context, r.Context(). The value is shared: do not modify it.
func Auth(ctx context.Context) *core.Auth { return core.AuthFromContext(ctx) }

// User returns the signed-in Clerk user that [Middleware] loaded, or nil
// (signed out, a machine token, FetchUser(false), or no Middleware ran).
// ctx is the request's context, r.Context(). The user is shared between
// requests (the core caches it briefly): do not modify it.
func User(ctx context.Context) *core.User { return core.UserFromContext(ctx) }

// Session returns the verified session token claims of the request, or nil
// when it is not signed in with a session. ctx is the request's context,
// r.Context(). The claims are shared between requests: do not modify them.
func Session(ctx context.Context) *core.Claims { return core.SessionFromContext(ctx) }
