// Command chi is the clerkgo demo app on chi (plain net/http underneath):
// every route of the demo protected by chiclerk. Run it from the repository
// root:
//
//	go run ./examples/chi
//
// With no Clerk keys in the environment (or in .env) it runs against an
// embedded fake Clerk and prints curl commands to try it.
package main

import (
	"context"
	"encoding/json"
	"io"
	"log"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/clerkgo/clerk/chiclerk"
	"github.com/clerkgo/clerk/core"
	"github.com/clerkgo/clerk/core/webhook"
	"github.com/clerkgo/clerk/examples/internal/demo"
	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
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

	srv := &http.Server{Handler: routes(app), ReadHeaderTimeout: 10 * time.Second}
	ln, err := app.Listen()
	if err != nil {
		return err
	}
	app.PrintBanner(stdout, "chi", ln.Addr())

	return demo.Serve(ctx, func() error { return srv.Serve(ln) }, srv.Shutdown)
}

// routes returns the demo's router. All middlewares share app.Client.
func routes(app *demo.App) http.Handler {
	client := chiclerk.WithClient(app.Client)
	signedIn := chiclerk.Middleware(client, chiclerk.FetchUser(app.FetchUser()))
	claimsOnly := chiclerk.Middleware(client, chiclerk.FetchUser(false))
	optional := chiclerk.Middleware(client, chiclerk.FetchUser(false), chiclerk.Optional(true))

	r := chi.NewRouter()
	r.Use(middleware.Recoverer)
	r.Get("/health", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, demo.Health())
	})
	r.With(signedIn).Get("/me", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, demo.Me(chiclerk.User(r.Context()), chiclerk.Session(r.Context())))
	})
	r.With(claimsOnly).Get("/claims", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, demo.ClaimsOf(chiclerk.Session(r.Context())))
	})
	r.With(optional).Get("/optional", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, demo.OptionalOf(chiclerk.Session(r.Context())))
	})
	r.With(claimsOnly, chiclerk.Require(core.Role("org:admin"))).Get("/admin", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, demo.AdminOf(chiclerk.Session(r.Context())))
	})

	if app.ServesPages() {
		// Server-rendered pages with Clerk's browser flow: the handshake,
		// the session refresh and the sign-in redirect.
		page := chiclerk.Middleware(client, chiclerk.BrowserPages(true))
		public := chiclerk.Middleware(client, chiclerk.BrowserPages(true), chiclerk.Optional(true))
		r.With(public).Get(demo.HomePath, func(w http.ResponseWriter, r *http.Request) {
			writePage(w, demo.HomePage, chiclerk.User(r.Context()), chiclerk.Session(r.Context()))
		})
		r.With(page).Get(demo.DashboardPath, func(w http.ResponseWriter, r *http.Request) {
			writePage(w, demo.DashboardPage, chiclerk.User(r.Context()), chiclerk.Session(r.Context()))
		})
	}
	if app.ServesPing() {
		// Machines only: API keys and M2M tokens, no user to fetch.
		machines := chiclerk.Middleware(client, chiclerk.FetchUser(false), chiclerk.AcceptsToken(core.APIKey, core.M2MToken))
		r.With(machines).Get(demo.PingPath, func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, demo.PingOf(chiclerk.Auth(r.Context())))
		})
	}
	if app.Webhooks != nil {
		r.Post(demo.WebhookPath, chiclerk.Webhook(app.OnWebhook, webhook.WithVerifier(app.Webhooks), webhook.Dedup(0)))
	}
	if app.Fake != nil {
		r.Get("/demo/token", func(w http.ResponseWriter, r *http.Request) {
			q := r.URL.Query()
			token, err := app.Token(q.Get("kind"), q.Get("role"))
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			_, _ = io.WriteString(w, token+"\n") //nolint:gosec // a token the fake minted, as plain text
		})
	}
	return r
}

// writePage answers 200 with the page render shows for the user.
func writePage(w http.ResponseWriter, render func(demo.PageData) ([]byte, error), user *core.User, session *core.Claims) {
	b, err := render(demo.PageOf(user, session))
	if err != nil {
		http.Error(w, "rendering the page failed", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", demo.HTMLContentType)
	_, _ = w.Write(b)
}

// writeJSON answers 200 with v as JSON.
func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	if err := json.NewEncoder(w).Encode(v); err != nil {
		log.Printf("writing response: %v", err)
	}
}
