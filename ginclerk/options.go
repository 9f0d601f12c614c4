package ginclerk

import (
	"github.com/gin-gonic/gin"

	"github.com/clerkgo/clerk/core"
)

// Option configures [Middleware] and [New].
type Option func(*options)

type options struct {
	core.Options // Client, FetchUser, SessionKey, Optional
	onError      func(*gin.Context, error)
}

// WithClient sets the Clerk instance to verify against. Without it the
// client is built from the environment with core.NewFromEnv. Multi-tenant
// applications give each group of routes its own client.
func WithClient(c *core.Client) Option { return func(o *options) { o.Client = c } }

// FetchUser turns loading the Clerk user of each signed-in request on or off
// (default on). With it off, [User] returns nil and verification makes no
// network call per request; [Session] still works. The user fetch needs a
// secret key: without one, [New] fails with core.ErrFetchUserNeedsSecretKey.
func FetchUser(on bool) Option { return func(o *options) { o.FetchUser = on } }

// SessionKey sets the name of the session cookie (default "__session").
func SessionKey(name string) Option { return func(o *options) { o.SessionKey = name } }

// Optional lets signed-out requests through (no token, or a token that is
// not acceptable) with no user and no session, so handlers can serve both
// audiences. Clerk being unreachable is still an error (503).
func Optional(on bool) Option { return func(o *options) { o.Optional = on } }

// ErrorHandler replaces the default error response (status, WWW-Authenticate
// and JSON body of core.FailureOf). fn must write the response; the
// middleware calls c.Abort() after it regardless. Use core.FailureOf or
// core.ReasonOf to inspect err. [Require] after this middleware uses fn too.
func ErrorHandler(fn func(c *gin.Context, err error)) Option {
	return func(o *options) { o.onError = fn }
}
