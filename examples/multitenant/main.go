// Command multitenant serves two Clerk instances (tenants) from one
// process: routes under /a verify tokens of instance A, routes under /b
// tokens of instance B, each with its own core.Client, so that a token of
// one instance is rejected (401) by the other. Run it from the repository
// root:
//
//	go run ./examples/multitenant
//
// With no configuration it starts two embedded fake Clerks. For real
// instances set CLERK_SECRET_KEY_A and CLERK_SECRET_KEY_B (and optionally
// CLERK_PUBLISHABLE_KEY_A/_B, CLERK_JWT_KEY_A/_B,
// CLERK_AUTHORIZED_PARTIES_A/_B) in the environment or in .env.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/clerkgo/clerk/chiclerk"
	"github.com/clerkgo/clerk/core"
	"github.com/clerkgo/clerk/examples/internal/demo"
	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
)

// tenants are the route prefixes, one per Clerk instance.
var tenants = []string{"a", "b"}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Stdout); err != nil {
		log.Fatal(err)
	}
}

// run serves both tenants until ctx is done, then shuts down cleanly.
func run(ctx context.Context, stdout io.Writer) error {
	apps := map[string]*demo.App{}
	for _, name := range tenants {
		app, err := demo.SetupTenant(name)
		if err != nil {
			return fmt.Errorf("tenant %s: %w", name, err)
		}
		defer app.Close()
		apps[name] = app
	}

	r := chi.NewRouter()
	r.Use(middleware.Recoverer)
	r.Get("/health", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, demo.Health())
	})
	for _, name := range tenants {
		r.Route("/"+name, func(r chi.Router) { tenantRoutes(r, name, apps[name]) })
	}

	srv := &http.Server{Handler: r, ReadHeaderTimeout: 10 * time.Second}
	ln, err := apps[tenants[0]].Listen() // one port ($PORT) for all tenants
	if err != nil {
		return err
	}
	printBanner(stdout, ln.Addr(), apps)

	return demo.Serve(ctx, func() error { return srv.Serve(ln) }, srv.Shutdown)
}

// TenantMe is the body of GET /<tenant>/me.
type TenantMe struct {
	// Tenant is the route prefix: "a" or "b".
	Tenant string `json:"tenant"`
	// User is the tenant's Clerk user object; nil without a secret key.
	User *core.User `json:"user"`
	// Session is the verified session token's claims.
	Session *core.Claims `json:"session"`
}

// tenantRoutes registers one tenant's routes, all verified by its own
// client: GET /me, and GET /demo/token when the tenant is a fake.
func tenantRoutes(r chi.Router, name string, app *demo.App) {
	signedIn := chiclerk.Middleware(chiclerk.WithClient(app.Client), chiclerk.FetchUser(app.FetchUser()))
	r.With(signedIn).Get("/me", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, TenantMe{Tenant: name, User: chiclerk.User(r.Context()), Session: chiclerk.Session(r.Context())})
	})
	if app.Fake != nil {
		r.Get("/demo/token", func(w http.ResponseWriter, r *http.Request) {
			q := r.URL.Query()
			token, err := app.Token(q.Get("kind"), q.Get("role"))
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			io.WriteString(w, token+"\n")
		})
	}
}

// printBanner says which instance serves each tenant and prints curl
// commands that show a token of A accepted at /a and rejected at /b.
func printBanner(w io.Writer, addr net.Addr, apps map[string]*demo.App) {
	host := fmt.Sprintf("localhost:%d", addr.(*net.TCPAddr).Port)
	var b strings.Builder
	fmt.Fprintf(&b, "clerkgo multitenant demo listening on http://%s\n", host)
	for _, name := range tenants {
		fmt.Fprintf(&b, "  /%s/... verifies tokens of the %s\n", name, apps[name].Source)
	}
	b.WriteString("\n")
	for _, name := range tenants {
		v := "TOKEN_" + strings.ToUpper(name)
		if apps[name].Fake != nil {
			fmt.Fprintf(&b, "  %s=$(curl -s %s/%s/demo/token)\n", v, host, name)
		} else {
			fmt.Fprintf(&b, "  %s=<paste a session token of tenant %s>\n", v, name)
		}
	}
	b.WriteString("\n")
	for _, name := range tenants {
		v := "TOKEN_" + strings.ToUpper(name)
		for _, at := range tenants {
			comment := ""
			if at != name {
				comment = "   # 401: a token of another instance"
			}
			fmt.Fprintf(&b, "  curl -i -H \"Authorization: Bearer $%s\" %s/%s/me%s\n", v, host, at, comment)
		}
	}
	b.WriteString("\nStop with Ctrl-C.\n")
	io.WriteString(w, b.String())
}

// writeJSON answers 200 with v as JSON.
func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	if err := json.NewEncoder(w).Encode(v); err != nil {
		log.Printf("writing response: %v", err)
	}
}
