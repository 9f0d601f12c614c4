package ginclerk

import (
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/clerkgo/clerk/core"
)

// Keys of the values the middleware sets on the gin.Context. Unexported
// types: no other package can collide with them.
type (
	authKey         struct{}
	errorHandlerKey struct{}
)

// Middleware returns the authentication middleware:
//
//	r.Use(ginclerk.Middleware())
//
// With no [WithClient] option the client is built from the environment
// (core.NewFromEnv), a new one on each call: to install the middleware more
// than once, build one client and pass it to each with WithClient. An
// invalid or missing configuration panics at once with a message naming the
// problem, never a secret (a start-up failure, like regexp.MustCompile); use
// [New] to get the error instead.
func Middleware(opts ...Option) gin.HandlerFunc {
	mw, err := New(opts...)
	if err != nil {
		panic("ginclerk: invalid configuration: " + err.Error())
	}
	return mw
}

// New is [Middleware] returning the configuration error instead of
// panicking. Every configuration error is returned here, none on a request.
func New(opts ...Option) (gin.HandlerFunc, error) {
	o := options{Options: core.Options{FetchUser: true}}
	for _, opt := range opts {
		if opt != nil {
			opt(&o)
		}
	}
	a, err := core.NewAuthenticator(o.Options)
	if err != nil {
		return nil, err
	}
	onError := o.onError
	return func(c *gin.Context) {
		r := c.Request
		cookie := strings.Join(r.Header.Values("Cookie"), "; ")
		auth, err := a.Authenticate(r.Context(), r.Header.Get("Authorization"), cookie)
		if onError != nil {
			c.Set(errorHandlerKey{}, onError)
		}
		if err != nil {
			abort(c, onError, err)
			return
		}
		if auth != nil {
			c.Set(authKey{}, auth)
			c.Request = r.WithContext(core.WithAuth(r.Context(), auth))
		}
		c.Next()
	}, nil
}

// abort answers err with fn, or with the default JSON failure, and stops
// the chain.
func abort(c *gin.Context, fn func(*gin.Context, error), err error) {
	if fn != nil {
		fn(c, err)
	} else {
		core.WriteFailure(c.Writer, err)
	}
	c.Abort()
}
