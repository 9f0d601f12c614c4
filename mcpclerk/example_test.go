package mcpclerk_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/clerkgo/clerk/core"
	"github.com/clerkgo/clerk/core/clerktest"
	"github.com/clerkgo/clerk/mcpclerk"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// An MCP server whose tools know the Clerk user behind the calling agent.
// Handle mounts the streamable HTTP endpoint behind Clerk and its
// protected-resource metadata; a request without a valid token gets 401 and
// the challenge that sends MCP clients to the metadata, then to Clerk.
func Example() {
	fake := clerktest.New() // stands in for Clerk; use core.NewFromEnv() for real
	defer fake.Close()
	client, err := core.New(core.Config{SecretKey: fake.SecretKey(), APIURL: fake.URL})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer client.Close()

	server := mcp.NewServer(&mcp.Implementation{Name: "whoami", Version: "1.0.0"}, nil)
	mcp.AddTool(server, &mcp.Tool{Name: "whoami"}, func(ctx context.Context, req *mcp.CallToolRequest, _ struct{}) (*mcp.CallToolResult, any, error) {
		caller := mcpclerk.AuthFromRequest(req) // the verified Clerk OAuth token
		return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: caller.UserID()}}}, nil, nil
	})
	mux := http.NewServeMux()
	err = mcpclerk.Handle(mux, client, mcpclerk.Resource{
		URL:                 "https://mcp.example.com/mcp",
		AuthorizationServer: "https://example.clerk.accounts.dev", // mcpclerk.AuthorizationServer(cfg)
		Scopes:              []string{"profile", "email"},
	}, mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return server },
		&mcp.StreamableHTTPOptions{Stateless: true, JSONResponse: true}))
	if err != nil {
		fmt.Println(err)
		return
	}

	call := func(token string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodPost, "/mcp", strings.NewReader(
			`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"whoami","arguments":{}}}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json, text/event-stream")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, req)
		return w
	}
	w := call("")
	fmt.Println(w.Code, w.Header().Get("WWW-Authenticate"))

	meta := httptest.NewRecorder()
	mux.ServeHTTP(meta, httptest.NewRequest(http.MethodGet, "/.well-known/oauth-protected-resource/mcp", nil))
	fmt.Print(meta.Body)

	token := fake.NewOAuthToken(clerktest.MachineTokenParams{Scopes: []string{"profile"}, TTL: time.Hour})
	w = call(token.Token)
	fmt.Println(w.Code, strings.Contains(w.Body.String(), fake.DefaultUserID()))
	// Output:
	// 401 Bearer resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource/mcp"
	// {"resource":"https://mcp.example.com/mcp","authorization_servers":["https://example.clerk.accounts.dev"],"scopes_supported":["profile","email"],"bearer_methods_supported":["header"]}
	// 200 true
}
