package echoclerk_test

import (
	"net/http"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/clerkgo/clerk/core"
	"github.com/clerkgo/clerk/core/authtest"
	"github.com/clerkgo/clerk/echoclerk"
)

// TestFrontendAPIProxy: the contract suite's proxy rows (authtest.RunProxy)
// on an echo.Echo, mounted with e.Any(path+"/*").
func TestFrontendAPIProxy(t *testing.T) {
	authtest.RunProxy(t, authtest.ProxyTarget{
		Name: "echoclerk", Package: "echoclerk",
		Serve: func(t *testing.T, opts []core.ProxyOptions) (string, func(*http.Request) (*http.Response, error)) {
			e := echo.New()
			for _, o := range opts {
				e.Any(o.Path+"/*", echoclerk.FrontendAPIProxy(o))
			}
			return authtest.ServeHandler(t, e)
		},
		New:  func(o core.ProxyOptions) error { _, err := echoclerk.NewFrontendAPIProxy(o); return err },
		Must: func(o core.ProxyOptions) { echoclerk.FrontendAPIProxy(o) },
	})
}
