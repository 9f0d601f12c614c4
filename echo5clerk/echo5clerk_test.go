package echo5clerk_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v5"

	"github.com/clerkgo/clerk/core"
	"github.com/clerkgo/clerk/core/authtest"
	"github.com/clerkgo/clerk/echo5clerk"
)

// identify is the contract's downstream handler.
func identify(c *echo.Context) error {
	return c.JSONBlob(http.StatusOK, authtest.Identify(c.Request().Context(), echo5clerk.Auth(c), echo5clerk.User(c), echo5clerk.Session(c)).JSON())
}

// options are the middleware options of a contract Setup.
func options(s authtest.Setup) []echo5clerk.Option {
	opts := []echo5clerk.Option{echo5clerk.WithClient(s.Client), echo5clerk.FetchUser(s.FetchUser), echo5clerk.Optional(s.Optional)}
	if s.Tenants != nil {
		opts = append(opts, echo5clerk.ClientFunc(func(c *echo.Context) (*core.Client, error) {
			if cl, ok := s.Tenants[c.Request().Host]; ok {
				return cl, nil
			}
			return nil, core.ErrUnknownTenant
		}))
	}
	if s.AcceptsToken != nil {
		opts = append(opts, echo5clerk.AcceptsToken(s.AcceptsToken...))
	}
	if s.TokenFrom != nil {
		opts = append(opts, echo5clerk.TokenFrom(s.TokenFrom...))
	}
	if s.SkipOptions != nil {
		opts = append(opts, echo5clerk.SkipOptions(*s.SkipOptions))
	}
	if s.SessionKey != "" {
		opts = append(opts, echo5clerk.SessionKey(s.SessionKey))
	}
	if s.BrowserPages {
		opts = append(opts, echo5clerk.BrowserPages(true))
	}
	if s.OrganizationSync != nil {
		opts = append(opts, echo5clerk.OrganizationSync(*s.OrganizationSync))
	}
	if s.NoSignInRedirect {
		opts = append(opts, echo5clerk.SignInRedirect(false))
	}
	if s.TrustForwardedHeaders {
		opts = append(opts, echo5clerk.TrustForwardedHeaders(true))
	}
	if s.CustomErrors {
		opts = append(opts, echo5clerk.ErrorHandler(func(c *echo.Context, err error) error {
			return c.JSONBlob(authtest.CustomErrorStatus, authtest.CustomErrorBody(err))
		}))
	}
	if s.SkipPrefix != "" {
		opts = append(opts, echo5clerk.Skipper(func(c *echo.Context) bool {
			return strings.HasPrefix(c.Request().URL.Path, s.SkipPrefix)
		}))
	}
	return opts
}

// build is the contract suite's target: an echo.Echo configured per s.
func build(t *testing.T, s authtest.Setup) func(*http.Request) (*http.Response, error) {
	mw, err := echo5clerk.New(options(s)...)
	if err != nil {
		t.Fatalf("echo5clerk.New: %v", err)
	}
	e := echo.New()
	if s.Outer != nil {
		e.Use(echo5clerk.Middleware(echo5clerk.WithClient(s.Outer), echo5clerk.Optional(true), echo5clerk.FetchUser(false)))
	}
	e.Use(mw)
	if s.Check != nil {
		e.GET("/protected", identify, echo5clerk.Require(s.Check))
	} else {
		e.GET("/protected", identify)
	}
	e.OPTIONS("/protected", identify)
	e.Any("/any", identify)
	e.GET("/skip/ping", identify)
	return serveWith(e)
}

func serveWith(h http.Handler) func(*http.Request) (*http.Response, error) {
	return func(req *http.Request) (*http.Response, error) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Result(), nil
	}
}

func TestContract(t *testing.T) {
	authtest.Run(t, authtest.Target{
		Name:         "echo5clerk",
		SupportsSkip: true,
		Build:        build,
		Package:      "echo5clerk",
		New:          func(s authtest.Setup) error { _, err := echo5clerk.New(options(s)...); return err },
		Middleware:   func(s authtest.Setup) { echo5clerk.Middleware(options(s)...) },
	})
}

// get serves GET path with no credentials through e.
func get(e *echo.Echo, path string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	return rec
}

// reason is the reason of a default failure body, or "" if there is none.
func reason(rec *httptest.ResponseRecorder) string {
	var body struct{ Reason string }
	_ = json.Unmarshal(rec.Body.Bytes(), &body)
	return body.Reason
}

// TestErrorHandlerReturningAnError checks that an error returned by the
// ErrorHandler goes to Echo's HTTPErrorHandler, and that the protected
// handler still does not run.
func TestErrorHandlerReturningAnError(t *testing.T) {
	f := authtest.NewFake(t)
	ran := false
	e := echo.New()
	e.Use(echo5clerk.Middleware(echo5clerk.WithClient(f.Client), echo5clerk.ErrorHandler(func(c *echo.Context, err error) error {
		if !errors.Is(err, core.ErrNoCredentials) {
			t.Errorf("error handler got %v", err)
		}
		return echo.NewHTTPError(http.StatusPaymentRequired, "pay first")
	})))
	e.GET("/protected", func(c *echo.Context) error { ran = true; return nil })
	rec := get(e, "/protected")
	if rec.Code != http.StatusPaymentRequired || rec.Body.String() != `{"message":"pay first"}`+"\n" {
		t.Errorf("got %d %q, want echo's HTTPErrorHandler answer", rec.Code, rec.Body)
	}
	if ran {
		t.Error("the protected handler ran")
	}
}

// TestSkippedRequestRequire checks that Require after a skipped request
// answers 401 with the middleware's ErrorHandler.
func TestSkippedRequestRequire(t *testing.T) {
	f := authtest.NewFake(t)
	e := echo.New()
	e.Use(echo5clerk.Middleware(echo5clerk.WithClient(f.Client),
		echo5clerk.Skipper(func(*echo.Context) bool { return true }),
		echo5clerk.ErrorHandler(func(c *echo.Context, err error) error {
			return c.JSONBlob(authtest.CustomErrorStatus, authtest.CustomErrorBody(err))
		})))
	e.GET("/admin", identify, echo5clerk.Require(core.Role("org:admin")))
	rec := get(e, "/admin")
	if want := `{"custom":"token-missing"}`; rec.Code != authtest.CustomErrorStatus || rec.Body.String() != want {
		t.Errorf("got %d %q, want %d %q", rec.Code, rec.Body, authtest.CustomErrorStatus, want)
	}
}

// TestNilOptions checks that nil options, and nil functions given to
// options, leave the defaults in place.
func TestNilOptions(t *testing.T) {
	f := authtest.NewFake(t)
	e := echo.New()
	e.Use(echo5clerk.Middleware(nil, echo5clerk.WithClient(f.Client), echo5clerk.Skipper(nil), echo5clerk.ErrorHandler(nil)))
	e.GET("/protected", identify)
	rec := get(e, "/protected")
	if rec.Code != http.StatusUnauthorized || rec.Header().Get("WWW-Authenticate") != "Bearer" || reason(rec) != "token-missing" {
		t.Errorf("got %d %q %q, want the default 401 Bearer token-missing", rec.Code, rec.Header().Get("WWW-Authenticate"), rec.Body)
	}
}

func TestGettersWithoutMiddleware(t *testing.T) {
	if echo5clerk.User(nil) != nil || echo5clerk.Session(nil) != nil {
		t.Error("getters of a nil context are not nil")
	}
	e := echo.New()
	c := e.NewContext(httptest.NewRequest(http.MethodGet, "/", nil), httptest.NewRecorder())
	if echo5clerk.User(c) != nil || echo5clerk.Session(c) != nil {
		t.Error("getters of a bare context are not nil")
	}
	c.Set("github.com/clerkgo/clerk/echo5clerk.auth", "not an auth")
	if echo5clerk.Session(c) != nil {
		t.Error("a foreign value was taken for the session")
	}
	// Auth put on the request context by a net/http middleware is found too,
	// when no echo5clerk middleware ran.
	c.Set("github.com/clerkgo/clerk/echo5clerk.auth", nil)
	auth := &core.Auth{Session: &core.Claims{Subject: "user_1"}, User: &core.User{ID: "user_1"}}
	c.SetRequest(c.Request().WithContext(core.WithAuth(context.Background(), auth)))
	if echo5clerk.Session(c) != auth.Session || echo5clerk.User(c) != auth.User {
		t.Error("getters did not fall back to the request context")
	}
}

func TestRequireWithoutMiddleware(t *testing.T) {
	e := echo.New()
	e.GET("/admin", identify, echo5clerk.Require(core.Role("org:admin")))
	rec := get(e, "/admin")
	if rec.Code != http.StatusUnauthorized || rec.Header().Get("WWW-Authenticate") != "Bearer" || reason(rec) != "token-missing" {
		t.Errorf("Require with no session: %d %q %q, want 401 Bearer token-missing", rec.Code, rec.Header().Get("WWW-Authenticate"), rec.Body)
	}
}

func TestRequireRejectsNilCheck(t *testing.T) {
	defer func() {
		if r := recover(); fmt.Sprint(r) != "clerk: check 2 of 2 is nil" {
			t.Errorf("Require with a nil check panicked with %v", r)
		}
	}()
	echo5clerk.Require(core.Role("org:admin"), nil)
}
