package fiber3clerk

import (
	"bytes"
	"fmt"

	"github.com/gofiber/fiber/v3"

	"github.com/clerkgo/clerk/core"
)

// Middleware returns the authentication middleware:
//
//	app.Use(fiber3clerk.Middleware())
//
// With no [WithClient] or [ClientFunc] option the client is built from the
// environment (core.NewFromEnv), a new one on each call: to install the
// middleware more than once, build one client and pass it to each with
// WithClient. An invalid or missing configuration panics at once with a
// message naming the problem, never a secret (a start-up failure, like
// regexp.MustCompile); use [New] to get the error instead.
func Middleware(opts ...Option) fiber.Handler {
	h, err := New(opts...)
	if err != nil {
		panic(fmt.Sprintf("fiber3clerk: invalid configuration: %v", err))
	}
	return h
}

// New is [Middleware] returning the configuration error instead of
// panicking. Every configuration error is returned here, none on a request.
func New(opts ...Option) (fiber.Handler, error) {
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
	next, onError := o.next, o.onError
	return func(c fiber.Ctx) error {
		// Exactly this middleware's error handler and result, even when
		// signed out or skipped: an outer middleware's must not show
		// through.
		c.Locals(handlerKey{}, onError)
		c.Locals(signInKey{}, "")
		var auth *core.Auth
		if next == nil || !next(c) {
			if a.BrowserPages() {
				return servePage(a, onError, c)
			}
			// The header strings alias fasthttp's buffers. They are only
			// read during this call; the core copies what it keeps.
			var err error
			if auth, err = a.Authenticate(c.Context(), request{c}); err != nil {
				setAuth(c, nil)
				return handleError(c, onError, err)
			}
		}
		setAuth(c, auth)
		c.SetContext(core.WithAuth(c.Context(), auth))
		return c.Next()
	}, nil
}

// setAuth stores this middleware's result in c.Locals, for the getters,
// and under the core's context key, where a fiber.Ctx handed to code as a
// context.Context answers core.AuthFromContext(c) from (its Value reads
// the same store).
func setAuth(c fiber.Ctx, auth *core.Auth) {
	c.Locals(authKey{}, auth)
	c.Locals(core.AuthContextKey(), auth)
}

// servePage answers c with the browser decision: a 307 (a handshake, the
// clean URL, or the sign-in page) or an error with the decision's headers,
// else the next handlers with the session (or, on an Optional route,
// anonymously) and the decision's cookies on the response.
func servePage(a *core.Authenticator, onError func(fiber.Ctx, error) error, c fiber.Ctx) error {
	// The header strings alias fasthttp's buffers. They are only read
	// during this call; the core copies what it keeps.
	res := a.AuthenticatePage(c.Context(), request{c})
	copyHeaders(c, res)
	if res.Redirect() || res.Err != nil {
		setAuth(c, nil)
		if res.Redirect() {
			c.Status(fiber.StatusTemporaryRedirect) // no body: Location is set
			return nil
		}
		return handleError(c, onError, res.Err)
	}
	setAuth(c, res.Auth)
	c.Locals(signInKey{}, res.SignInURL)
	c.SetContext(core.WithAuth(c.Context(), res.Auth))
	return c.Next()
}

// copyHeaders adds the decision's headers to the response with fasthttp's
// Add: c.Set keeps one value per name, and c.Append joins the values with
// ", ", which merges several Set-Cookie headers into one broken cookie.
func copyHeaders(c fiber.Ctx, res *core.PageResult) {
	h := &c.Response().Header
	for name, values := range res.Header {
		for _, v := range values {
			h.Add(name, v)
		}
	}
}

// request is the core's view of a Fiber request.
type request struct{ c fiber.Ctx }

func (q request) Method() string           { return q.c.Method() }
func (q request) Query(name string) string { return q.c.Query(name) }

// RequestURI, Host and TLS make request a core.PageRequest (the browser
// decision builds the page's public URL from them); the strings are copies.
func (q request) RequestURI() string { return string(q.c.Request().URI().RequestURI()) }
func (q request) Host() string       { return string(q.c.Request().URI().Host()) }
func (q request) TLS() bool          { return q.c.RequestCtx().IsTLS() }

var _ core.PageRequest = request{}

// Header returns a request header; for "Cookie", all lines joined with
// "; ".
func (q request) Header(name string) string {
	if name == fiber.HeaderCookie {
		lines := q.c.Request().Header.PeekAll(fiber.HeaderCookie)
		if len(lines) > 1 {
			return string(bytes.Join(lines, []byte("; ")))
		}
	}
	return q.c.Get(name)
}

func handleError(c fiber.Ctx, onError func(fiber.Ctx, error) error, err error) error {
	if onError != nil {
		return onError(c, err)
	}
	return writeFailure(c, err)
}

// writeFailure writes the default answer of the HTTP failure contract.
func writeFailure(c fiber.Ctx, err error) error {
	f := core.FailureOf(err)
	if f.WWWAuthenticate != "" {
		c.Set(fiber.HeaderWWWAuthenticate, f.WWWAuthenticate)
	}
	if v := f.RetryAfterHeader(); v != "" {
		c.Set(fiber.HeaderRetryAfter, v)
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set(fiber.HeaderContentType, "application/json; charset=utf-8")
	return c.Status(f.Status).Send(f.Body())
}
