package fiberclerk_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/clerkgo/clerk/core/authtest"
	"github.com/clerkgo/clerk/fiberclerk"
	"github.com/gofiber/fiber/v2"
)

// TestContract runs the adapters' shared contract suite against a
// fiber.App, through app.Test.
func TestContract(t *testing.T) {
	authtest.Run(t, authtest.Target{
		Name:         "fiberclerk",
		SupportsSkip: true,
		Build:        buildContract,
		Package:      "fiberclerk",
		New:          func(s authtest.Setup) error { _, err := fiberclerk.New(options(s)...); return err },
		Middleware:   func(s authtest.Setup) { fiberclerk.Middleware(options(s)...) },
	})
}

// options are the middleware options of a contract Setup.
func options(s authtest.Setup) []fiberclerk.Option {
	opts := []fiberclerk.Option{
		fiberclerk.WithClient(s.Client),
		fiberclerk.FetchUser(s.FetchUser),
		fiberclerk.Optional(s.Optional),
	}
	if s.SessionKey != "" {
		opts = append(opts, fiberclerk.SessionKey(s.SessionKey))
	}
	if s.CustomErrors {
		opts = append(opts, fiberclerk.ErrorHandler(func(c *fiber.Ctx, err error) error {
			c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
			return c.Status(authtest.CustomErrorStatus).Send(authtest.CustomErrorBody(err))
		}))
	}
	if s.SkipPrefix != "" {
		opts = append(opts, fiberclerk.Next(func(c *fiber.Ctx) bool {
			return strings.HasPrefix(c.Path(), s.SkipPrefix)
		}))
	}
	return opts
}

func buildContract(t *testing.T, s authtest.Setup) func(*http.Request) (*http.Response, error) {
	mw, err := fiberclerk.New(options(s)...)
	if err != nil {
		t.Fatalf("fiberclerk.New: %v", err)
	}
	app := fiber.New()
	app.Use(mw)
	handler := identify
	protected := []fiber.Handler{handler}
	if s.Check != nil {
		protected = []fiber.Handler{fiberclerk.Require(s.Check), handler}
	}
	app.Get("/protected", protected...)
	app.Get("/skip/ping", handler)
	return func(r *http.Request) (*http.Response, error) { return app.Test(r, -1) }
}
