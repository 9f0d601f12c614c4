// Package demo holds the parts of the clerkgo demo app that do not depend on
// a web framework, so that examples/gin, examples/echo, examples/chi and
// examples/fiber differ only in framework code:
//
//   - [Setup]: configuration from the environment (and a .env file), or an
//     embedded fake Clerk when the environment names no Clerk instance;
//   - [App.Listen] and [App.PrintBanner]: listen on :$PORT and print how to
//     get a token, with ready-to-paste curl commands;
//   - [Serve]: serve until the context ends (SIGINT or SIGTERM), then shut
//     down cleanly;
//   - [App.Token]: the logic of GET /demo/token?kind=...&role=... (fake mode
//     only): session tokens, API keys, M2M and OAuth tokens;
//   - [App.Webhooks] and [App.OnWebhook]: POST /webhooks/clerk, verified with
//     CLERK_WEBHOOK_SIGNING_SECRET (or a generated secret in fake mode),
//     logging each event; the banner prints a signed sample delivery;
//   - [Me], [ClaimsOf], [OptionalOf], [AdminOf], [PingOf]: the JSON bodies
//     of the routes.
package demo

import (
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/clerkgo/clerk/core"
	"github.com/clerkgo/clerk/core/clerktest"
	"github.com/clerkgo/clerk/core/webhook"
)

// DefaultPort is the port the demo listens on when $PORT is not set.
const DefaultPort = "8080"

// Demo organization of the tokens minted by [App.Token].
const (
	OrgID   = "org_demo"
	OrgSlug = "demo"
)

// TokenTTL is the lifetime of the tokens minted by [App.Token]: an hour, so
// that a pasted token does not expire while you try the routes (a real
// Clerk session token lives 60 seconds and the frontend refreshes it).
const TokenTTL = time.Hour

// App is the framework-neutral part of one running demo.
type App struct {
	// Client is the one Clerk client of the app. Pass it to every
	// middleware with WithClient, so that keys are fetched once and users
	// are cached once.
	Client *core.Client
	// Fake is the embedded fake Clerk, or nil when the environment
	// configures a real Clerk instance.
	Fake *clerktest.Server
	// Port is the port to listen on: $PORT, default 8080 ("0" picks a free
	// port).
	Port string
	// Source says where the configuration came from, for the banner.
	Source string

	// Webhooks verifies the deliveries of POST /webhooks/clerk, or is nil
	// when the demo serves no webhook route (a real instance and no
	// CLERK_WEBHOOK_SIGNING_SECRET).
	Webhooks *webhook.Verifier
	// WebhookSigner signs the banner's sample delivery, when the demo knows
	// the secret because it generated it (fake mode); nil otherwise.
	WebhookSigner *clerktest.WebhookSigner
	// WebhookSource says where the webhook secret came from, for the
	// banner.
	WebhookSource string
	// Log is where [App.OnWebhook] logs; the mains point it at their
	// stdout. Default: os.Stdout with the standard flags.
	Log *log.Logger

	pages bool // the client has a secret key and a publishable key
}

// Setup loads .env from the working directory (variables already set win),
// then configures the app with core.ConfigFromEnv: CLERK_SECRET_KEY (or
// CLERK_API_KEY), CLERK_PUBLISHABLE_KEY, CLERK_API_URL, CLERK_JWT_KEY,
// CLERK_AUTHORIZED_PARTIES, CLERK_DOMAIN, CLERK_PROXY_URL.
//
// When the environment gives no way to verify tokens at all (none of a
// secret key, a JWT key, a publishable key or a domain), Setup starts an
// embedded fake Clerk instead and configures the client for it, so the demo
// runs with no account. An invalid setting is an error, never a silent
// fallback to the fake. Close the App when done.
func Setup() (*App, error) {
	if err := core.LoadEnvFile(".env"); err != nil {
		return nil, err
	}
	cfg, err := core.ConfigFromEnv()
	var a *App
	if err != nil {
		a, err = fallBack(err, "", nil, nil)
	} else {
		a, err = newApp(cfg, "Clerk instance from the environment")
	}
	if err != nil {
		return nil, err
	}
	if err := a.setupWebhooks(); err != nil {
		a.Close()
		return nil, err
	}
	return a, nil
}

// SetupTenant is [Setup] for tenant name of a multi-tenant app: it reads
// the variables of core.ConfigFromEnv with the tenant's suffix,
// CLERK_SECRET_KEY_<NAME>, CLERK_PUBLISHABLE_KEY_<NAME>, CLERK_API_URL_<NAME>,
// ... (NAME in upper case, also the client's Name), whose errors name those
// variables, and starts a fake Clerk of its own when none of them names a
// key source. It serves no webhooks.
func SetupTenant(name string) (*App, error) {
	if err := core.LoadEnvFile(".env"); err != nil {
		return nil, err
	}
	suffix := "_" + strings.ToUpper(name)
	cfg, err := core.ConfigFromEnvSuffix(suffix)
	if err != nil {
		if errors.Is(err, core.ErrNoKeySource) {
			return fallBack(core.ErrNoKeySource, strings.ToUpper(name), nil, nil)
		}
		return nil, err
	}
	return newApp(cfg, "Clerk instance from the CLERK_*"+suffix+" variables")
}

// newApp builds the client of cfg.
func newApp(cfg core.Config, source string) (*App, error) {
	c, err := core.New(cfg)
	if err != nil {
		return nil, err
	}
	return &App{Client: c, Port: port(), Source: source, Log: defaultLog(), pages: pagesPossible(cfg)}, nil
}

// pagesPossible reports whether cfg allows the browser decision
// (BrowserPages): it resolves handshakes and refreshes sessions through the
// Backend API (a secret key) and sends browsers to the instance's Frontend
// API (a publishable key).
func pagesPossible(cfg core.Config) bool { return cfg.SecretKey != "" && cfg.PublishableKey != "" }

// SetupFake is [Setup] with the embedded fake Clerk whatever the
// environment says, on the clock now (nil: the real one) for both the fake
// and the client: for tests that move time past a session token's
// lifetime. $PORT still applies.
func SetupFake(now func() time.Time) (*App, error) { return SetupFakeWith(now, nil) }

// SetupFakeWith is [SetupFake] with configure, when not nil, applied to the
// client's configuration before the client is built: a Logger, say.
func SetupFakeWith(now func() time.Time, configure func(*core.Config)) (*App, error) {
	a, err := fallBack(core.ErrNoKeySource, "", now, configure)
	if err != nil {
		return nil, err
	}
	if err := a.setupWebhooks(); err != nil {
		a.Close()
		return nil, err
	}
	return a, nil
}

// fallBack starts a fake Clerk (on the clock now, nil for the real one)
// when err says that the configuration names no key source at all, and
// returns err otherwise. configure, when not nil, adjusts the client's
// configuration.
func fallBack(err error, name string, now func() time.Time, configure func(*core.Config)) (*App, error) {
	if !errors.Is(err, core.ErrNoKeySource) {
		return nil, err
	}
	opts := []clerktest.Option{clerktest.WithSessionTokenLifetime(SessionTokenLifetime)}
	if now != nil {
		opts = append(opts, clerktest.WithClock(now))
	}
	s := clerktest.New(opts...)
	cfg := fakeConfig(s, name)
	cfg.Now = now
	if configure != nil {
		configure(&cfg)
	}
	c, err := core.New(cfg)
	if err != nil {
		s.Close()
		return nil, err
	}
	return &App{Client: c, Fake: s, Port: port(), Source: "embedded fake Clerk at " + s.URL, Log: defaultLog(), pages: true}, nil
}

// fakeConfig is the client configuration of the embedded fake Clerk s: its
// secret and publishable keys, its Backend API, its Frontend API (ProxyURL:
// the handshake goes to the fake, whose URL is also the tokens' iss) and
// its sign-in page.
func fakeConfig(s *clerktest.Server, name string) core.Config {
	return core.Config{Name: name, SecretKey: s.SecretKey(), PublishableKey: s.PublishableKey(),
		APIURL: s.URL, ProxyURL: s.URL, SignInURL: s.URL + "/sign-in"}
}

// defaultLog is the default [App.Log].
func defaultLog() *log.Logger { return log.New(os.Stdout, "", log.LstdFlags) }

// port returns $PORT, default [DefaultPort].
func port() string {
	if p := os.Getenv("PORT"); p != "" {
		return p
	}
	return DefaultPort
}

// Close closes the client, then the fake Clerk if there is one.
func (a *App) Close() {
	a.Client.Close()
	if a.Fake != nil {
		a.Fake.Close()
	}
}

// FetchUser reports whether the middleware of GET /me can load the user:
// that needs a secret key. A configuration with only CLERK_JWT_KEY (or a
// publishable key) verifies tokens but cannot call the Backend API.
func (a *App) FetchUser() bool { return a.Client.HasSecretKey() }

// ServesPages reports whether the demo serves its pages, GET / and GET
// /dashboard, with the browser decision (BrowserPages): that needs a
// secret key and a publishable key (the embedded fake has both).
func (a *App) ServesPages() bool { return a.pages }

// ServesPing reports whether the demo serves GET /api/ping: API keys and
// opaque M2M tokens are verified with the Backend API, which needs a secret
// key.
func (a *App) ServesPing() bool { return a.Client.HasSecretKey() }

// Listen listens on TCP :$PORT.
func (a *App) Listen() (net.Listener, error) {
	return net.Listen("tcp", ":"+a.Port)
}

// PrintBanner writes, in one Write, where the demo listens, which Clerk it
// verifies against, and ready-to-paste curl commands for every route.
// framework names the example ("gin", "echo", "chi", "fiber"); addr is the
// listener's address.
func (a *App) PrintBanner(w io.Writer, framework string, addr net.Addr) {
	base := "localhost:" + a.Port
	if tcp, ok := addr.(*net.TCPAddr); ok {
		base = "localhost:" + strconv.Itoa(tcp.Port)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "clerkgo demo (%s) listening on http://%s\n", framework, base)
	fmt.Fprintf(&b, "Verifying tokens against the %s.\n\n", a.Source)
	if a.Fake != nil {
		fmt.Fprintf(&b, "No Clerk keys in the environment, so the demo mints its own tokens (valid %d minutes):\n\n", int(TokenTTL.Minutes()))
		fmt.Fprintf(&b, "  TOKEN=$(curl -s %s/demo/token)\n", base)
		fmt.Fprintf(&b, "  ADMIN=$(curl -s '%s/demo/token?role=admin')\n", base)
		fmt.Fprintf(&b, "  KEY=$(curl -s '%s/demo/token?kind=%s')\n", base, KindAPIKey)
		fmt.Fprintf(&b, "  M2M=$(curl -s '%s/demo/token?kind=%s')\n\n", base, KindM2M)
	} else {
		b.WriteString("Sign in on your frontend and copy a session token (it lives 60 seconds),\n")
		b.WriteString("for example in the browser console: await window.Clerk.session.getToken()\n\n")
		b.WriteString("  TOKEN=<paste a session token>\n")
		b.WriteString("  ADMIN=<paste the token of an org:admin of the active organization>\n")
		if a.ServesPing() {
			b.WriteString("  KEY=<paste an API key (ak_...) of this instance>\n")
		}
		b.WriteString("\n")
	}
	b.WriteString("Then:\n\n")
	fmt.Fprintf(&b, "  curl %s/health\n", base)
	fmt.Fprintf(&b, "  curl -H \"Authorization: Bearer $TOKEN\" %s/me\n", base)
	fmt.Fprintf(&b, "  curl -H \"Authorization: Bearer $TOKEN\" %s/claims\n", base)
	fmt.Fprintf(&b, "  curl -b \"__session=$TOKEN; __client_uat=1\" %s/claims   # the cookies a browser sends\n", base)
	fmt.Fprintf(&b, "  curl -H \"Authorization: Bearer $TOKEN\" %s/optional\n", base)
	fmt.Fprintf(&b, "  curl %s/optional\n", base)
	fmt.Fprintf(&b, "  curl -i -H \"Authorization: Bearer $TOKEN\" %s/admin   # 403: not an org:admin\n", base)
	fmt.Fprintf(&b, "  curl -H \"Authorization: Bearer $ADMIN\" %s/admin\n", base)
	fmt.Fprintf(&b, "  curl -i %s/me   # 401: no token\n", base)
	if a.ServesPing() {
		fmt.Fprintf(&b, "\nMachines: %s accepts API keys and M2M tokens, not sessions:\n\n", PingPath)
		fmt.Fprintf(&b, "  curl -H \"Authorization: Bearer $KEY\" %s%s\n", base, PingPath)
		if a.Fake != nil {
			fmt.Fprintf(&b, "  curl -H \"Authorization: Bearer $M2M\" %s%s\n", base, PingPath)
		}
		fmt.Fprintf(&b, "  curl -i -H \"Authorization: Bearer $TOKEN\" %s%s   # 401: a session token\n", base, PingPath)
	}
	a.pagesBanner(&b, base)
	if !a.FetchUser() {
		b.WriteString("\nNo secret key: /me answers \"user\": null and there is no " + PingPath + "\n")
		b.WriteString("(set CLERK_SECRET_KEY to load users and verify API keys and M2M tokens).\n")
	}
	a.webhookBanner(&b, base)
	b.WriteString("\nStop with Ctrl-C.\n")
	_, _ = io.WriteString(w, b.String())
}

// pagesBanner says how to try the pages in a browser, or why they are not
// served.
func (a *App) pagesBanner(b *strings.Builder, base string) {
	if !a.ServesPages() {
		b.WriteString("\nNo secret key and publishable key: the pages " + HomePath + " and " + DashboardPath + " are not served\n")
		b.WriteString("(set CLERK_SECRET_KEY and CLERK_PUBLISHABLE_KEY for Clerk's browser flow).\n")
		return
	}
	if a.Fake != nil {
		fmt.Fprintf(b, "\nPages: open http://%s%s in a browser: you are sent\n", base, DashboardPath)
		b.WriteString("to the fake's sign-in page, pick a user, come back signed in; the session\n")
		fmt.Fprintf(b, "token lasts %d s and is refreshed without a 401 (reload after a minute).\n", int(SessionTokenLifetime.Seconds()))
	} else {
		fmt.Fprintf(b, "\nPages: open http://%s%s in a browser: you are sent\n", base, DashboardPath)
		b.WriteString("to your instance's sign-in page (CLERK_SIGN_IN_URL, else the Account\n")
		b.WriteString("Portal) and come back signed in; the session token (60 s) is refreshed\n")
		b.WriteString("without a 401.\n")
	}
	fmt.Fprintf(b, "http://%s%s is public.\n\n", base, HomePath)
	fmt.Fprintf(b, "  curl -i %s%s   # 401: not a browser's page request\n", base, DashboardPath)
	fmt.Fprintf(b, "  curl -i -H 'Accept: text/html' %s%s   # 307: a page request goes to Clerk\n", base, DashboardPath)
}
