package fiberclerk_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"

	"github.com/clerkgo/clerk/core"
	"github.com/clerkgo/clerk/core/authtest"
	"github.com/clerkgo/clerk/fiberclerk"
)

// identify is the contract's downstream handler.
func identify(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
	return c.Send(authtest.Identify(c.UserContext(), fiberclerk.Auth(c), fiberclerk.User(c), fiberclerk.Session(c)).JSON())
}

// options are the middleware options of a contract Setup.
func options(s authtest.Setup) []fiberclerk.Option {
	opts := []fiberclerk.Option{fiberclerk.WithClient(s.Client), fiberclerk.FetchUser(s.FetchUser), fiberclerk.Optional(s.Optional)}
	if s.Tenants != nil {
		opts = append(opts, fiberclerk.ClientFunc(func(c *fiber.Ctx) (*core.Client, error) {
			if cl, ok := s.Tenants[c.Hostname()]; ok {
				return cl, nil
			}
			return nil, core.ErrUnknownTenant
		}))
	}
	if s.AcceptsToken != nil {
		opts = append(opts, fiberclerk.AcceptsToken(s.AcceptsToken...))
	}
	if s.TokenFrom != nil {
		opts = append(opts, fiberclerk.TokenFrom(s.TokenFrom...))
	}
	if s.SkipOptions != nil {
		opts = append(opts, fiberclerk.SkipOptions(*s.SkipOptions))
	}
	if s.SessionKey != "" {
		opts = append(opts, fiberclerk.SessionKey(s.SessionKey))
	}
	if s.BrowserPages {
		opts = append(opts, fiberclerk.BrowserPages(true))
	}
	if s.OrganizationSync != nil {
		opts = append(opts, fiberclerk.OrganizationSync(*s.OrganizationSync))
	}
	if s.NoSignInRedirect {
		opts = append(opts, fiberclerk.SignInRedirect(false))
	}
	if s.TrustForwardedHeaders {
		opts = append(opts, fiberclerk.TrustForwardedHeaders(true))
	}
	if s.CustomErrors {
		opts = append(opts, fiberclerk.ErrorHandler(customErrors))
	}
	if s.SkipPrefix != "" {
		opts = append(opts, fiberclerk.Next(func(c *fiber.Ctx) bool {
			return strings.HasPrefix(c.Path(), s.SkipPrefix)
		}))
	}
	return opts
}

func customErrors(c *fiber.Ctx, err error) error {
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
	return c.Status(authtest.CustomErrorStatus).Send(authtest.CustomErrorBody(err))
}

// build is the contract suite's target: a fiber.App configured per s,
// served through app.Test.
func build(t *testing.T, s authtest.Setup) func(*http.Request) (*http.Response, error) {
	mw, err := fiberclerk.New(options(s)...)
	if err != nil {
		t.Fatalf("fiberclerk.New: %v", err)
	}
	app := fiber.New()
	if s.Outer != nil {
		app.Use(fiberclerk.Middleware(fiberclerk.WithClient(s.Outer), fiberclerk.Optional(true), fiberclerk.FetchUser(false)))
	}
	app.Use(mw)
	if s.Check != nil {
		app.Get("/protected", fiberclerk.Require(s.Check), identify)
	} else {
		app.Get("/protected", identify)
	}
	app.Options("/protected", identify)
	app.All("/any", identify)
	app.Get("/skip/ping", identify)
	return func(r *http.Request) (*http.Response, error) { return app.Test(r, -1) }
}

func TestContract(t *testing.T) {
	authtest.Run(t, authtest.Target{
		Name:         "fiberclerk",
		SupportsSkip: true,
		Build:        build,
		Package:      "fiberclerk",
		New:          func(s authtest.Setup) error { _, err := fiberclerk.New(options(s)...); return err },
		Middleware:   func(s authtest.Setup) { fiberclerk.Middleware(options(s)...) },
	})
}

// answer is a response served by app.Test, read whole.
type answer struct {
	status int
	header http.Header
	body   string
}

// get serves GET path through app. Each cookie is sent as its own Cookie
// header line.
func get(t *testing.T, app *fiber.App, path, authorization string, cookies ...string) answer {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	for _, c := range cookies {
		req.Header.Add("Cookie", c)
	}
	resp, err := app.Test(req, -1)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: reading the body: %v", path, err)
	}
	return answer{status: resp.StatusCode, header: resp.Header, body: string(body)}
}

// sessionSub is the session subject identify answered with, or "".
func (a answer) sessionSub() string {
	var id authtest.Identity
	_ = json.Unmarshal([]byte(a.body), &id)
	return id.SessionSub
}

// reason is the reason of a default failure body, or "".
func (a answer) reason() string {
	var body struct{ Reason string }
	_ = json.Unmarshal([]byte(a.body), &body)
	return body.Reason
}

// TestErrorHandlerReturningAnError checks that an error returned by the
// ErrorHandler goes to the app's ErrorHandler, and that the protected
// handler still does not run.
func TestErrorHandlerReturningAnError(t *testing.T) {
	f := authtest.NewFake(t)
	ran := false
	app := fiber.New()
	app.Use(fiberclerk.Middleware(fiberclerk.WithClient(f.Client), fiberclerk.ErrorHandler(func(c *fiber.Ctx, err error) error {
		if !errors.Is(err, core.ErrNoCredentials) {
			t.Errorf("error handler got %v", err)
		}
		return fiber.NewError(http.StatusPaymentRequired, "pay first")
	})))
	app.Get("/protected", func(c *fiber.Ctx) error { ran = true; return nil })
	if a := get(t, app, "/protected", ""); a.status != http.StatusPaymentRequired || a.body != "pay first" {
		t.Errorf("got %d %q, want the app's ErrorHandler answer", a.status, a.body)
	}
	if ran {
		t.Error("the protected handler ran")
	}
}

// TestSkippedRequestRequire checks that Require after a skipped request
// answers 401 with the middleware's ErrorHandler.
func TestSkippedRequestRequire(t *testing.T) {
	f := authtest.NewFake(t)
	app := fiber.New()
	app.Use(fiberclerk.Middleware(fiberclerk.WithClient(f.Client),
		fiberclerk.Next(func(*fiber.Ctx) bool { return true }),
		fiberclerk.ErrorHandler(customErrors)))
	app.Get("/admin", fiberclerk.Require(core.Role("org:admin")), identify)
	a := get(t, app, "/admin", "")
	if want := `{"custom":"token-missing"}`; a.status != authtest.CustomErrorStatus || a.body != want {
		t.Errorf("got %d %q, want %d %q", a.status, a.body, authtest.CustomErrorStatus, want)
	}
}

// TestNilOptions checks that nil options, and nil functions given to
// options, leave the defaults in place.
func TestNilOptions(t *testing.T) {
	f := authtest.NewFake(t)
	app := fiber.New()
	app.Use(fiberclerk.Middleware(nil, fiberclerk.WithClient(f.Client), fiberclerk.Next(nil), fiberclerk.ErrorHandler(nil)))
	app.Get("/protected", identify)
	a := get(t, app, "/protected", "")
	if a.status != http.StatusUnauthorized || a.header.Get("WWW-Authenticate") != "Bearer" || a.reason() != "token-missing" {
		t.Errorf("got %d %q %q, want the default 401 Bearer token-missing", a.status, a.header.Get("WWW-Authenticate"), a.body)
	}
}

// fasthttp parses the Cookie headers into a list once anything reads a
// cookie; the middleware must find the session cookie either way.
func TestCookiesAlreadyParsedByEarlierMiddleware(t *testing.T) {
	f := authtest.NewFake(t)
	app := fiber.New()
	app.Use(func(c *fiber.Ctx) error {
		_ = c.Cookies("theme")
		return c.Next()
	})
	app.Use(fiberclerk.Middleware(fiberclerk.WithClient(f.Client), fiberclerk.FetchUser(false)))
	app.Get("/protected", identify)
	tok := f.Server.Token()
	uat := "__client_uat=" + strconv.FormatInt(f.Clock.Now().Add(-time.Hour).Unix(), 10)
	for _, cookies := range [][]string{
		{"theme=dark; __session=" + tok + "; " + uat},
		{"theme=dark", "__session=" + tok, uat},
		{`__session="` + tok + `"; ` + uat},
	} {
		a := get(t, app, "/protected", "", cookies...)
		if a.status != http.StatusOK || a.sessionSub() != f.Server.DefaultUserID() {
			t.Errorf("Cookie %q: %d %s", cookies, a.status, a.body)
		}
	}
}

func TestGettersWithoutMiddleware(t *testing.T) {
	if fiberclerk.User(nil) != nil || fiberclerk.Session(nil) != nil {
		t.Error("getters of a nil context are not nil")
	}
	app := fiber.New()
	c := app.AcquireCtx(&fasthttp.RequestCtx{})
	defer app.ReleaseCtx(c)
	if fiberclerk.User(c) != nil || fiberclerk.Session(c) != nil {
		t.Error("getters of a bare context are not nil")
	}
	// Auth put on the user context by other code is found too.
	auth := &core.Auth{Session: &core.Claims{Subject: "user_1"}, User: &core.User{ID: "user_1"}}
	c.SetUserContext(core.WithAuth(context.Background(), auth))
	if fiberclerk.Session(c) != auth.Session || fiberclerk.User(c) != auth.User {
		t.Error("getters did not fall back to the user context")
	}
}

func TestRequireWithoutMiddleware(t *testing.T) {
	app := fiber.New()
	app.Get("/admin", fiberclerk.Require(core.Role("org:admin")), identify)
	a := get(t, app, "/admin", "")
	if a.status != http.StatusUnauthorized || a.header.Get("WWW-Authenticate") != "Bearer" || a.reason() != "token-missing" {
		t.Errorf("Require with no session: %d %q %q, want 401 Bearer token-missing", a.status, a.header.Get("WWW-Authenticate"), a.body)
	}
}

func TestRequireRejectsNilCheck(t *testing.T) {
	defer func() {
		if r := recover(); fmt.Sprint(r) != "clerk: check 2 of 2 is nil" {
			t.Errorf("Require with a nil check panicked with %v", r)
		}
	}()
	fiberclerk.Require(core.Role("org:admin"), nil)
}
