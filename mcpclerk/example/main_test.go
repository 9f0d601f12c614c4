package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/clerkgo/clerk/core/clerktest"
	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/modelcontextprotocol/go-sdk/oauthex"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// testKey is shared by the fakes: RSA key generation is slow under -race.
var testKey = clerktest.GenerateKey()

// env is a running example server against a fake Clerk.
type env struct {
	fake *clerktest.Server
	app  *app
	url  string       // the MCP endpoint
	hc   *http.Client // its own pool, closed at cleanup
}

// start serves the example on a loopback port, its resource requiring
// required scopes.
func start(t *testing.T, required ...string) *env {
	t.Helper()
	ts := httptest.NewUnstartedServer(nil)
	url := "http://" + ts.Listener.Addr().String() + "/mcp"
	a, err := fakeApp(clerktest.New(clerktest.WithKey(testKey)), url)
	if err != nil {
		t.Fatal(err)
	}
	a.resource.RequiredScopes = required
	h, err := routes(a)
	if err != nil {
		t.Fatal(err)
	}
	ts.Config.Handler = h
	ts.Start()
	tr := &http.Transport{}
	t.Cleanup(func() {
		tr.CloseIdleConnections()
		ts.Close()
		a.close()
	})
	return &env{fake: a.fake, app: a, url: url, hc: &http.Client{Transport: tr, Timeout: 30 * time.Second}}
}

// bearer adds a bearer token to every request, as an MCP client that went
// through the OAuth flow does.
type bearer struct {
	token string
	base  http.RoundTripper
}

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.token)
	return b.base.RoundTrip(r)
}

// connect connects the SDK's own client to the example with token.
func (e *env) connect(ctx context.Context, token string) (*mcp.ClientSession, error) {
	client := mcp.NewClient(&mcp.Implementation{Name: "test-agent", Version: "0.0.1"}, nil)
	return client.Connect(ctx, &mcp.StreamableClientTransport{
		Endpoint:             e.url,
		HTTPClient:           &http.Client{Transport: bearer{token: token, base: e.hc.Transport}},
		MaxRetries:           -1,
		DisableStandaloneSSE: true,
	}, nil)
}

// whoami calls the whoami tool through the SDK's client.
func (e *env) whoami(t *testing.T, token string) WhoAmI {
	t.Helper()
	res := e.callTool(t, token)
	if res.IsError {
		t.Fatalf("tool error: %+v", res.Content)
	}
	b, _ := json.Marshal(res.StructuredContent)
	var got WhoAmI
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	return got
}

func TestWhoAmIEndToEnd(t *testing.T) {
	e := start(t)
	scopes := []string{"profile", "email"}
	for _, tc := range []struct {
		name  string
		token clerktest.MachineToken
	}{
		{"opaque oat_ token", e.fake.NewOAuthToken(clerktest.MachineTokenParams{Scopes: scopes, TTL: time.Hour})},
		{"JWT access token (at+jwt)", e.fake.NewOAuthJWT(clerktest.MachineTokenParams{Scopes: scopes})},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := e.whoami(t, tc.token.Token)
			want := WhoAmI{
				UserID: e.fake.DefaultUserID(), FirstName: "Test", LastName: "User", Email: "test@example.com",
				ClientID: e.fake.OAuthClientID(), Scopes: scopes,
			}
			if got.UserID != want.UserID || got.FirstName != want.FirstName || got.LastName != want.LastName ||
				got.Email != want.Email || got.ClientID != want.ClientID || !slices.Equal(got.Scopes, want.Scopes) {
				t.Fatalf("whoami = %+v, want %+v", got, want)
			}
		})
	}
}

// post sends one tools/call with the Authorization header auth ("" for
// none) and returns the status, the challenge and the body.
func (e *env) post(t *testing.T, auth string) (int, string, string) {
	t.Helper()
	body := `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"whoami","arguments":{}}}`
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, e.url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := e.hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("WWW-Authenticate"), string(b)
}

func TestRefusedTokens(t *testing.T) {
	e := start(t)
	oauth := func(ttl time.Duration) string {
		return e.fake.NewOAuthToken(clerktest.MachineTokenParams{Scopes: []string{"profile"}, TTL: ttl}).Token
	}
	revoked := oauth(time.Hour)
	e.fake.RevokeMachineToken(revoked)
	expiredLater := oauth(time.Hour)
	e.fake.ExpireMachineToken(expiredLater)
	challenge := `Bearer resource_metadata="` + e.app.resource.MetadataURL() + `"`

	for _, tc := range []struct {
		name, auth string
	}{
		{"no token", ""},
		{"another scheme", "Basic dXNlcjpwYXNz"},
		{"revoked opaque token", "Bearer " + revoked},
		{"opaque token past its expiry", "Bearer " + oauth(-time.Minute)},
		{"opaque token expired by Clerk", "Bearer " + expiredLater},
		{"expired JWT", "Bearer " + e.fake.NewOAuthJWT(clerktest.MachineTokenParams{TTL: -time.Minute}).Token},
		{"session token", "Bearer " + e.fake.Token()},
		{"API key", "Bearer " + e.fake.NewAPIKey(clerktest.MachineTokenParams{}).Token},
		{"M2M token", "Bearer " + e.fake.NewM2MToken(clerktest.MachineTokenParams{}).Token},
		{"M2M JWT", "Bearer " + e.fake.NewM2MJWT(clerktest.MachineTokenParams{}).Token},
		{"unknown oat_", "Bearer oat_0123456789abcdef0123456789abcdef"},
		{"garbage", "Bearer not.a.token"},
		{"token of another instance", "Bearer " + otherInstanceJWT(t)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, www, body := e.post(t, tc.auth)
			if status != http.StatusUnauthorized || www != challenge {
				t.Fatalf("status %d, WWW-Authenticate %q; want 401, %q (body %q)", status, www, challenge, body)
			}
			if tok := strings.TrimPrefix(tc.auth, "Bearer "); tok != "" && strings.Contains(body, tok) {
				t.Fatalf("the body %q contains the token", body)
			}
		})
	}

	t.Run("the SDK's client cannot connect with a revoked token", func(t *testing.T) {
		if cs, err := e.connect(t.Context(), revoked); err == nil {
			cs.Close()
			t.Fatal("connected")
		}
	})
}

// otherInstanceJWT is an OAuth JWT of another Clerk instance (other keys).
func otherInstanceJWT(t *testing.T) string {
	other := clerktest.New()
	defer other.Close()
	return other.NewOAuthJWT(clerktest.MachineTokenParams{Scopes: []string{"profile"}}).Token
}

func TestRequiredScopes(t *testing.T) {
	e := start(t, "email")
	status, www, _ := e.post(t, "Bearer "+e.fake.NewOAuthToken(clerktest.MachineTokenParams{Scopes: []string{"profile"}, TTL: time.Hour}).Token)
	want := `Bearer resource_metadata="` + e.app.resource.MetadataURL() + `", scope="email"`
	if status != http.StatusForbidden || www != want {
		t.Fatalf("without the scope: %d %q, want 403 %q", status, www, want)
	}
	if got := e.whoami(t, e.fake.NewOAuthJWT(clerktest.MachineTokenParams{Scopes: []string{"profile", "email"}}).Token); got.UserID != e.fake.DefaultUserID() {
		t.Fatalf("with the scope: %+v", got)
	}
}

func TestClerkUnreachableIsNot401(t *testing.T) {
	e := start(t)
	tok := e.fake.NewOAuthToken(clerktest.MachineTokenParams{TTL: time.Hour}).Token
	e.fake.Fail(clerktest.EndpointVerifyOAuthToken, http.StatusServiceUnavailable)
	status, www, body := e.post(t, "Bearer "+tok)
	if status != http.StatusServiceUnavailable || www != "" {
		t.Fatalf("status %d, WWW-Authenticate %q: want 503 without a challenge", status, www)
	}
	for _, secret := range []string{tok, e.fake.URL, e.fake.SecretKey()} {
		if strings.Contains(body, secret) {
			t.Fatalf("body %q names %q", body, secret)
		}
	}
	e.fake.Recover(clerktest.EndpointVerifyOAuthToken)
	if status, _, _ := e.post(t, "Bearer "+tok); status != http.StatusOK {
		t.Fatalf("after recovery: %d", status)
	}
}

// TestDiscovery follows the challenge the way the SDK's OAuth client does:
// the resource_metadata URL, then the metadata, whose resource must be the
// endpoint and whose authorization server is the Clerk instance.
func TestDiscovery(t *testing.T) {
	e := start(t)
	_, www, _ := e.post(t, "")
	challenges, err := oauthex.ParseWWWAuthenticate([]string{www})
	if err != nil || len(challenges) != 1 {
		t.Fatalf("challenges %v, %v", challenges, err)
	}
	metaURL := challenges[0].Params["resource_metadata"]
	if !strings.HasSuffix(metaURL, "/.well-known/oauth-protected-resource/mcp") {
		t.Fatalf("resource_metadata = %q", metaURL)
	}
	for _, u := range []string{metaURL, strings.TrimSuffix(metaURL, "/mcp")} {
		prm, err := oauthex.GetProtectedResourceMetadata(t.Context(), u, e.url, e.hc)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(prm.AuthorizationServers, []string{e.fake.URL}) || !slices.Equal(prm.BearerMethodsSupported, []string{"header"}) {
			t.Fatalf("%s: %+v", u, prm)
		}
	}
}

// syncBuffer is a bytes.Buffer safe for a writer and a reader, which
// signals the first write.
type syncBuffer struct {
	mu    sync.Mutex
	b     bytes.Buffer
	once  sync.Once
	ready chan struct{}
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	defer s.once.Do(func() { close(s.ready) })
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestRun runs the command as `go run` does, with no Clerk in the
// environment, and calls the tool with the token the banner prints.
func TestRun(t *testing.T) {
	for _, k := range []string{"CLERK_SECRET_KEY", "CLERK_JWT_KEY", "CLERK_PUBLISHABLE_KEY", "CLERK_DOMAIN", "CLERK_PROXY_URL"} {
		t.Setenv(k, "")
	}
	ctx, cancel := context.WithCancel(t.Context())
	out := &syncBuffer{ready: make(chan struct{})}
	getenv := func(k string) string {
		if k == "PORT" {
			return "0"
		}
		return ""
	}
	done := make(chan error, 1)
	go func() { done <- run(ctx, out, getenv) }()
	select {
	case <-out.ready:
	case err := <-done:
		t.Fatalf("run: %v", err)
	}
	banner := out.String()
	url := regexp.MustCompile(`MCP server \(whoami\) at (\S+)`).FindStringSubmatch(banner)
	tok := regexp.MustCompile(`\boat_\w+`).FindString(banner)
	if url == nil || tok == "" {
		cancel()
		<-done
		t.Fatalf("banner:\n%s", banner)
	}
	tr := &http.Transport{}
	e := &env{url: url[1], hc: &http.Client{Transport: tr}}
	status, _, body := e.post(t, "Bearer "+tok)
	tr.CloseIdleConnections()
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("run: %v", err)
	}
	if status != http.StatusOK || !strings.Contains(body, `"first_name":"Test"`) {
		t.Fatalf("%d %s", status, body)
	}
}

// callTool calls whoami through the SDK's client and returns the result.
func (e *env) callTool(t *testing.T, token string) *mcp.CallToolResult {
	t.Helper()
	cs, err := e.connect(t.Context(), token)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer cs.Close()
	res, err := cs.CallTool(t.Context(), &mcp.CallToolParams{Name: "whoami", Arguments: map[string]any{}})
	if err != nil {
		t.Fatalf("call: %v", err)
	}
	return res
}

// TestWhoAmIToolErrors: a failed user fetch is a tool error naming no
// internal address; a server mounted without Clerk says so.
func TestWhoAmIToolErrors(t *testing.T) {
	e := start(t)
	tok := e.fake.NewOAuthJWT(clerktest.MachineTokenParams{}).Token
	e.fake.Fail(clerktest.EndpointGetUser, http.StatusServiceUnavailable)
	res := e.callTool(t, tok)
	text := res.Content[0].(*mcp.TextContent).Text
	if !res.IsError || strings.Contains(text, e.fake.URL) || strings.Contains(text, "127.0.0.1") {
		t.Fatalf("user fetch failed: %+v %q", res, text)
	}

	// The same server on an in-memory transport: no HTTP, no token.
	ct, st := mcp.NewInMemoryTransports()
	ss, err := newServer(e.app.client).Connect(t.Context(), st, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ss.Close()
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "t", Version: "0"}, nil).Connect(t.Context(), ct, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer cs.Close()
	res, err = cs.CallTool(t.Context(), &mcp.CallToolParams{Name: "whoami", Arguments: map[string]any{}})
	if err != nil || !res.IsError || !strings.Contains(res.Content[0].(*mcp.TextContent).Text, errNoAuth.Error()) {
		t.Fatalf("without a token: %+v, %v", res, err)
	}
}
