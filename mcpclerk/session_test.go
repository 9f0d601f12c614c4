package mcpclerk_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/clerkgo/clerk/core/clerktest"
	"github.com/clerkgo/clerk/mcpclerk"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// bearer adds a bearer token to every request.
type bearer struct {
	token string
	base  http.RoundTripper
}

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.token)
	return b.base.RoundTrip(r)
}

// TestStatefulSessionsAreBoundToTheUser: on the SDK's default (stateful)
// handler, the verifier's UserID binds a session to its Clerk user, so
// another user's token cannot ride on it.
func TestStatefulSessionsAreBoundToTheUser(t *testing.T) {
	fake, client := newFake(t)
	server := mcp.NewServer(&mcp.Implementation{Name: "t", Version: "0"}, nil)
	mcp.AddTool(server, &mcp.Tool{Name: "whoami"}, func(_ context.Context, req *mcp.CallToolRequest, _ struct{}) (*mcp.CallToolResult, any, error) {
		return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: mcpclerk.AuthFromRequest(req).UserID()}}}, nil, nil
	})
	ts := httptest.NewUnstartedServer(nil)
	mux := http.NewServeMux()
	r := mcpclerk.Resource{URL: "http://" + ts.Listener.Addr().String() + "/mcp", AuthorizationServer: fake.URL}
	if err := mcpclerk.Handle(mux, client, r, mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return server }, nil)); err != nil {
		t.Fatal(err)
	}
	ts.Config.Handler = mux
	ts.Start()
	tr := &http.Transport{}
	defer ts.Close()
	defer tr.CloseIdleConnections()

	alice := fake.NewOAuthToken(clerktest.MachineTokenParams{Scopes: []string{"profile"}, TTL: time.Hour}).Token
	bob := fake.NewOAuthJWT(clerktest.MachineTokenParams{Subject: fake.CreateUser(clerktest.UserParams{FirstName: "Bob"}).ID}).Token

	cs, err := mcp.NewClient(&mcp.Implementation{Name: "agent", Version: "0"}, nil).Connect(t.Context(), &mcp.StreamableClientTransport{
		Endpoint: r.URL, HTTPClient: &http.Client{Transport: bearer{alice, tr}}, MaxRetries: -1, DisableStandaloneSSE: true,
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer cs.Close()
	res, err := cs.CallTool(t.Context(), &mcp.CallToolParams{Name: "whoami", Arguments: map[string]any{}})
	if err != nil || res.IsError || res.Content[0].(*mcp.TextContent).Text != fake.DefaultUserID() {
		t.Fatalf("whoami: %+v, %v", res, err)
	}

	// Bob's valid token on Alice's session.
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, r.URL, strings.NewReader(
		`{"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"whoami","arguments":{}}}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	req.Header.Set("Mcp-Session-Id", cs.ID())
	req.Header.Set("Authorization", "Bearer "+bob)
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden || strings.Contains(string(body), fake.DefaultUserID()) {
		t.Fatalf("another user's token on the session: %d %s", resp.StatusCode, body)
	}
}
