package fiberclerk_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/clerkgo/clerk/core"
	"github.com/clerkgo/clerk/core/clerktest"
	"github.com/clerkgo/clerk/fiberclerk"
	"github.com/gofiber/fiber/v2"
)

// signingKey is shared by every fake of the test binary: RSA key generation
// is slow under -race.
var signingKey = sync.OnceValue(clerktest.GenerateKey)

// clock is a manual clock shared by the fake Clerk and the client.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

type fake struct {
	s     *clerktest.Server
	c     *core.Client
	clock *clock
}

// newFake starts a fake Clerk and a client for it, on one manual clock.
// tune, if given, adjusts the client's config.
func newFake(tb testing.TB, tune ...func(*core.Config)) *fake {
	tb.Helper()
	clk := &clock{now: time.Date(2026, 5, 12, 9, 0, 0, 0, time.UTC)}
	s := clerktest.New(clerktest.WithClock(clk.Now), clerktest.WithKey(signingKey()))
	tb.Cleanup(s.Close)
	cfg := core.Config{
		SecretKey:  s.SecretKey(),
		APIURL:     s.URL,
		HTTPClient: s.Client(),
		Now:        clk.Now,
		MaxRetries: -1,
	}
	for _, fn := range tune {
		fn(&cfg)
	}
	c, err := core.New(cfg)
	if err != nil {
		tb.Fatalf("core.New: %v", err)
	}
	tb.Cleanup(func() { _ = c.Close() })
	return &fake{s: s, c: c, clock: clk}
}

// identity is what the test handlers answer: the getters on the
// fiber.Ctx and on c.UserContext().
type identity struct {
	UserID        string `json:"user_id"`
	SessionSub    string `json:"session_sub"`
	CtxUserID     string `json:"ctx_user_id"`
	CtxSessionSub string `json:"ctx_session_sub"`
}

func identify(c *fiber.Ctx) error {
	var id identity
	if u := fiberclerk.User(c); u != nil {
		id.UserID = u.ID
	}
	if s := fiberclerk.Session(c); s != nil {
		id.SessionSub = s.Subject
	}
	ctx := c.UserContext()
	if u := core.UserFromContext(ctx); u != nil {
		id.CtxUserID = u.ID
	}
	if s := core.SessionFromContext(ctx); s != nil {
		id.CtxSessionSub = s.Subject
	}
	return c.JSON(id)
}

// newApp is the router of most tests: the middleware on every route,
// Require(org:admin) on /admin, Require() on /signed-in.
func newApp(tb testing.TB, opts ...fiberclerk.Option) *fiber.App {
	tb.Helper()
	mw, err := fiberclerk.New(opts...)
	if err != nil {
		tb.Fatalf("fiberclerk.New: %v", err)
	}
	app := fiber.New()
	app.Use(mw)
	app.Get("/protected", identify)
	app.Get("/skip/ping", identify)
	app.Get("/admin", fiberclerk.Require(core.Role("org:admin")), identify)
	app.Get("/signed-in", fiberclerk.Require(), identify)
	return app
}

// result is a served response, read whole.
type result struct {
	status int
	header http.Header
	body   string
}

func (r result) identity(tb testing.TB) identity {
	tb.Helper()
	var id identity
	if err := json.Unmarshal([]byte(r.body), &id); err != nil {
		tb.Fatalf("body %q: %v", r.body, err)
	}
	return id
}

func (r result) reason(tb testing.TB) string {
	tb.Helper()
	var b struct {
		Status int    `json:"status"`
		Reason string `json:"reason"`
	}
	if err := json.Unmarshal([]byte(r.body), &b); err != nil {
		tb.Fatalf("body %q: %v", r.body, err)
	}
	if b.Status != r.status {
		tb.Errorf("body status %d, response status %d", b.Status, r.status)
	}
	return b.Reason
}

// serve sends one request through app with app.Test. header holds
// request headers; a header given several values is sent as several lines.
// A transport failure is answered as status 0 with the error as body.
func serve(app *fiber.App, path string, header http.Header) result {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	for k, vs := range header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	resp, err := app.Test(req, -1)
	if err != nil {
		return result{body: err.Error()}
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return result{status: resp.StatusCode, header: resp.Header, body: string(body)}
}

func bearer(tok string) http.Header { return http.Header{"Authorization": {"Bearer " + tok}} }

func cookies(lines ...string) http.Header { return http.Header{"Cookie": lines} }

// checkFailure asserts a contract failure response.
func checkFailure(tb testing.TB, r result, status int, challenge, reason string) {
	tb.Helper()
	if r.status != status {
		tb.Fatalf("status %d, want %d (body %s)", r.status, status, r.body)
	}
	if got := r.header.Get("WWW-Authenticate"); got != challenge {
		tb.Errorf("WWW-Authenticate %q, want %q", got, challenge)
	}
	if _, ok := r.header["Www-Authenticate"]; challenge == "" && ok {
		tb.Errorf("WWW-Authenticate present, want none")
	}
	if got := r.header.Get("Content-Type"); got != "application/json; charset=utf-8" {
		tb.Errorf("Content-Type %q", got)
	}
	if got := r.header.Get("Cache-Control"); got != "no-store" {
		tb.Errorf("Cache-Control %q", got)
	}
	if got := r.reason(tb); got != reason {
		tb.Errorf("reason %q, want %q", got, reason)
	}
}

// clearEnv empties every CLERK_* variable for the test.
func clearEnv(t *testing.T) {
	for _, k := range []string{core.EnvSecretKey, core.EnvAPIKey, core.EnvPublishableKey, core.EnvAPIURL,
		core.EnvJWTKey, core.EnvAuthorizedParties, core.EnvDomain, core.EnvProxyURL} {
		t.Setenv(k, "")
	}
}

func contains(s, sub string) bool { return sub != "" && strings.Contains(s, sub) }
