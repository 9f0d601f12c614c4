package fiberclerk_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/clerkgo/clerk/core"
	"github.com/clerkgo/clerk/fiberclerk"
	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"
)

func TestErrorHandlerReturningAnError(t *testing.T) {
	f := newFake(t)
	ran := false
	app := fiber.New()
	app.Use(fiberclerk.Middleware(fiberclerk.WithClient(f.c), fiberclerk.ErrorHandler(func(c *fiber.Ctx, err error) error {
		if !errors.Is(err, core.ErrNoCredentials) {
			t.Errorf("error handler got %v", err)
		}
		return fiber.NewError(http.StatusPaymentRequired, "pay first")
	})))
	app.Get("/protected", func(c *fiber.Ctx) error { ran = true; return nil })
	r := serve(app, "/protected", nil)
	if r.status != http.StatusPaymentRequired || r.body != "pay first" {
		t.Errorf("got %d %q, want the app's ErrorHandler answer", r.status, r.body)
	}
	if ran {
		t.Error("the protected handler ran")
	}
}

func TestGettersWithoutMiddleware(t *testing.T) {
	if fiberclerk.User(nil) != nil || fiberclerk.Session(nil) != nil {
		t.Error("getters of a nil context are not nil")
	}
	app := fiber.New()
	c := app.AcquireCtx(&fasthttp.RequestCtx{})
	defer app.ReleaseCtx(c)
	if fiberclerk.User(c) != nil || fiberclerk.Session(c) != nil {
		t.Error("getters of a bare context are not nil")
	}
	// Auth put on the user context by other code is found too.
	auth := &core.Auth{Session: &core.Claims{Subject: "user_1"}, User: &core.User{ID: "user_1"}}
	c.SetUserContext(core.WithAuth(context.Background(), auth))
	if fiberclerk.Session(c) != auth.Session || fiberclerk.User(c) != auth.User {
		t.Error("getters did not fall back to the user context")
	}
}

func TestRequireWithoutMiddleware(t *testing.T) {
	app := fiber.New()
	app.Get("/admin", fiberclerk.Require(core.Role("org:admin")), identify)
	checkFailure(t, serve(app, "/admin", nil), 401, "Bearer", "token-missing")
}

// fasthttp parses the Cookie headers into a list once anything reads a
// cookie; the middleware must find the session cookie either way.
func TestCookiesAlreadyParsedByEarlierMiddleware(t *testing.T) {
	f := newFake(t)
	app := fiber.New()
	app.Use(func(c *fiber.Ctx) error {
		_ = c.Cookies("theme")
		return c.Next()
	})
	app.Use(fiberclerk.Middleware(fiberclerk.WithClient(f.c), fiberclerk.FetchUser(false)))
	app.Get("/protected", identify)
	for _, h := range []http.Header{
		cookies("theme=dark; __session=" + f.s.Token()),
		cookies("theme=dark", "__session="+f.s.Token()),
		cookies(`__session="` + f.s.Token() + `"`),
	} {
		r := serve(app, "/protected", h)
		if r.status != http.StatusOK || r.identity(t).SessionSub != f.s.DefaultUserID() {
			t.Errorf("Cookie %q: %d %s", h["Cookie"], r.status, r.body)
		}
	}
}

func TestRequireRejectsNilCheck(t *testing.T) {
	defer func() {
		if r := recover(); fmt.Sprint(r) != "clerk: check 2 of 2 is nil" {
			t.Errorf("Require with a nil check panicked with %v", r)
		}
	}()
	fiberclerk.Require(core.Role("org:admin"), nil)
}
