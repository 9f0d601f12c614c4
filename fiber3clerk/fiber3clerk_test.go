package fiber3clerk_test

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

	"github.com/gofiber/fiber/v3"
	"github.com/valyala/fasthttp"

	"github.com/clerkgo/clerk/core"
	"github.com/clerkgo/clerk/core/authtest"
	"github.com/clerkgo/clerk/fiber3clerk"
)

// noTimeout serves app.Test requests with no deadline (Fiber v3's
// TestConfig; an empty one disables the default 1 s timeout).
var noTimeout = fiber.TestConfig{Timeout: 0}

// identify is the contract's downstream handler.
func identify(c fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
	return c.Send(authtest.Identify(c.Context(), fiber3clerk.Auth(c), fiber3clerk.User(c), fiber3clerk.Session(c)).JSON())
}

// options are the middleware options of a contract Setup.
func options(s authtest.Setup) []fiber3clerk.Option {
	opts := []fiber3clerk.Option{fiber3clerk.WithClient(s.Client), fiber3clerk.FetchUser(s.FetchUser), fiber3clerk.Optional(s.Optional)}
	if s.Tenants != nil {
		opts = append(opts, fiber3clerk.ClientFunc(func(c fiber.Ctx) (*core.Client, error) {
			if cl, ok := s.Tenants[c.Hostname()]; ok {
				return cl, nil
			}
			return nil, core.ErrUnknownTenant
		}))
	}
	if s.AcceptsToken != nil {
		opts = append(opts, fiber3clerk.AcceptsToken(s.AcceptsToken...))
	}
	if s.TokenFrom != nil {
		opts = append(opts, fiber3clerk.TokenFrom(s.TokenFrom...))
	}
	if s.SkipOptions != nil {
		opts = append(opts, fiber3clerk.SkipOptions(*s.SkipOptions))
	}
	if s.SessionKey != "" {
		opts = append(opts, fiber3clerk.SessionKey(s.SessionKey))
	}
	if s.BrowserPages {
		opts = append(opts, fiber3clerk.BrowserPages(true))
	}
	if s.OrganizationSync != nil {
		opts = append(opts, fiber3clerk.OrganizationSync(*s.OrganizationSync))
	}
	if s.NoSignInRedirect {
		opts = append(opts, fiber3clerk.SignInRedirect(false))
	}
	if s.TrustForwardedHeaders {
		opts = append(opts, fiber3clerk.TrustForwardedHeaders(true))
	}
	if s.CustomErrors {
		opts = append(opts, fiber3clerk.ErrorHandler(customErrors))
	}
	if s.SkipPrefix != "" {
		opts = append(opts, fiber3clerk.Next(func(c fiber.Ctx) bool {
			return strings.HasPrefix(c.Path(), s.SkipPrefix)
		}))
	}
	return opts
}

func customErrors(c fiber.Ctx, err error) error {
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
	return c.Status(authtest.CustomErrorStatus).Send(authtest.CustomErrorBody(err))
}

// build is the contract suite's target: a fiber.App configured per s,
// served through app.Test.
func build(t *testing.T, s authtest.Setup) func(*http.Request) (*http.Response, error) {
	mw, err := fiber3clerk.New(options(s)...)
	if err != nil {
		t.Fatalf("fiber3clerk.New: %v", err)
	}
	app := fiber.New()
	if s.Outer != nil {
		app.Use(fiber3clerk.Middleware(fiber3clerk.WithClient(s.Outer), fiber3clerk.Optional(true), fiber3clerk.FetchUser(false)))
	}
	app.Use(mw)
	if s.Check != nil {
		app.Get("/protected", fiber3clerk.Require(s.Check), identify)
	} else {
		app.Get("/protected", identify)
	}
	app.Options("/protected", identify)
	app.All("/any", identify)
	app.Get("/skip/ping", identify)
	return func(r *http.Request) (*http.Response, error) { return app.Test(r, noTimeout) }
}

func TestContract(t *testing.T) {
	authtest.Run(t, authtest.Target{
		Name:         "fiber3clerk",
		SupportsSkip: true,
		Build:        build,
		Package:      "fiber3clerk",
		New:          func(s authtest.Setup) error { _, err := fiber3clerk.New(options(s)...); return err },
		Middleware:   func(s authtest.Setup) { fiber3clerk.Middleware(options(s)...) },
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
	resp, err := app.Test(req, noTimeout)
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
	app.Use(fiber3clerk.Middleware(fiber3clerk.WithClient(f.Client), fiber3clerk.ErrorHandler(func(c fiber.Ctx, err error) error {
		if !errors.Is(err, core.ErrNoCredentials) {
			t.Errorf("error handler got %v", err)
		}
		return fiber.NewError(http.StatusPaymentRequired, "pay first")
	})))
	app.Get("/protected", func(c fiber.Ctx) error { ran = true; return nil })
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
	app.Use(fiber3clerk.Middleware(fiber3clerk.WithClient(f.Client),
		fiber3clerk.Next(func(fiber.Ctx) bool { return true }),
		fiber3clerk.ErrorHandler(customErrors)))
	app.Get("/admin", fiber3clerk.Require(core.Role("org:admin")), identify)
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
	app.Use(fiber3clerk.Middleware(nil, fiber3clerk.WithClient(f.Client), fiber3clerk.Next(nil), fiber3clerk.ErrorHandler(nil)))
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
	app.Use(func(c fiber.Ctx) error {
		_ = c.Cookies("theme")
		return c.Next()
	})
	app.Use(fiber3clerk.Middleware(fiber3clerk.WithClient(f.Client), fiber3clerk.FetchUser(false)))
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
	if fiber3clerk.User(nil) != nil || fiber3clerk.Session(nil) != nil {
		t.Error("getters of a nil context are not nil")
	}
	app := fiber.New()
	c := app.AcquireCtx(&fasthttp.RequestCtx{})
	defer app.ReleaseCtx(c)
	if fiber3clerk.User(c) != nil || fiber3clerk.Session(c) != nil {
		t.Error("getters of a bare context are not nil")
	}
	// Auth put on the user context by other code is found too.
	auth := &core.Auth{Session: &core.Claims{Subject: "user_1"}, User: &core.User{ID: "user_1"}}
	c.SetContext(core.WithAuth(context.Background(), auth))
	if fiber3clerk.Session(c) != auth.Session || fiber3clerk.User(c) != auth.User {
		t.Error("getters did not fall back to the user context")
	}
}

func TestRequireWithoutMiddleware(t *testing.T) {
	app := fiber.New()
	app.Get("/admin", fiber3clerk.Require(core.Role("org:admin")), identify)
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
	fiber3clerk.Require(core.Role("org:admin"), nil)
}

// ctxKey is a test's own request-context key.
type ctxKey struct{}

// TestContextKeepsEarlierValues checks that the middleware adds the Auth to
// the request's context.Context (c.Context, Fiber v3's replacement of
// UserContext) that earlier middleware set with c.SetContext, rather than
// replacing it, and that handlers find both there.
func TestContextKeepsEarlierValues(t *testing.T) {
	f := authtest.NewFake(t)
	app := fiber.New()
	app.Use(func(c fiber.Ctx) error {
		c.SetContext(context.WithValue(c.Context(), ctxKey{}, "earlier"))
		return c.Next()
	})
	app.Use(fiber3clerk.Middleware(fiber3clerk.WithClient(f.Client), fiber3clerk.FetchUser(false)))
	app.Get("/protected", func(c fiber.Ctx) error {
		ctx := c.Context()
		v, _ := ctx.Value(ctxKey{}).(string)
		s := core.SessionFromContext(ctx)
		// A fiber.Ctx is a context.Context too: the core's getters find
		// the same Auth on c itself.
		if v != "earlier" || s == nil || s != fiber3clerk.Session(c) || core.SessionFromContext(c) != s {
			return c.Status(http.StatusTeapot).SendString(fmt.Sprintf("value %q, session %v", v, s))
		}
		return c.SendString(s.Subject)
	})
	if a := get(t, app, "/protected", "Bearer "+f.Server.Token()); a.status != http.StatusOK || a.body != f.Server.DefaultUserID() {
		t.Errorf("got %d %q, want 200 %q", a.status, a.body, f.Server.DefaultUserID())
	}
}
