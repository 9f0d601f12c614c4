package fiberclerk_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/clerkgo/clerk/core"
	"github.com/clerkgo/clerk/core/authtest"
	"github.com/clerkgo/clerk/core/clerktest"
	"github.com/clerkgo/clerk/fiberclerk"
	"github.com/gofiber/fiber/v2"
)

// fake is a fake Clerk and a client for it on one manual clock (the
// contract suite's, see authtest.NewFake).
type fake struct {
	s     *clerktest.Server
	c     *core.Client
	clock *authtest.Clock
}

// newFake starts the fake; tune, if given, adjusts the config of a client
// built for it instead of the suite's.
func newFake(tb testing.TB, tune ...func(*core.Config)) *fake {
	tb.Helper()
	f := authtest.NewFake(tb)
	if len(tune) == 0 {
		return &fake{s: f.Server, c: f.Client, clock: f.Clock}
	}
	cfg := core.Config{
		SecretKey:  f.Server.SecretKey(),
		APIURL:     f.Server.URL,
		ProxyURL:   f.Server.URL,
		HTTPClient: f.Server.Client(),
		Now:        f.Clock.Now,
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
	return &fake{s: f.Server, c: c, clock: f.Clock}
}

// identity is what the test handlers answer: the getters on the
// framework context and on the request's context.Context.
type identity = authtest.Identity

func identify(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
	return c.Send(authtest.Identify(c.UserContext(), fiberclerk.User(c), fiberclerk.Session(c)).JSON())
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

func contains(s, sub string) bool { return sub != "" && strings.Contains(s, sub) }
