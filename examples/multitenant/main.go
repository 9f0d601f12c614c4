// Command multitenant serves two Clerk instances (tenants) from one
// process, each with its own core.Client, so that a token of one instance is
// rejected (401) by the other. It picks the tenant two ways:
//
//   - by route group: routes under /a verify tokens of instance A, routes
//     under /b tokens of instance B (one middleware per group, WithClient);
//   - by host: GET /me on host a.localhost verifies tokens of A, on
//     b.localhost tokens of B (one middleware, ClientFunc); any other host
//     is answered 404 unknown-tenant.
//
// Run it from the repository root:
//
//	go run ./examples/multitenant
//
// With no configuration it starts two embedded fake Clerks. For real
// instances set the variables of core.ConfigFromEnv with the suffixes _A
// and _B (CLERK_SECRET_KEY_A, CLERK_SECRET_KEY_B, CLERK_PUBLISHABLE_KEY_A,
// ...) in the environment or in .env; a tenant whose variables name no key
// source gets a fake of its own.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"slices"
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
	hostRoutes(r, apps)

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
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			_, _ = io.WriteString(w, token+"\n") //nolint:gosec // a token the fake minted, as plain text
		})
	}
}

// hostRoutes registers GET /me for the tenant of the request's host,
// <tenant>.localhost: one middleware whose ClientFunc picks the tenant's
// client per request. A host of no tenant is answered 404 unknown-tenant.
func hostRoutes(r chi.Router, apps map[string]*demo.App) {
	fetchUser := true // one middleware for all tenants: each needs a secret key
	for _, app := range apps {
		fetchUser = fetchUser && app.FetchUser()
	}
	byHost := chiclerk.Middleware(chiclerk.FetchUser(fetchUser), chiclerk.ClientFunc(func(r *http.Request) (*core.Client, error) {
		app := apps[hostTenant(r.Host)]
		if app == nil {
			return nil, errUnknownHost // never shown to the client
		}
		return app.Client, nil
	}))
	r.With(byHost).Get("/me", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, TenantMe{Tenant: hostTenant(r.Host), User: chiclerk.User(r.Context()), Session: chiclerk.Session(r.Context())})
	})
}

// errUnknownHost is the ClientFunc's error for a host of no tenant.
var errUnknownHost = errors.New("no tenant serves this host")

// hostTenant returns the tenant of host ("a" for a.localhost or
// a.localhost:8080), or "".
func hostTenant(host string) string {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	name, ok := strings.CutSuffix(strings.TrimSuffix(strings.ToLower(host), "."), tenantDomain)
	if !ok || !slices.Contains(tenants, name) {
		return ""
	}
	return name
}

// tenantDomain is the domain of the tenants' hosts: a.localhost,
// b.localhost. (*.localhost is the loopback address; curl and browsers
// resolve it without DNS.)
const tenantDomain = ".localhost"

// printBanner says which instance serves each tenant and prints curl
// commands that show a token of A accepted by tenant A and rejected by
// tenant B, by route group and by host.
func printBanner(w io.Writer, addr net.Addr, apps map[string]*demo.App) {
	host := fmt.Sprintf("localhost:%d", addr.(*net.TCPAddr).Port)
	var b strings.Builder
	fmt.Fprintf(&b, "clerkgo multitenant demo listening on http://%s\n", host)
	for _, name := range tenants {
		fmt.Fprintf(&b, "  /%s/... and host %s%s verify tokens of the %s\n", name, name, tenantDomain, apps[name].Source)
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
	b.WriteString("\nBy route group:\n\n")
	for _, name := range tenants {
		for _, at := range tenants {
			fmt.Fprintf(&b, "  curl -i -H \"Authorization: Bearer $TOKEN_%s\" %s/%s/me%s\n", strings.ToUpper(name), host, at, crossComment(name, at))
		}
	}
	fmt.Fprintf(&b, "\nBy host (curl %s%s:%s/me works too where curl resolves *.localhost):\n\n", tenants[0], tenantDomain, strings.TrimPrefix(host, "localhost:"))
	for _, name := range tenants {
		for _, at := range tenants {
			fmt.Fprintf(&b, "  curl -i -H \"Host: %s%s\" -H \"Authorization: Bearer $TOKEN_%s\" %s/me%s\n", at, tenantDomain, strings.ToUpper(name), host, crossComment(name, at))
		}
	}
	fmt.Fprintf(&b, "  curl -i -H \"Authorization: Bearer $TOKEN_%s\" %s/me   # 404: no tenant serves host localhost\n", strings.ToUpper(tenants[0]), host)
	b.WriteString("\nStop with Ctrl-C.\n")
	_, _ = io.WriteString(w, b.String())
}

// crossComment is the banner's comment on a token of tenant name sent to
// tenant at.
func crossComment(name, at string) string {
	if name == at {
		return ""
	}
	return "   # 401: a token of another instance"
}

// writeJSON answers 200 with v as JSON.
func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	if err := json.NewEncoder(w).Encode(v); err != nil {
		log.Printf("writing response: %v", err)
	}
}
