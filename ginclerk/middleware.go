package ginclerk

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/clerkgo/clerk/core"
)

// Middleware returns the authentication middleware:
//
//	r.Use(ginclerk.Middleware())
//
// With no [WithClient] or [ClientFunc] option the client is built from the
// environment (core.NewFromEnv), a new one on each call: to install the
// middleware more than once, build one client and pass it to each with
// WithClient. An invalid or missing configuration panics at once with a
// message naming the problem, never a secret (a start-up failure, like
// regexp.MustCompile); use [New] to get the error instead.
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
	var o options
	for _, opt := range opts {
		if opt != nil {
			opt(&o)
		}
	}
	if fn := o.clientFunc; fn != nil {
		o.ClientFunc = func(r core.Request) (*core.Client, error) { return fn(r.(request).c) }
	}
	a, err := core.NewAuthenticator(o.Options)
	if err != nil {
		return nil, err
	}
	onError := o.onError
	return func(c *gin.Context) {
		// Exactly this middleware's error handler and result, even when
		// signed out: an outer middleware's must not show through.
		c.Set(errorHandlerKey{}, onError)
		if a.BrowserPages() {
			servePage(a, onError, c)
			return
		}
		c.Set(signInKey{}, "")
		auth, err := a.Authenticate(c.Request.Context(), request{c})
		if err != nil {
			c.Set(authKey{}, (*core.Auth)(nil))
			abort(c, onError, err)
			return
		}
		c.Set(authKey{}, auth)
		c.Request = c.Request.WithContext(core.WithAuth(c.Request.Context(), auth))
		c.Next()
	}, nil
}

// servePage answers c with the browser decision: a 307 (a handshake, the
// clean URL, or the sign-in page) or an error with the decision's headers,
// else the next handlers with the session (or, on an Optional route,
// anonymously) and the decision's cookies on the response.
func servePage(a *core.Authenticator, onError func(*gin.Context, error), c *gin.Context) {
	res := a.AuthenticatePage(c.Request.Context(), request{c})
	res.CopyHeaders(c.Writer.Header()) // Add, not c.Header: several Set-Cookie
	if res.Redirect() || res.Err != nil {
		c.Set(authKey{}, (*core.Auth)(nil))
		c.Set(signInKey{}, "")
		if res.Redirect() {
			// No c.Redirect: its HTML body would repeat the Location,
			// which may carry the session token.
			c.AbortWithStatus(http.StatusTemporaryRedirect)
		} else {
			abort(c, onError, res.Err)
		}
		return
	}
	c.Set(authKey{}, res.Auth)
	c.Set(signInKey{}, res.SignInURL)
	c.Request = c.Request.WithContext(core.WithAuth(c.Request.Context(), res.Auth))
	c.Next()
}

// request is the core's view of a Gin request.
type request struct{ c *gin.Context }

func (q request) Method() string { return q.c.Request.Method }

// RequestURI, Host and TLS make request a core.PageRequest (the browser
// decision builds the page's public URL from them).
func (q request) RequestURI() string { return q.c.Request.URL.RequestURI() }
func (q request) Host() string       { return q.c.Request.Host }
func (q request) TLS() bool          { return q.c.Request.TLS != nil }

var _ core.PageRequest = request{}

func (q request) Query(name string) string {
	return q.c.Query(name)
}
func (q request) Header(name string) string {
	if name == "Cookie" {
		return strings.Join(q.c.Request.Header.Values("Cookie"), "; ")
	}
	return q.c.Request.Header.Get(name)
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
