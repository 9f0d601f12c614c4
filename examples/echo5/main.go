// Command echo5 is the clerkgo demo app on Echo v5: every route of the demo
// protected by echo5clerk. Run it from the repository root:
//
//	go run ./examples/echo5
//
// With no Clerk keys in the environment (or in .env) it runs against an
// embedded fake Clerk and prints curl commands to try it.
package main

import (
	"context"
	"io"
	"log"
	"net/http"
	"os"
	"os/signal"
	"syscall"

	"github.com/clerkgo/clerk/core"
	"github.com/clerkgo/clerk/core/webhook"
	"github.com/clerkgo/clerk/echo5clerk"
	"github.com/clerkgo/clerk/examples/internal/demo"
	"github.com/labstack/echo/v5"
	"github.com/labstack/echo/v5/middleware"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Stdout); err != nil {
		log.Fatal(err)
	}
}

// run configures the demo from the environment and serves it until ctx is
// done.
func run(ctx context.Context, stdout io.Writer) error {
	app, err := demo.Setup()
	if err != nil {
		return err
	}
	defer app.Close()
	return serve(ctx, app, stdout)
}

// serve serves app until ctx is done, then shuts down cleanly: Echo v5's
// StartConfig shuts the server down gracefully when ctx is done.
func serve(ctx context.Context, app *demo.App, stdout io.Writer) error {
	app.Log.SetOutput(stdout)

	e := echo.New()
	e.Use(middleware.Recover())
	routes(e, app)

	ln, err := app.Listen()
	if err != nil {
		return err
	}
	app.PrintBanner(stdout, "echo5", ln.Addr())

	sc := echo.StartConfig{Listener: ln, HideBanner: true, HidePort: true, GracefulTimeout: demo.ShutdownTimeout}
	return sc.Start(ctx, e)
}

// routes registers the demo's routes. All middlewares share app.Client.
func routes(e *echo.Echo, app *demo.App) {
	client := echo5clerk.WithClient(app.Client)
	signedIn := echo5clerk.Middleware(client, echo5clerk.FetchUser(app.FetchUser()))
	claimsOnly := echo5clerk.Middleware(client, echo5clerk.FetchUser(false))
	optional := echo5clerk.Middleware(client, echo5clerk.FetchUser(false), echo5clerk.Optional(true))

	e.GET("/health", func(c *echo.Context) error {
		return c.JSON(http.StatusOK, demo.Health())
	})
	e.GET("/me", func(c *echo.Context) error {
		return c.JSON(http.StatusOK, demo.Me(echo5clerk.User(c), echo5clerk.Session(c)))
	}, signedIn)
	e.GET("/claims", func(c *echo.Context) error {
		return c.JSON(http.StatusOK, demo.ClaimsOf(echo5clerk.Session(c)))
	}, claimsOnly)
	e.GET("/optional", func(c *echo.Context) error {
		return c.JSON(http.StatusOK, demo.OptionalOf(echo5clerk.Session(c)))
	}, optional)
	e.GET("/admin", func(c *echo.Context) error {
		return c.JSON(http.StatusOK, demo.AdminOf(echo5clerk.Session(c)))
	}, claimsOnly, echo5clerk.Require(core.Role("org:admin")))

	if app.ServesPages() {
		// Server-rendered pages with Clerk's browser flow: the handshake,
		// the session refresh and the sign-in redirect.
		page := echo5clerk.Middleware(client, echo5clerk.BrowserPages(true))
		public := echo5clerk.Middleware(client, echo5clerk.BrowserPages(true), echo5clerk.Optional(true))
		e.GET(demo.HomePath, func(c *echo.Context) error { return writePage(c, demo.HomePage) }, public)
		e.GET(demo.DashboardPath, func(c *echo.Context) error { return writePage(c, demo.DashboardPage) }, page)
	}
	if app.ServesPing() {
		// Machines only: API keys and M2M tokens, no user to fetch.
		machines := echo5clerk.Middleware(client, echo5clerk.FetchUser(false), echo5clerk.AcceptsToken(core.APIKey, core.M2MToken))
		e.GET(demo.PingPath, func(c *echo.Context) error {
			return c.JSON(http.StatusOK, demo.PingOf(echo5clerk.Auth(c)))
		}, machines)
	}
	if app.Webhooks != nil {
		e.POST(demo.WebhookPath, echo5clerk.Webhook(app.OnWebhook, webhook.WithVerifier(app.Webhooks), webhook.Dedup(0)))
	}
	if app.Fake != nil {
		e.GET("/demo/token", func(c *echo.Context) error {
			token, err := app.Token(c.QueryParam("kind"), c.QueryParam("role"))
			if err != nil {
				return c.String(http.StatusBadRequest, err.Error()+"\n")
			}
			return c.String(http.StatusOK, token+"\n")
		})
	}
}

// writePage answers 200 with the page render shows for the request's user.
func writePage(c *echo.Context, render func(demo.PageData) ([]byte, error)) error {
	b, err := render(demo.PageOf(echo5clerk.User(c), echo5clerk.Session(c)))
	if err != nil {
		return c.String(http.StatusInternalServerError, "rendering the page failed\n")
	}
	return c.Blob(http.StatusOK, demo.HTMLContentType, b)
}
