// Command example is an MCP server protected by Clerk: one tool, whoami,
// that answers the calling Clerk user, served over the MCP streamable HTTP
// transport at /mcp, with its RFC 9728 metadata at
// /.well-known/oauth-protected-resource/mcp. Run it from the repository
// root:
//
//	go run ./mcpclerk/example
//
// With no Clerk keys in the environment (CLERK_SECRET_KEY, ...) it runs
// against an embedded fake Clerk and prints an OAuth access token and the
// commands to try it. Against a real instance it needs CLERK_SECRET_KEY and
// CLERK_PUBLISHABLE_KEY (or CLERK_DOMAIN or CLERK_PROXY_URL), and
// MCP_RESOURCE_URL when clients reach it at another URL than
// http://localhost:$PORT/mcp (behind TLS, say).
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/clerkgo/clerk/core"
	"github.com/clerkgo/clerk/core/clerktest"
	"github.com/clerkgo/clerk/mcpclerk"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// DefaultPort is the port the server listens on when $PORT is empty.
const DefaultPort = "8090"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Stdout, os.Getenv); err != nil {
		log.Fatal(err)
	}
}

// app is the server's Clerk instance and resource description.
type app struct {
	client   *core.Client
	resource mcpclerk.Resource
	fake     *clerktest.Server // nil against a real instance
}

// close closes the client, then the fake if there is one.
func (a *app) close() {
	_ = a.client.Close()
	if a.fake != nil {
		a.fake.Close()
	}
}

// setup configures the Clerk instance from the environment, or starts a
// fake Clerk when the environment names none, for an MCP endpoint at
// resourceURL ($MCP_RESOURCE_URL when set).
func setup(getenv func(string) string, resourceURL string) (*app, error) {
	if err := core.LoadEnvFile(".env"); err != nil {
		return nil, err
	}
	if u := getenv("MCP_RESOURCE_URL"); u != "" {
		resourceURL = u
	}
	cfg, err := core.ConfigFromEnv()
	if errors.Is(err, core.ErrNoKeySource) {
		return fakeApp(clerktest.New(), resourceURL)
	}
	if err != nil {
		return nil, err
	}
	return newApp(cfg, nil, resourceURL)
}

// fakeApp configures the client for the fake Clerk fake, which serves both
// the Backend API and the Frontend API: as the proxy URL it is the issuer
// and the authorization server. The app owns fake.
func fakeApp(fake *clerktest.Server, resourceURL string) (*app, error) {
	return newApp(core.Config{SecretKey: fake.SecretKey(), APIURL: fake.URL, ProxyURL: fake.URL}, fake, resourceURL)
}

// newApp builds the client of cfg and the resource at resourceURL; on
// error it closes fake (if any).
func newApp(cfg core.Config, fake *clerktest.Server, resourceURL string) (*app, error) {
	as, err := mcpclerk.AuthorizationServer(cfg)
	if err == nil {
		var client *core.Client
		if client, err = core.New(cfg); err == nil {
			return &app{client: client, fake: fake, resource: mcpclerk.Resource{
				URL:                 resourceURL,
				AuthorizationServer: as,
				Scopes:              []string{"profile", "email"},
				Name:                "clerkgo whoami example",
			}}, nil
		}
	}
	if fake != nil {
		fake.Close()
	}
	return nil, err
}

// WhoAmI is the whoami tool's answer: the Clerk user the token acts for.
type WhoAmI struct {
	UserID    string   `json:"user_id"`
	FirstName string   `json:"first_name,omitempty"`
	LastName  string   `json:"last_name,omitempty"`
	Email     string   `json:"email,omitempty"`
	ClientID  string   `json:"client_id" jsonschema:"the OAuth application the caller uses"`
	Scopes    []string `json:"scopes" jsonschema:"the scopes the user granted it"`
}

// errNoAuth is a tool call that reached the tool without a verified token:
// a server mounted without mcpclerk.Handle.
var errNoAuth = errors.New("whoami: no Clerk token on this request")

// newServer returns the MCP server with its one tool.
func newServer(client *core.Client) *mcp.Server {
	s := mcp.NewServer(&mcp.Implementation{Name: "clerkgo-whoami", Version: "0.1.0"}, nil)
	mcp.AddTool(s, &mcp.Tool{
		Name:        "whoami",
		Description: "Answers the Clerk user this MCP client acts for.",
	}, func(ctx context.Context, req *mcp.CallToolRequest, _ struct{}) (*mcp.CallToolResult, WhoAmI, error) {
		a := mcpclerk.AuthFromRequest(req)
		if a == nil {
			return nil, WhoAmI{}, errNoAuth
		}
		out := WhoAmI{UserID: a.UserID(), ClientID: a.ClientID, Scopes: a.Scopes}
		u, err := client.User(ctx, a.UserID())
		if err != nil {
			// The reason, not the cause: it may name internal hosts.
			return nil, WhoAmI{}, fmt.Errorf("whoami: %s", core.FailureOf(err).Message)
		}
		out.FirstName, out.LastName, out.Email = deref(u.FirstName), deref(u.LastName), primaryEmail(u)
		return nil, out, nil
	})
	return s
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// primaryEmail returns the user's primary email address, or "".
func primaryEmail(u *core.User) string {
	for _, e := range u.EmailAddresses {
		if e.ID != nil && u.PrimaryEmailAddressID != nil && *e.ID == *u.PrimaryEmailAddressID {
			return e.EmailAddress
		}
	}
	return ""
}

// routes returns the server's handler: the MCP endpoint behind Clerk and
// the metadata documents.
func routes(a *app) (http.Handler, error) {
	mux := http.NewServeMux()
	server := newServer(a.client)
	// Stateless: every request carries its token and stands alone, so a
	// single POST of tools/call works (curl); JSON answers, no SSE.
	h := mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return server },
		&mcp.StreamableHTTPOptions{Stateless: true, JSONResponse: true})
	if err := mcpclerk.Handle(mux, a.client, a.resource, h); err != nil {
		return nil, err
	}
	return mux, nil
}

// run serves the example on localhost:$PORT until ctx is done.
func run(ctx context.Context, stdout io.Writer, getenv func(string) string) error {
	port := getenv("PORT")
	if port == "" {
		port = DefaultPort
	}
	ln, err := net.Listen("tcp", "localhost:"+port)
	if err != nil {
		return err
	}
	defer ln.Close()
	a, err := setup(getenv, "http://"+ln.Addr().String()+"/mcp")
	if err != nil {
		return err
	}
	defer a.close()
	h, err := routes(a)
	if err != nil {
		return err
	}
	printBanner(stdout, a)

	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		err := srv.Shutdown(sctx)
		<-errc //nolint:errcheck // http.ErrServerClosed after Shutdown
		return err
	}
}

// printBanner says where the server listens and, with the fake, mints an
// OAuth access token to try it with.
func printBanner(w io.Writer, a *app) {
	msg := fmt.Sprintf("MCP server (whoami) at %s\nprotected-resource metadata at %s\nauthorization server %s\n",
		a.resource.URL, a.resource.MetadataURL(), a.resource.AuthorizationServer)
	if a.fake != nil {
		tok := a.fake.NewOAuthToken(clerktest.MachineTokenParams{Scopes: []string{"profile", "email"}, TTL: time.Hour})
		msg += fmt.Sprintf("\nembedded fake Clerk; an OAuth access token of its user, valid for an hour:\n\n  %s\n\n"+
			"try it:\n  curl -i %s   # 401 and the resource_metadata challenge\n"+
			"  curl %s\n  curl -H 'Authorization: Bearer %s' -H 'Content-Type: application/json' \\\n"+
			"    -H 'Accept: application/json, text/event-stream' \\\n"+
			"    -d '{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"whoami\",\"arguments\":{}}}' %s\n",
			tok.Token, a.resource.URL, a.resource.MetadataURL(), tok.Token, a.resource.URL)
	}
	_, _ = io.WriteString(w, msg)
}
