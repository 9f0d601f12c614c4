package echoclerk

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/clerkgo/clerk/core"
)

// Middleware returns the authentication middleware:
//
//	e.Use(echoclerk.Middleware())
//
// With no [WithClient] or [ClientFunc] option the client is built from the
// environment (core.NewFromEnv), a new one on each call: to install the
// middleware more than once, build one client and pass it to each with
// WithClient. An invalid or missing configuration panics at once with a
// message naming the problem, never a secret (a start-up failure, like
// regexp.MustCompile); use [New] to get the error instead.
func Middleware(opts ...Option) echo.MiddlewareFunc {
	mw, err := New(opts...)
	if err != nil {
		panic(fmt.Sprintf("echoclerk: invalid configuration: %v", err))
	}
	return mw
}

// New is [Middleware] returning the configuration error instead of
// panicking. Every configuration error is returned here, none on a request.
func New(opts ...Option) (echo.MiddlewareFunc, error) {
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
	skip := o.skipper
	if skip == nil {
		skip = middleware.DefaultSkipper
	}
	onError := o.onError
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			// Exactly this middleware's error handler and result, even when
			// signed out or skipped: an outer middleware's must not show
			// through.
			c.Set(handlerKey, onError)
			c.Set(signInKey, "")
			var auth *core.Auth
			if !skip(c) {
				if a.BrowserPages() {
					return servePage(a, onError, next, c)
				}
				var err error
				if auth, err = a.Authenticate(c.Request().Context(), request{c}); err != nil {
					c.Set(authKey, (*core.Auth)(nil))
					return handleError(c, onError, err)
				}
			}
			c.Set(authKey, auth)
			r := c.Request()
			c.SetRequest(r.WithContext(core.WithAuth(r.Context(), auth)))
			return next(c)
		}
	}, nil
}

// servePage answers c with the browser decision: a 307 (a handshake, the
// clean URL, or the sign-in page) or an error with the decision's headers,
// else next with the session (or, on an Optional route, anonymously) and
// the decision's cookies on the response.
func servePage(a *core.Authenticator, onError func(echo.Context, error) error, next echo.HandlerFunc, c echo.Context) error {
	res := a.AuthenticatePage(c.Request().Context(), request{c})
	res.CopyHeaders(c.Response().Header())
	if res.Redirect() || res.Err != nil {
		c.Set(authKey, (*core.Auth)(nil))
		if res.Redirect() {
			return c.NoContent(http.StatusTemporaryRedirect) // Location is set
		}
		return handleError(c, onError, res.Err)
	}
	c.Set(authKey, res.Auth)
	c.Set(signInKey, res.SignInURL)
	r := c.Request()
	c.SetRequest(r.WithContext(core.WithAuth(r.Context(), res.Auth)))
	return next(c)
}

// request is the core's view of an Echo request.
type request struct{ c echo.Context }

func (q request) Method() string            { return q.c.Request().Method }
func (q request) Query(name string) string  { return q.c.QueryParam(name) }
func (q request) Header(name string) string { return header(q.c.Request(), name) }

// RequestURI, Host and TLS make request a core.PageRequest (the browser
// decision builds the page's public URL from them).
func (q request) RequestURI() string { return q.c.Request().URL.RequestURI() }
func (q request) Host() string       { return q.c.Request().Host }
func (q request) TLS() bool          { return q.c.Request().TLS != nil }

var _ core.PageRequest = request{}

func header(r *http.Request, name string) string {
	if name == "Cookie" {
		return strings.Join(r.Header.Values("Cookie"), "; ")
	}
	return r.Header.Get(name)
}

func handleError(c echo.Context, onError func(echo.Context, error) error, err error) error {
	if onError != nil {
		return onError(c, err)
	}
	return writeFailure(c, err)
}

// writeFailure writes the default answer of the HTTP failure contract
// directly (not through echo.HTTPError, whose body and headers would differ).
func writeFailure(c echo.Context, err error) error {
	f := core.FailureOf(err)
	h := c.Response().Header()
	if f.WWWAuthenticate != "" {
		h.Set(echo.HeaderWWWAuthenticate, f.WWWAuthenticate)
	}
	if v := f.RetryAfterHeader(); v != "" {
		h.Set(echo.HeaderRetryAfter, v)
	}
	h.Set(echo.HeaderCacheControl, "no-store")
	return c.Blob(f.Status, "application/json; charset=utf-8", f.Body())
}
