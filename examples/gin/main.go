// Command gin is the clerkgo demo app on Gin: every route of the demo
// protected by ginclerk. Run it from the repository root:
//
//	go run ./examples/gin
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
	"time"

	"github.com/clerkgo/clerk/core"
	"github.com/clerkgo/clerk/core/webhook"
	"github.com/clerkgo/clerk/examples/internal/demo"
	"github.com/clerkgo/clerk/ginclerk"
	"github.com/gin-gonic/gin"
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

	if os.Getenv(gin.EnvGinMode) == "" {
		gin.SetMode(gin.ReleaseMode) // no debug listing of the routes
	}
	r := gin.New()
	r.Use(gin.Recovery())
	routes(r, app)

	srv := &http.Server{Handler: r, ReadHeaderTimeout: 10 * time.Second}
	ln, err := app.Listen()
	if err != nil {
		return err
	}
	app.PrintBanner(stdout, "gin", ln.Addr())

	return demo.Serve(ctx, func() error { return srv.Serve(ln) }, srv.Shutdown)
}

// routes registers the demo's routes. All middlewares share app.Client.
func routes(r *gin.Engine, app *demo.App) {
	client := ginclerk.WithClient(app.Client)
	signedIn := ginclerk.Middleware(client, ginclerk.FetchUser(app.FetchUser()))
	claimsOnly := ginclerk.Middleware(client, ginclerk.FetchUser(false))
	optional := ginclerk.Middleware(client, ginclerk.FetchUser(false), ginclerk.Optional(true))

	r.GET("/health", func(c *gin.Context) {
		c.JSON(http.StatusOK, demo.Health())
	})
	r.GET("/me", signedIn, func(c *gin.Context) {
		c.JSON(http.StatusOK, demo.Me(ginclerk.User(c), ginclerk.Session(c)))
	})
	r.GET("/claims", claimsOnly, func(c *gin.Context) {
		c.JSON(http.StatusOK, demo.ClaimsOf(ginclerk.Session(c)))
	})
	r.GET("/optional", optional, func(c *gin.Context) {
		c.JSON(http.StatusOK, demo.OptionalOf(ginclerk.Session(c)))
	})
	r.GET("/admin", claimsOnly, ginclerk.Require(core.Role("org:admin")), func(c *gin.Context) {
		c.JSON(http.StatusOK, demo.AdminOf(ginclerk.Session(c)))
	})

	if app.ServesPages() {
		// Server-rendered pages with Clerk's browser flow: the handshake,
		// the session refresh and the sign-in redirect.
		page := ginclerk.Middleware(client, ginclerk.BrowserPages(true))
		public := ginclerk.Middleware(client, ginclerk.BrowserPages(true), ginclerk.Optional(true))
		r.GET(demo.HomePath, public, func(c *gin.Context) { writePage(c, demo.HomePage) })
		r.GET(demo.DashboardPath, page, func(c *gin.Context) { writePage(c, demo.DashboardPage) })
	}
	if app.ServesPing() {
		// Machines only: API keys and M2M tokens, no user to fetch.
		machines := ginclerk.Middleware(client, ginclerk.FetchUser(false), ginclerk.AcceptsToken(core.APIKey, core.M2MToken))
		r.GET(demo.PingPath, machines, func(c *gin.Context) {
			c.JSON(http.StatusOK, demo.PingOf(ginclerk.Auth(c)))
		})
	}
	if app.Webhooks != nil {
		r.POST(demo.WebhookPath, ginclerk.Webhook(app.OnWebhook, webhook.WithVerifier(app.Webhooks), webhook.Dedup(0)))
	}
	if app.Fake != nil {
		r.GET("/demo/token", func(c *gin.Context) {
			token, err := app.Token(c.Query("kind"), c.Query("role"))
			if err != nil {
				c.String(http.StatusBadRequest, err.Error()+"\n")
				return
			}
			c.String(http.StatusOK, token+"\n")
		})
	}
}

// writePage answers 200 with the page render shows for the request's user.
func writePage(c *gin.Context, render func(demo.PageData) ([]byte, error)) {
	b, err := render(demo.PageOf(ginclerk.User(c), ginclerk.Session(c)))
	if err != nil {
		c.String(http.StatusInternalServerError, "rendering the page failed\n")
		return
	}
	c.Data(http.StatusOK, demo.HTMLContentType, b)
}
