package fiberclerk_test

import (
	"net/http"
	"testing"

	"github.com/gofiber/fiber/v2"

	"github.com/clerkgo/clerk/core"
	"github.com/clerkgo/clerk/core/authtest"
	"github.com/clerkgo/clerk/fiberclerk"
)

// TestFrontendAPIProxy: the contract suite's proxy rows (authtest.RunProxy)
// on a fiber.App (v2), mounted with app.All(path+"/*"), through app.Test; Fiber v2 delivers a streamed answer whole.
func TestFrontendAPIProxy(t *testing.T) {
	authtest.RunProxy(t, authtest.ProxyTarget{
		Name: "fiberclerk", Package: "fiberclerk", Buffered: true,
		Serve: func(t *testing.T, opts []core.ProxyOptions) (string, func(*http.Request) (*http.Response, error)) {
			app := fiber.New()
			for _, o := range opts {
				app.All(o.Path+"/*", fiberclerk.FrontendAPIProxy(o))
			}
			return "http://app.example", func(r *http.Request) (*http.Response, error) { return app.Test(r, -1) }
		},
		New:  func(o core.ProxyOptions) error { _, err := fiberclerk.NewFrontendAPIProxy(o); return err },
		Must: func(o core.ProxyOptions) { fiberclerk.FrontendAPIProxy(o) },
	})
}
