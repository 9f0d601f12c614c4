// Command fiber3 is the clerkgo demo app on Fiber v3: every route of the demo
// protected by fiber3clerk. Run it from the repository root:
//
//	go run ./examples/fiber3
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
	"github.com/clerkgo/clerk/examples/internal/demo"
	"github.com/clerkgo/clerk/fiber3clerk"
	"github.com/gofiber/fiber/v3"
	"github.com/gofiber/fiber/v3/middleware/recover"
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

	f := fiber.New(fiber.Config{
		// Fiber's default 4 KiB header buffer answers a large token (a
		// session with many organization claims) with a plain-text 431
		// before any middleware runs; 32 KiB holds the largest token the
		// core accepts (core.MaxTokenSize, 16 KiB) with room for cookies.
		ReadBufferSize: 32 << 10,
	})
	f.Use(recover.New())
	routes(f, app)

	ln, err := app.Listen()
	if err != nil {
		return err
	}
	app.PrintBanner(stdout, "fiber3", ln.Addr())

	// Fiber v3 moved the startup message to ListenConfig. demo.Serve, not
	// ListenConfig.GracefulContext, shuts down: it returns the shutdown's
	// error and waits for it.
	listen := fiber.ListenConfig{DisableStartupMessage: true}
	return demo.Serve(ctx, func() error { return f.Listener(ln, listen) }, f.ShutdownWithContext)
}

// routes registers the demo's routes. All middlewares share app.Client.
func routes(f *fiber.App, app *demo.App) {
	client := fiber3clerk.WithClient(app.Client)
	signedIn := fiber3clerk.Middleware(client, fiber3clerk.FetchUser(app.FetchUser()))
	claimsOnly := fiber3clerk.Middleware(client, fiber3clerk.FetchUser(false))
	optional := fiber3clerk.Middleware(client, fiber3clerk.FetchUser(false), fiber3clerk.Optional(true))

	f.Get("/health", func(c fiber.Ctx) error {
		return c.JSON(demo.Health())
	})
	f.Get("/me", signedIn, func(c fiber.Ctx) error {
		return c.JSON(demo.Me(fiber3clerk.User(c), fiber3clerk.Session(c)))
	})
	f.Get("/claims", claimsOnly, func(c fiber.Ctx) error {
		return c.JSON(demo.ClaimsOf(fiber3clerk.Session(c)))
	})
	f.Get("/optional", optional, func(c fiber.Ctx) error {
		return c.JSON(demo.OptionalOf(fiber3clerk.Session(c)))
	})
	f.Get("/admin", claimsOnly, fiber3clerk.Require(core.Role("org:admin")), func(c fiber.Ctx) error {
		return c.JSON(demo.AdminOf(fiber3clerk.Session(c)))
	})

	if app.ServesPages() {
		// Server-rendered pages with Clerk's browser flow: the handshake,
		// the session refresh and the sign-in redirect.
		page := fiber3clerk.Middleware(client, fiber3clerk.BrowserPages(true))
		public := fiber3clerk.Middleware(client, fiber3clerk.BrowserPages(true), fiber3clerk.Optional(true))
		f.Get(demo.HomePath, public, func(c fiber.Ctx) error { return writePage(c, demo.HomePage) })
		f.Get(demo.DashboardPath, page, func(c fiber.Ctx) error { return writePage(c, demo.DashboardPage) })
	}
	if app.ServesPing() {
		// Machines only: API keys and M2M tokens, no user to fetch.
		machines := fiber3clerk.Middleware(client, fiber3clerk.FetchUser(false), fiber3clerk.AcceptsToken(core.APIKey, core.M2MToken))
		f.Get(demo.PingPath, machines, func(c fiber.Ctx) error {
			return c.JSON(demo.PingOf(fiber3clerk.Auth(c)))
		})
	}
	if app.Webhooks != nil {
		f.Post(demo.WebhookPath, fiber3clerk.Webhook(app.OnWebhook, webhook.WithVerifier(app.Webhooks), webhook.Dedup(0)))
	}
	if app.Fake != nil {
		f.Get("/demo/token", func(c fiber.Ctx) error {
			token, err := app.Token(c.Query("kind"), c.Query("role"))
			if err != nil {
				return c.Status(http.StatusBadRequest).SendString(err.Error() + "\n")
			}
			return c.SendString(token + "\n")
		})
	}
}

// writePage answers 200 with the page render shows for the request's user.
func writePage(c fiber.Ctx, render func(demo.PageData) ([]byte, error)) error {
	b, err := render(demo.PageOf(fiber3clerk.User(c), fiber3clerk.Session(c)))
	if err != nil {
		return c.Status(http.StatusInternalServerError).SendString("rendering the page failed\n")
	}
	c.Set(fiber.HeaderContentType, demo.HTMLContentType)
	return c.Send(b)
}
