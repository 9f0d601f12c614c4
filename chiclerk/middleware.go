package chiclerk

import (
	"context"
	"net/http"

	"github.com/clerkgo/clerk/core"
)

// Middleware returns the authentication middleware:
//
//	r.Use(chiclerk.Middleware())
//
// With no [WithClient] or [ClientFunc] option the client is built from the
// environment (core.NewFromEnv), a new one on each call: to install the
// middleware more than once, build one client and pass it to each with
// WithClient. An invalid or missing configuration panics at once with a
// message naming the problem, never a secret (a start-up failure, like
// regexp.MustCompile); use [New] to get the error instead.
func Middleware(opts ...Option) func(http.Handler) http.Handler {
	mw, err := New(opts...)
	if err != nil {
		panic("chiclerk: invalid configuration: " + err.Error())
	}
	return mw
}

// New is [Middleware] returning the configuration error instead of
// panicking. Every configuration error is returned here, none on a request.
func New(opts ...Option) (func(http.Handler) http.Handler, error) {
	var o options
	for _, opt := range opts {
		if opt != nil {
			opt(&o)
		}
	}
	if fn := o.clientFunc; fn != nil {
		o.ClientFunc = func(r core.Request) (*core.Client, error) { return fn(r.(request).r) }
	}
	a, err := core.NewAuthenticator(o.Options)
	if err != nil {
		return nil, err
	}
	st := &state{onError: o.onError} // shared by every request: no allocation
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if a.BrowserPages() {
				servePage(a, st, next, w, r)
				return
			}
			auth, err := a.Authenticate(r.Context(), request{r})
			if err != nil {
				writeError(st.onError, w, r, err)
				return
			}
			// Exactly this middleware's result and state, even when signed
			// out: an outer middleware's must not show through.
			ctx := context.WithValue(core.WithAuth(r.Context(), auth), stateKey{}, st)
			next.ServeHTTP(w, r.WithContext(ctx))
		})
	}, nil
}

// servePage answers r with the browser decision: a 307 (a handshake, the
// clean URL, or the sign-in page) or an error with the decision's headers,
// else next with the session (or, on an Optional route, anonymously) and
// the decision's cookies on the response.
func servePage(a *core.Authenticator, st *state, next http.Handler, w http.ResponseWriter, r *http.Request) {
	res := a.AuthenticatePage(r.Context(), request{r})
	res.CopyHeaders(w.Header())
	if res.Redirect() {
		w.WriteHeader(http.StatusTemporaryRedirect)
		return
	}
	if res.Err != nil {
		writeError(st.onError, w, r, res.Err)
		return
	}
	if res.SignInURL != "" {
		st = &state{onError: st.onError, signIn: res.SignInURL}
	}
	ctx := context.WithValue(core.WithAuth(r.Context(), res.Auth), stateKey{}, st)
	next.ServeHTTP(w, r.WithContext(ctx))
}

// request is the core's view of a net/http request.
type request struct{ r *http.Request }

func (q request) Method() string            { return q.r.Method }
func (q request) Header(name string) string { return core.HTTPRequest(q.r).Header(name) }
func (q request) Query(name string) string  { return q.r.URL.Query().Get(name) }

// RequestURI, Host and TLS make request a core.PageRequest (the browser
// decision builds the page's public URL from them).
func (q request) RequestURI() string { return q.r.URL.RequestURI() }
func (q request) Host() string       { return q.r.Host }
func (q request) TLS() bool          { return q.r.TLS != nil }

var _ core.PageRequest = request{}

// writeError answers err with fn, or with the default JSON failure.
func writeError(fn func(http.ResponseWriter, *http.Request, error), w http.ResponseWriter, r *http.Request, err error) {
	if fn != nil {
		fn(w, r, err)
		return
	}
	core.WriteFailure(w, err)
}
