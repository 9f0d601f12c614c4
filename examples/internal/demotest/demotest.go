// Package demotest is the integration test shared by the four demo apps
// (examples/gin, echo, chi, fiber). It starts a demo on a free port, waits
// for the banner it prints, runs the banner's commands as pasted
// ([RunBanner]), and checks every route over real HTTP against a fake Clerk
// (core/clerktest), either the demo's embedded one ([FakeMode]) or one the
// test owns and configures through the environment ([EnvMode],
// [JWTKeyMode]).
package demotest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/clerkgo/clerk/core"
	"github.com/clerkgo/clerk/core/clerktest"
	"github.com/clerkgo/clerk/core/webhook"
	"github.com/clerkgo/clerk/examples/internal/demo"
)

// RunFunc is a demo's run function: configure the demo from the
// environment, serve until ctx is done, printing the banner to stdout, then
// shut down and return nil.
type RunFunc func(ctx context.Context, stdout io.Writer) error

// ServeFunc is a demo's serve function: [RunFunc] with the app configured
// by the caller (who closes it), so that a test can reach the app's
// embedded fake Clerk.
type ServeFunc func(ctx context.Context, app *demo.App, stdout io.Writer) error

// startTimeout bounds the start (the fake generates an RSA key, slow under
// -race) and the shutdown of a demo.
const startTimeout = 60 * time.Second

// ClearEnv empties every CLERK_* variable the demo reads, and each with
// every one of suffixes appended (the tenants' CLERK_SECRET_KEY_A, ...), and
// sets PORT=0 (a free port) for the duration of the test.
func ClearEnv(t *testing.T, suffixes ...string) {
	t.Helper()
	for _, k := range core.EnvNames() {
		t.Setenv(k, "")
		for _, suffix := range suffixes {
			t.Setenv(k+suffix, "")
		}
	}
	t.Setenv(webhook.EnvSigningSecret, "")
	t.Setenv("PORT", "0")
}

// Server is a demo started by [Start].
type Server struct {
	// URL is the base URL the banner printed, e.g. http://localhost:40123.
	URL string
	// Host is URL without its scheme, as the curl commands print it.
	Host string
	// Banner is everything the demo printed up to the end of its banner.
	Banner string

	client   *http.Client
	out      *notifyingBuffer
	cancel   context.CancelFunc
	errc     chan error
	stopOnce sync.Once
	stopErr  error
}

var listeningRE = regexp.MustCompile(`listening on (http://(\S+))\n`)

// Start runs the demo and returns once it has printed its banner and
// answers GET /health. The demo is stopped at the end of the test.
func Start(t *testing.T, run RunFunc) *Server {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out := newNotifyingBuffer()
	s := &Server{
		// Redirects are not followed, as curl does not without -L.
		client: &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{},
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }},
		out:    out,
		cancel: cancel,
		errc:   make(chan error, 1),
	}
	go func() { s.errc <- run(ctx, out) }()
	t.Cleanup(func() {
		if err := s.Stop(); err != nil {
			t.Errorf("demo shutdown: %v", err)
		}
	})

	deadline := time.NewTimer(startTimeout)
	defer deadline.Stop()
	for !strings.Contains(out.String(), "Stop with Ctrl-C.") {
		select {
		case <-out.changed:
		case err := <-s.errc:
			s.errc <- err // for Stop
			t.Fatalf("demo returned before serving: %v\noutput:\n%s", err, out.String())
		case <-deadline.C:
			t.Fatalf("no banner within %s; output:\n%s", startTimeout, out.String())
		}
	}
	s.Banner = out.String()
	m := listeningRE.FindStringSubmatch(s.Banner)
	if m == nil {
		t.Fatalf("banner has no 'listening on http://...' line:\n%s", s.Banner)
	}
	s.URL, s.Host = m[1], m[2]

	// The listener is bound before the banner is printed, so this succeeds
	// at once; it still bounds the wait in case serving has not begun.
	waitCtx, waitCancel := context.WithTimeout(context.Background(), startTimeout)
	defer waitCancel()
	if err := s.waitHealthy(waitCtx); err != nil {
		t.Fatalf("GET /health: %v", err)
	}
	return s
}

// waitHealthy polls GET /health until it answers 200 or ctx is done.
func (s *Server) waitHealthy(ctx context.Context) error {
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.URL+"/health", nil)
		resp, err := s.client.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			err = fmt.Errorf("status %d", resp.StatusCode)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w (last: %v)", ctx.Err(), err)
		case <-tick.C:
		}
	}
}

// Stop cancels the demo's context and waits for run to return; it returns
// run's error. Calling it again returns the same error.
func (s *Server) Stop() error {
	s.stopOnce.Do(func() {
		s.cancel()
		select {
		case s.stopErr = <-s.errc:
		case <-time.After(startTimeout):
			s.stopErr = errors.New("run did not return after its context was canceled")
		}
		s.client.CloseIdleConnections()
	})
	return s.stopErr
}

// Response is a response read in full.
type Response struct {
	// Status is the HTTP status code.
	Status int
	// Header holds the response headers.
	Header http.Header
	// Body is the whole response body.
	Body []byte
}

// Get sends GET path with the token as "Authorization: Bearer" (none when
// token is ""), and extra headers as "Name: value" strings ("Host: ..."
// sets the request's host).
func (s *Server) Get(t *testing.T, path, token string, headers ...string) Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, s.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for _, h := range headers {
		k, v, _ := strings.Cut(h, ": ")
		if strings.EqualFold(k, "Host") {
			req.Host = v // net/http sends req.Host, not a Host header
			continue
		}
		req.Header.Add(k, v)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: reading body: %v", path, err)
	}
	return Response{Status: resp.StatusCode, Header: resp.Header, Body: body}
}

// notifyingBuffer is a concurrency-safe io.Writer that signals each write.
type notifyingBuffer struct {
	mu      sync.Mutex
	b       strings.Builder
	changed chan struct{}
}

func newNotifyingBuffer() *notifyingBuffer {
	return &notifyingBuffer{changed: make(chan struct{}, 1)}
}

func (nb *notifyingBuffer) Write(p []byte) (int, error) {
	nb.mu.Lock()
	nb.b.Write(p)
	nb.mu.Unlock()
	select {
	case nb.changed <- struct{}{}:
	default: // a signal is already pending
	}
	return len(p), nil
}

func (nb *notifyingBuffer) String() string {
	nb.mu.Lock()
	defer nb.mu.Unlock()
	return nb.b.String()
}

// Tokens are the session tokens [CheckRoutes] uses.
type Tokens struct {
	// Member is a token without org:admin.
	Member string
	// Admin is a token of an org:admin of organization demo.OrgID.
	Admin string
}

// Expect says what the Clerk behind the demo can tell.
type Expect struct {
	// UserCalls counts the fake's user fetches (EndpointGetUser); nil
	// when the test cannot see them (the demo's embedded fake).
	UserCalls func() int
	// User is true when /me loads the user (the config has a secret key).
	User bool
}

// CheckRoutes checks every route of the demo with and without tokens.
func CheckRoutes(t *testing.T, s *Server, tok Tokens, want Expect) {
	t.Helper()
	calls := func() int {
		if want.UserCalls == nil {
			return 0
		}
		return want.UserCalls()
	}

	t.Run("health", func(t *testing.T) {
		r := s.Get(t, "/health", "")
		wantJSON(t, r, http.StatusOK, map[string]any{"status": "ok"})
	})

	t.Run("signed out is 401", func(t *testing.T) {
		for _, path := range []string{"/me", "/claims", "/admin"} {
			r := s.Get(t, path, "")
			wantFailure(t, path, r, http.StatusUnauthorized, "Bearer", "token-missing")
		}
		r := s.Get(t, "/me", "not-a-token")
		wantFailure(t, "/me (garbage token)", r, http.StatusUnauthorized, `Bearer error="invalid_token"`, "")
		// A token beyond the core's limit is refused by the middleware, with
		// the JSON answer, not by the server's header buffer.
		r = s.Get(t, "/claims", strings.Repeat("a", core.MaxTokenSize+1))
		wantFailure(t, "/claims (oversized token)", r, http.StatusUnauthorized, `Bearer error="invalid_token"`, string(core.ReasonTokenTooLarge))
	})

	var sub string
	t.Run("claims without a user fetch", func(t *testing.T) {
		before := calls()
		r := s.Get(t, "/claims", tok.Member)
		body := wantObject(t, r, http.StatusOK, "session")
		session := claimsOf(t, body["session"])
		sub = session.Sub
		if got := calls(); got != before {
			t.Errorf("GET /claims made %d user fetches, want none", got-before)
		}
		// The session cookie works as well as the header.
		// Clerk's frontend sets __client_uat beside it.
		r = s.Get(t, "/claims", "", "Cookie: "+core.DefaultSessionKey+"="+tok.Member+"; __client_uat=1")
		if c := claimsOf(t, wantObject(t, r, http.StatusOK, "session")["session"]); c.Sub != sub {
			t.Errorf("GET /claims with the cookie: sub %q, want %q", c.Sub, sub)
		}
		// Without __client_uat (or with 0) the client is signed out.
		for _, cookie := range []string{"", "; __client_uat=0"} {
			r = s.Get(t, "/claims", "", "Cookie: "+core.DefaultSessionKey+"="+tok.Member+cookie)
			wantFailure(t, "/claims (cookie"+cookie+")", r, http.StatusUnauthorized, `Bearer error="invalid_token"`, string(core.ReasonSessionTokenButNoClientUAT))
		}
	})

	t.Run("me", func(t *testing.T) {
		before := calls()
		r := s.Get(t, "/me", tok.Member)
		body := wantObject(t, r, http.StatusOK, "user", "session")
		session := claimsOf(t, body["session"])
		if sub != "" && session.Sub != sub {
			t.Errorf("/me session sub %q, /claims said %q", session.Sub, sub)
		}
		if !want.User {
			if string(body["user"]) != "null" {
				t.Errorf("/me user = %s, want null (no secret key)", body["user"])
			}
			return
		}
		var user struct {
			ID     string `json:"id"`
			Object string `json:"object"`
		}
		if err := json.Unmarshal(body["user"], &user); err != nil {
			t.Fatalf("/me user: %v in %s", err, r.Body)
		}
		if user.Object != "user" || user.ID != session.Sub {
			t.Errorf("/me user: object %q id %q, want a Clerk user object with id %q", user.Object, user.ID, session.Sub)
		}
		if want.UserCalls != nil && calls() == before {
			t.Error("GET /me made no user fetch")
		}
	})

	t.Run("optional", func(t *testing.T) {
		r := s.Get(t, "/optional", "")
		wantJSON(t, r, http.StatusOK, map[string]any{"signed_in": false, "user_id": ""})
		r = s.Get(t, "/optional", "not-a-token")
		wantJSON(t, r, http.StatusOK, map[string]any{"signed_in": false, "user_id": ""})
		r = s.Get(t, "/optional", tok.Member)
		var got demo.OptionalResponse
		decode(t, r, http.StatusOK, &got)
		if !got.SignedIn || got.UserID == "" || (sub != "" && got.UserID != sub) {
			t.Errorf("/optional signed in: %+v, want signed_in true and user_id %q", got, sub)
		}
	})

	t.Run("admin", func(t *testing.T) {
		r := s.Get(t, "/admin", tok.Member)
		wantFailure(t, "/admin (member)", r, http.StatusForbidden, `Bearer error="insufficient_scope"`, "")
		r = s.Get(t, "/admin", tok.Admin)
		var got demo.AdminResponse
		decode(t, r, http.StatusOK, &got)
		if got.OrgID != demo.OrgID || got.OrgRole != "org:admin" || got.UserID == "" {
			t.Errorf("/admin as admin: %+v", got)
		}
	})
}

// sessionClaims are the claims the checks read, by Clerk's names.
type sessionClaims struct {
	Sub string  `json:"sub"`
	Sid string  `json:"sid"`
	Iss string  `json:"iss"`
	Exp float64 `json:"exp"`
}

// claimsOf decodes the session claims and checks that they carry Clerk's
// claim names.
func claimsOf(t *testing.T, raw json.RawMessage) sessionClaims {
	t.Helper()
	var c sessionClaims
	if err := json.Unmarshal(raw, &c); err != nil {
		t.Fatalf("session: %v in %s", err, raw)
	}
	if c.Sub == "" || c.Sid == "" || c.Iss == "" || c.Exp == 0 {
		t.Errorf("session lacks Clerk's claims sub, sid, iss, exp: %s", raw)
	}
	return c
}

func isJSON(h http.Header) bool {
	return strings.HasPrefix(h.Get("Content-Type"), "application/json")
}

func decode(t *testing.T, r Response, status int, v any) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d; body %s", r.Status, status, r.Body)
	}
	if !isJSON(r.Header) {
		t.Errorf("Content-Type %q, want JSON", r.Header.Get("Content-Type"))
	}
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("body %s: %v", r.Body, err)
	}
}

// wantJSON checks the status and that the body is exactly want.
func wantJSON(t *testing.T, r Response, status int, want map[string]any) {
	t.Helper()
	var got map[string]any
	decode(t, r, status, &got)
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("body %s, want %v", r.Body, want)
	}
}

// wantObject checks the status and that the body is an object with exactly
// the given keys.
func wantObject(t *testing.T, r Response, status int, keys ...string) map[string]json.RawMessage {
	t.Helper()
	var got map[string]json.RawMessage
	decode(t, r, status, &got)
	if len(got) != len(keys) {
		t.Errorf("body has %d keys, want %q: %s", len(got), keys, r.Body)
	}
	for _, k := range keys {
		if _, ok := got[k]; !ok {
			t.Errorf("body lacks %q: %s", k, r.Body)
		}
	}
	return got
}

// wantFailure checks a failure response of the HTTP failure contract.
func wantFailure(t *testing.T, what string, r Response, status int, challenge, reason string) {
	t.Helper()
	if r.Status != status {
		t.Errorf("%s: status %d, want %d; body %s", what, r.Status, status, r.Body)
	}
	if got := r.Header.Get("WWW-Authenticate"); got != challenge {
		t.Errorf("%s: WWW-Authenticate %q, want %q", what, got, challenge)
	}
	var body struct {
		Reason string `json:"reason"`
	}
	if !isJSON(r.Header) || json.Unmarshal(r.Body, &body) != nil || body.Reason == "" {
		t.Errorf("%s: want a JSON body with a reason, got %q %s", what, r.Header.Get("Content-Type"), r.Body)
	}
	if reason != "" && body.Reason != reason {
		t.Errorf("%s: reason %q, want %q", what, body.Reason, reason)
	}
}

// wantBannerLines checks that the banner holds each line (trimmed), with
// HOST replaced by the server's host.
func wantBannerLines(t *testing.T, s *Server, lines ...string) {
	t.Helper()
	have := map[string]bool{}
	for _, l := range strings.Split(s.Banner, "\n") {
		have[strings.TrimSpace(l)] = true
	}
	for _, l := range lines {
		l = strings.ReplaceAll(l, "HOST", s.Host)
		if !have[l] {
			t.Errorf("banner lacks the line %q:\n%s", l, s.Banner)
		}
	}
}

// curlLines are the commands every banner prints.
var curlLines = []string{
	`curl HOST/health`,
	`curl -H "Authorization: Bearer $TOKEN" HOST/me`,
	`curl -H "Authorization: Bearer $TOKEN" HOST/claims`,
	`curl -b "__session=$TOKEN; __client_uat=1" HOST/claims   # the cookies a browser sends`,
	`curl -H "Authorization: Bearer $TOKEN" HOST/optional`,
	`curl -H "Authorization: Bearer $ADMIN" HOST/admin`,
}

// pingLines are the banner's commands for GET /api/ping, when it is served.
var pingLines = []string{
	`curl -H "Authorization: Bearer $KEY" HOST/api/ping`,
	`curl -i -H "Authorization: Bearer $TOKEN" HOST/api/ping   # 401: a session token`,
}

// FakeMode runs the demo with no Clerk configuration, so that it starts
// its embedded fake Clerk: it runs the banner's commands as pasted (the
// tokens come from GET /demo/token), checks every route with those tokens,
// GET /demo/token?kind=... and GET /api/ping with tokens minted by the
// embedded fake, the webhook sample, then a clean shutdown.
func FakeMode(t *testing.T, serve ServeFunc) {
	ClearEnv(t)
	app, err := demo.Setup()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(app.Close) // after the demo's shutdown (cleanups run last first)
	if app.Fake == nil {
		t.Fatal("no embedded fake Clerk without configuration")
	}
	s := Start(t, func(ctx context.Context, stdout io.Writer) error { return serve(ctx, app, stdout) })
	wantBannerLines(t, s, append(append(curlLines, pingLines...),
		`TOKEN=$(curl -s HOST/demo/token)`,
		`ADMIN=$(curl -s 'HOST/demo/token?role=admin')`,
		`KEY=$(curl -s 'HOST/demo/token?kind=api_key')`,
		`M2M=$(curl -s 'HOST/demo/token?kind=m2m')`,
		`curl -H "Authorization: Bearer $M2M" HOST/api/ping`)...)
	if !strings.Contains(s.Banner, "embedded fake Clerk") {
		t.Errorf("banner does not say it uses the embedded fake:\n%s", s.Banner)
	}

	// First the signed sample, as pasted: RunBanner replays it.
	t.Run("webhook", func(t *testing.T) { CheckWebhookCurl(t, s) })
	var vars map[string]string
	t.Run("banner commands", func(t *testing.T) { vars = RunBanner(t, s, nil) })

	t.Run("demo tokens", func(t *testing.T) { checkDemoTokens(t, s, app.Fake, vars) })
	tok := Tokens{Member: vars["TOKEN"], Admin: vars["ADMIN"]}
	if member := demoToken(t, s, "?role=member"); s.Get(t, "/admin", member).Status != http.StatusForbidden {
		t.Error("an org:member token passed /admin")
	}
	CheckRoutes(t, s, tok, Expect{User: true})
	t.Run("ping", func(t *testing.T) { CheckPing(t, s, app.Fake, tok.Member) })
	if app.ServesPages() {
		wantBannerLines(t, s, pageLines...)
		t.Run("pages", func(t *testing.T) { CheckPages(t, s, app.Fake, nil) })
	} else {
		checkNoPages(t, s)
	}

	if err := s.Stop(); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	if resp, err := http.Get(s.URL + "/health"); err == nil {
		resp.Body.Close()
		t.Errorf("still serving after shutdown: %d", resp.StatusCode)
	}
}

// EnvMode runs the demo against a fake Clerk that the test owns, configured
// the way a real instance is: CLERK_SECRET_KEY, CLERK_API_URL,
// CLERK_PROXY_URL (so iss is checked) and CLERK_AUTHORIZED_PARTIES. It
// counts the user fetches, checks GET /api/ping with the fake's machine
// tokens (verified through its Backend API), runs the banner's commands
// with the tokens a user would paste, and checks that the demo mints no
// tokens.
func EnvMode(t *testing.T, run RunFunc) {
	ClearEnv(t)
	fake := clerktest.New()
	t.Cleanup(fake.Close)
	signer, err := clerktest.NewWebhookSigner()
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv(webhook.EnvSigningSecret, signer.Secret())
	t.Setenv(core.EnvSecretKey, fake.SecretKey())
	t.Setenv(core.EnvAPIURL, fake.URL)
	t.Setenv(core.EnvProxyURL, fake.URL)
	t.Setenv(core.EnvAuthorizedParties, "https://app.example.com, "+clerktest.DefaultAuthorizedParty)

	s := Start(t, run)
	wantBannerLines(t, s, append(append(curlLines, pingLines...), "KEY=<paste an API key (ak_...) of this instance>")...)
	if strings.Contains(s.Banner, "/demo/token") || !strings.Contains(s.Banner, "from the environment") {
		t.Errorf("banner of the real-instance mode:\n%s", s.Banner)
	}
	if r := s.Get(t, "/demo/token", ""); r.Status != http.StatusNotFound {
		t.Errorf("GET /demo/token with a real instance: %d, want 404", r.Status)
	}
	tok := Tokens{
		Member: fake.Token(clerktest.WithTTL(time.Hour)),
		Admin:  fake.Token(clerktest.WithTTL(time.Hour), clerktest.WithOrgMembership(demo.OrgID, demo.OrgSlug, "org:admin")),
	}
	CheckRoutes(t, s, tok, Expect{User: true, UserCalls: func() int { return fake.Requests(clerktest.EndpointGetUser) }})
	t.Run("ping", func(t *testing.T) { CheckPing(t, s, fake, tok.Member) })
	t.Run("banner commands", func(t *testing.T) {
		key := fake.NewAPIKey(clerktest.MachineTokenParams{Name: "pasted", Scopes: []string{"read"}})
		RunBanner(t, s, map[string]string{"TOKEN": tok.Member, "ADMIN": tok.Admin, "KEY": key.Token})
	})

	// CLERK_AUTHORIZED_PARTIES is in force.
	r := s.Get(t, "/claims", fake.Token(clerktest.WithAuthorizedPartyClaim("https://evil.example")))
	wantFailure(t, "/claims (foreign azp)", r, http.StatusUnauthorized, `Bearer error="invalid_token"`, "")

	t.Run("webhook", func(t *testing.T) { CheckWebhookSigned(t, s, signer) })
	checkNoPages(t, s) // no publishable key
}

// JWTKeyMode runs the demo with only CLERK_JWT_KEY: tokens are verified
// with no network call, /me answers "user": null (no secret key to fetch
// users with) and there is no GET /api/ping (API keys need the Backend
// API).
func JWTKeyMode(t *testing.T, run RunFunc) {
	ClearEnv(t)
	fake := clerktest.New()
	t.Cleanup(fake.Close)
	t.Setenv(core.EnvJWTKey, fake.PublicKeyPEM())

	s := Start(t, run)
	wantBannerLines(t, s, curlLines...)
	if !strings.Contains(s.Banner, `"user": null and there is no `+demo.PingPath) || strings.Contains(s.Banner, "$KEY") {
		t.Errorf("banner does not say /me has no user and /api/ping is not served:\n%s", s.Banner)
	}
	tok := Tokens{
		Member: fake.Token(clerktest.WithTTL(time.Hour)),
		Admin:  fake.Token(clerktest.WithTTL(time.Hour), clerktest.WithOrgMembership(demo.OrgID, demo.OrgSlug, "org:admin")),
	}
	CheckRoutes(t, s, tok, Expect{User: false})
	t.Run("banner commands", func(t *testing.T) {
		RunBanner(t, s, map[string]string{"TOKEN": tok.Member, "ADMIN": tok.Admin})
	})
	t.Run("no ping route", func(t *testing.T) {
		key := fake.NewAPIKey(clerktest.MachineTokenParams{})
		if r := s.Get(t, demo.PingPath, key.Token); r.Status != http.StatusNotFound {
			t.Errorf("GET %s without a secret key: %d %s, want 404", demo.PingPath, r.Status, r.Body)
		}
	})
	t.Run("no webhook route", func(t *testing.T) { CheckNoWebhookRoute(t, s) })
	checkNoPages(t, s)
	if n := fake.Requests(clerktest.AnyEndpoint); n != 0 {
		t.Errorf("%d requests to Clerk with a JWT key, want none", n)
	}
}
