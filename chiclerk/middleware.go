package chiclerk

import (
	"context"
	"net/http"
	"strings"

	"github.com/clerkgo/clerk/core"
)

// errorHandlerKey holds the Middleware's ErrorHandler on the request
// context, for Require.
type errorHandlerKey struct{}

// Middleware returns the authentication middleware:
//
//	r.Use(chiclerk.Middleware())
//
// With no [WithClient] option the client is built from the environment
// (core.NewFromEnv), a new one on each call: to install the middleware more
// than once, build one client and pass it to each with WithClient. An
// invalid or missing configuration panics at once with a message naming the
// problem, never a secret (a start-up failure, like regexp.MustCompile); use
// [New] to get the error instead.
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
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			cookie := strings.Join(r.Header.Values("Cookie"), "; ")
			auth, err := a.Authenticate(r.Context(), r.Header.Get("Authorization"), cookie)
			if err != nil {
				writeError(onError, w, r, err)
				return
			}
			ctx := r.Context()
			if onError != nil {
				ctx = context.WithValue(ctx, errorHandlerKey{}, onError)
			}
			if auth != nil {
				ctx = core.WithAuth(ctx, auth)
			}
			if ctx != r.Context() {
				r = r.WithContext(ctx)
			}
			next.ServeHTTP(w, r)
		})
	}, nil
}

// writeError answers err with fn, or with the default JSON failure.
func writeError(fn func(http.ResponseWriter, *http.Request, error), w http.ResponseWriter, r *http.Request, err error) {
	if fn != nil {
		fn(w, r, err)
		return
	}
	core.WriteFailure(w, err)
}
