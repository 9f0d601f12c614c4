package chiclerk_test

import (
	"net/http"
	"testing"

	"github.com/go-chi/chi/v5"

	"github.com/clerkgo/clerk/chiclerk"
	"github.com/clerkgo/clerk/core"
	"github.com/clerkgo/clerk/core/authtest"
)

// TestFrontendAPIProxy: the contract suite's proxy rows (authtest.RunProxy)
// on a chi router, mounted with r.Mount.
func TestFrontendAPIProxy(t *testing.T) {
	authtest.RunProxy(t, authtest.ProxyTarget{
		Name: "chiclerk", Package: "chiclerk",
		Serve: func(t *testing.T, opts []core.ProxyOptions) (string, func(*http.Request) (*http.Response, error)) {
			r := chi.NewRouter()
			for _, o := range opts {
				r.Mount(o.Path, chiclerk.FrontendAPIProxy(o))
			}
			return authtest.ServeHandler(t, r)
		},
		New:  func(o core.ProxyOptions) error { _, err := chiclerk.NewFrontendAPIProxy(o); return err },
		Must: func(o core.ProxyOptions) { chiclerk.FrontendAPIProxy(o) },
	})
}
