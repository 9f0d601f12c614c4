package echo5clerk_test

import (
	"net/http"
	"testing"

	"github.com/labstack/echo/v5"

	"github.com/clerkgo/clerk/core"
	"github.com/clerkgo/clerk/core/authtest"
	"github.com/clerkgo/clerk/echo5clerk"
)

// TestFrontendAPIProxy: the contract suite's proxy rows (authtest.RunProxy)
// on an echo.Echo (v5), mounted with e.Any(path+"/*").
func TestFrontendAPIProxy(t *testing.T) {
	authtest.RunProxy(t, authtest.ProxyTarget{
		Name: "echo5clerk", Package: "echo5clerk",
		Serve: func(t *testing.T, opts []core.ProxyOptions) (string, func(*http.Request) (*http.Response, error)) {
			e := echo.New()
			for _, o := range opts {
				e.Any(o.Path+"/*", echo5clerk.FrontendAPIProxy(o))
			}
			return authtest.ServeHandler(t, e)
		},
		New:  func(o core.ProxyOptions) error { _, err := echo5clerk.NewFrontendAPIProxy(o); return err },
		Must: func(o core.ProxyOptions) { echo5clerk.FrontendAPIProxy(o) },
	})
}
