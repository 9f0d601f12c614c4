package ginclerk

import (
	"github.com/gin-gonic/gin"

	"github.com/clerkgo/clerk/core"
)

// Option configures [Middleware] and [New].
type Option func(*options)

type options struct {
	client     *core.Client
	fetchUser  bool
	sessionKey string
	optional   bool
	onError    func(*gin.Context, error)
}

// WithClient makes the middleware verify against c instead of a client
// configured from the environment (for explicit configuration and for
// multi-tenant applications).
func WithClient(c *core.Client) Option {
	return func(o *options) { o.client = c }
}

// FetchUser turns loading the signed-in user from Clerk's Backend API on or
// off (default on). With it off, [User] returns nil and no API call is made
// per request; [Session] still works. Loading the user needs a secret key.
func FetchUser(on bool) Option {
	return func(o *options) { o.fetchUser = on }
}

// SessionKey sets the name of the session cookie (default "__session").
func SessionKey(name string) Option {
	return func(o *options) { o.sessionKey = name }
}

// Optional lets signed-out requests through (no token, or a token that is
// not acceptable) with no user and no session, so handlers can serve both
// audiences. Clerk being unreachable is still an error (503).
func Optional(on bool) Option {
	return func(o *options) { o.optional = on }
}

// ErrorHandler replaces the default error response (status, WWW-Authenticate
// and JSON body of core.FailureOf). fn must write the response; the
// middleware calls c.Abort() after it regardless. Use core.FailureOf or
// core.ReasonOf to inspect err. [Require] after this middleware uses fn too.
func ErrorHandler(fn func(c *gin.Context, err error)) Option {
	return func(o *options) { o.onError = fn }
}
