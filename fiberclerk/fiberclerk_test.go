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
	authtest.Run(t, authtest.Target{Name: "fiber", SupportsSkip: true, Build: buildContract})
}

func buildContract(t *testing.T, s authtest.Setup) func(*http.Request) (*http.Response, error) {
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
	mw, err := fiberclerk.New(opts...)
	if err != nil {
		t.Fatalf("fiberclerk.New: %v", err)
	}
	app := fiber.New()
	app.Use(mw)
	handler := func(c *fiber.Ctx) error {
		id := authtest.Identify(c.UserContext(), fiberclerk.User(c), fiberclerk.Session(c))
		c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
		return c.Send(id.JSON())
	}
	protected := []fiber.Handler{handler}
	if s.Check != nil {
		protected = []fiber.Handler{fiberclerk.Require(s.Check), handler}
	}
	app.Get("/protected", protected...)
	app.Get("/skip/ping", handler)
	return func(r *http.Request) (*http.Response, error) { return app.Test(r, -1) }
}
