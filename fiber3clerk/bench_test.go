package fiber3clerk_test

import (
	"net/http"
	"testing"

	"github.com/gofiber/fiber/v3"
	"github.com/valyala/fasthttp"

	"github.com/clerkgo/clerk/core/authtest"
	"github.com/clerkgo/clerk/fiber3clerk"
)

// benchServe calls the app's fasthttp handler directly, as Fiber's own
// benchmarks do, resetting what fasthttp's server resets between requests.
func benchServe(b *testing.B, app *fiber.App, token string) {
	handler := app.Handler()
	var ctx fasthttp.RequestCtx
	ctx.Request.Header.SetMethod(fasthttp.MethodGet)
	ctx.Request.SetRequestURI("/protected")
	ctx.Request.Header.Set(fasthttp.HeaderAuthorization, "Bearer "+token)
	handler(&ctx) // warm up: keys fetched, token cached
	if s := ctx.Response.StatusCode(); s != http.StatusOK {
		b.Fatalf("warm-up status %d", s)
	}
	b.ReportAllocs()
	for b.Loop() {
		ctx.Response.Reset()
		ctx.ResetUserValues()
		handler(&ctx)
	}
	if s := ctx.Response.StatusCode(); s != http.StatusOK {
		b.Fatalf("status %d", s)
	}
}

func hello(c fiber.Ctx) error { return c.SendString("hello") }

// BenchmarkBare is the router alone, with the same request as
// BenchmarkMiddleware: the floor the middleware adds to.
func BenchmarkBare(b *testing.B) {
	f := authtest.NewFake(b)
	app := fiber.New()
	app.Get("/protected", hello)
	benchServe(b, app, f.Server.Token())
}

// BenchmarkMiddleware is a repeated token with FetchUser(false) and a warm
// key and token cache: the steady-state cost per request.
func BenchmarkMiddleware(b *testing.B) {
	f := authtest.NewFake(b)
	app := fiber.New()
	app.Use(fiber3clerk.Middleware(fiber3clerk.WithClient(f.Client), fiber3clerk.FetchUser(false)))
	app.Get("/protected", hello)
	benchServe(b, app, f.Server.Token())
}
