// Command echo is the clerkgo demo app on Echo: every route of the demo
// protected by echoclerk. Run it from the repository root:
//
//	go run ./examples/echo
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
	"github.com/clerkgo/clerk/echoclerk"
	"github.com/clerkgo/clerk/examples/internal/demo"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
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

// serve serves app until ctx is done, then shuts down cleanly.
func serve(ctx context.Context, app *demo.App, stdout io.Writer) error {
	app.Log.SetOutput(stdout)

	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.Use(middleware.Recover())
	routes(e, app)

	ln, err := app.Listen()
	if err != nil {
		return err
	}
	e.Listener = ln
	app.PrintBanner(stdout, "echo", ln.Addr())

	return demo.Serve(ctx, func() error { return e.Start("") }, e.Shutdown)
}

// routes registers the demo's routes. All middlewares share app.Client.
func routes(e *echo.Echo, app *demo.App) {
	client := echoclerk.WithClient(app.Client)
	signedIn := echoclerk.Middleware(client, echoclerk.FetchUser(app.FetchUser()))
	claimsOnly := echoclerk.Middleware(client, echoclerk.FetchUser(false))
	optional := echoclerk.Middleware(client, echoclerk.FetchUser(false), echoclerk.Optional(true))

	e.GET("/health", func(c echo.Context) error {
		return c.JSON(http.StatusOK, demo.Health())
	})
	e.GET("/me", func(c echo.Context) error {
		return c.JSON(http.StatusOK, demo.Me(echoclerk.User(c), echoclerk.Session(c)))
	}, signedIn)
	e.GET("/claims", func(c echo.Context) error {
		return c.JSON(http.StatusOK, demo.ClaimsOf(echoclerk.Session(c)))
	}, claimsOnly)
	e.GET("/optional", func(c echo.Context) error {
		return c.JSON(http.StatusOK, demo.OptionalOf(echoclerk.Session(c)))
	}, optional)
	e.GET("/admin", func(c echo.Context) error {
		return c.JSON(http.StatusOK, demo.AdminOf(echoclerk.Session(c)))
	}, claimsOnly, echoclerk.Require(core.Role("org:admin")))

	if app.ServesPages() {
		// Server-rendered pages with Clerk's browser flow: the handshake,
		// the session refresh and the sign-in redirect.
		page := echoclerk.Middleware(client, echoclerk.BrowserPages(true))
		public := echoclerk.Middleware(client, echoclerk.BrowserPages(true), echoclerk.Optional(true))
		e.GET(demo.HomePath, func(c echo.Context) error { return writePage(c, demo.HomePage) }, public)
		e.GET(demo.DashboardPath, func(c echo.Context) error { return writePage(c, demo.DashboardPage) }, page)
	}
	if app.ServesPing() {
		// Machines only: API keys and M2M tokens, no user to fetch.
		machines := echoclerk.Middleware(client, echoclerk.FetchUser(false), echoclerk.AcceptsToken(core.APIKey, core.M2MToken))
		e.GET(demo.PingPath, func(c echo.Context) error {
			return c.JSON(http.StatusOK, demo.PingOf(echoclerk.Auth(c)))
		}, machines)
	}
	if app.Webhooks != nil {
		e.POST(demo.WebhookPath, echoclerk.Webhook(app.OnWebhook, webhook.WithVerifier(app.Webhooks), webhook.Dedup(0)))
	}
	if app.Fake != nil {
		e.GET("/demo/token", func(c echo.Context) error {
			token, err := app.Token(c.QueryParam("kind"), c.QueryParam("role"))
			if err != nil {
				return c.String(http.StatusBadRequest, err.Error()+"\n")
			}
			return c.String(http.StatusOK, token+"\n")
		})
	}
}

// writePage answers 200 with the page render shows for the request's user.
func writePage(c echo.Context, render func(demo.PageData) ([]byte, error)) error {
	b, err := render(demo.PageOf(echoclerk.User(c), echoclerk.Session(c)))
	if err != nil {
		return c.String(http.StatusInternalServerError, "rendering the page failed\n")
	}
	return c.Blob(http.StatusOK, demo.HTMLContentType, b)
}
