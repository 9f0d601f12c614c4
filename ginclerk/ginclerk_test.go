package ginclerk_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
	"go.uber.org/goleak"

	"github.com/clerkgo/clerk/core"
	"github.com/clerkgo/clerk/core/authtest"
	"github.com/clerkgo/clerk/ginclerk"
)

// TestMain puts gin in test mode and fails the package's tests if a
// goroutine outlives them: every client is closed and every fetch waited
// for.
func TestMain(m *testing.M) {
	gin.SetMode(gin.TestMode)
	goleak.VerifyTestMain(m)
}

// identify is the contract's downstream handler.
func identify(c *gin.Context) {
	c.Data(http.StatusOK, "application/json", authtest.Identify(c.Request.Context(), ginclerk.Auth(c), ginclerk.User(c), ginclerk.Session(c)).JSON())
}

// options are the middleware options of a contract Setup.
func options(s authtest.Setup) []ginclerk.Option {
	opts := []ginclerk.Option{ginclerk.WithClient(s.Client), ginclerk.FetchUser(s.FetchUser), ginclerk.Optional(s.Optional)}
	if s.Tenants != nil {
		opts = append(opts, ginclerk.ClientFunc(func(c *gin.Context) (*core.Client, error) {
			if cl, ok := s.Tenants[c.Request.Host]; ok {
				return cl, nil
			}
			return nil, core.ErrUnknownTenant
		}))
	}
	if s.AcceptsToken != nil {
		opts = append(opts, ginclerk.AcceptsToken(s.AcceptsToken...))
	}
	if s.TokenFrom != nil {
		opts = append(opts, ginclerk.TokenFrom(s.TokenFrom...))
	}
	if s.SkipOptions != nil {
		opts = append(opts, ginclerk.SkipOptions(*s.SkipOptions))
	}
	if s.SessionKey != "" {
		opts = append(opts, ginclerk.SessionKey(s.SessionKey))
	}
	if s.BrowserPages {
		opts = append(opts, ginclerk.BrowserPages(true))
	}
	if s.OrganizationSync != nil {
		opts = append(opts, ginclerk.OrganizationSync(*s.OrganizationSync))
	}
	if s.NoSignInRedirect {
		opts = append(opts, ginclerk.SignInRedirect(false))
	}
	if s.TrustForwardedHeaders {
		opts = append(opts, ginclerk.TrustForwardedHeaders(true))
	}
	if s.CustomErrors {
		opts = append(opts, ginclerk.ErrorHandler(func(c *gin.Context, err error) {
			c.Data(authtest.CustomErrorStatus, "application/json", authtest.CustomErrorBody(err))
		}))
	}
	return opts
}

// build is the contract suite's target: a gin.Engine configured per s.
func build(t *testing.T, s authtest.Setup) func(*http.Request) (*http.Response, error) {
	mw, err := ginclerk.New(options(s)...)
	if err != nil {
		t.Fatalf("ginclerk.New: %v", err)
	}
	r := gin.New()
	if s.Outer != nil {
		r.Use(ginclerk.Middleware(ginclerk.WithClient(s.Outer), ginclerk.Optional(true), ginclerk.FetchUser(false)))
	}
	r.Use(mw)
	if s.Check != nil {
		r.GET("/protected", ginclerk.Require(s.Check), identify)
	} else {
		r.GET("/protected", identify)
	}
	r.OPTIONS("/protected", identify)
	r.Any("/any", identify)
	r.GET("/skip/ping", identify)
	return serveWith(r)
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
		Name:       "ginclerk",
		Build:      build,
		Package:    "ginclerk",
		New:        func(s authtest.Setup) error { _, err := ginclerk.New(options(s)...); return err },
		Middleware: func(s authtest.Setup) { ginclerk.Middleware(options(s)...) },
	})
}

// TestRequestContextWithoutFallback checks that code holding only the
// request's context sees the session even though the engine's
// ContextWithFallback is off (gin's default), and that a gin.Context used as
// a context.Context does not (the trap the adapter works around).
func TestRequestContextWithoutFallback(t *testing.T) {
	f := authtest.NewFake(t)
	r := gin.New()
	r.ContextWithFallback = false
	r.Use(ginclerk.Middleware(ginclerk.WithClient(f.Client), ginclerk.FetchUser(false)))
	var fromRequest, fromGin *core.Claims
	r.GET("/", func(c *gin.Context) {
		fromRequest = core.SessionFromContext(c.Request.Context())
		fromGin = core.SessionFromContext(c)
	})
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.Header.Set("Authorization", "Bearer "+f.Server.Token())
	r.ServeHTTP(httptest.NewRecorder(), req)
	if fromRequest == nil || fromRequest.Subject != f.Server.DefaultUserID() {
		t.Errorf("request context session = %+v, want subject %s", fromRequest, f.Server.DefaultUserID())
	}
	if fromGin != nil {
		t.Errorf("gin.Context without fallback unexpectedly carries the session; the test no longer shows the trap")
	}
}

// TestErrorHandlerIsAborted checks that the chain stops after a custom
// ErrorHandler that forgot to abort.
func TestErrorHandlerIsAborted(t *testing.T) {
	f := authtest.NewFake(t)
	r := gin.New()
	r.Use(ginclerk.Middleware(ginclerk.WithClient(f.Client), ginclerk.ErrorHandler(func(c *gin.Context, err error) {
		c.String(http.StatusUnauthorized, "no")
	})))
	ran := false
	r.GET("/", func(c *gin.Context) { ran = true })
	rec := httptest.NewRecorder()
	r.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	if ran || rec.Code != http.StatusUnauthorized || rec.Body.String() != "no" {
		t.Errorf("handler ran: %v, answer %d %q; want not run, 401 \"no\"", ran, rec.Code, rec.Body.String())
	}
}

func TestGettersWithoutMiddleware(t *testing.T) {
	c, _ := gin.CreateTestContext(httptest.NewRecorder())
	for _, ctx := range []*gin.Context{nil, c} {
		if u := ginclerk.User(ctx); u != nil {
			t.Errorf("User = %v, want nil", u)
		}
		if s := ginclerk.Session(ctx); s != nil {
			t.Errorf("Session = %v, want nil", s)
		}
	}
	// Auth put on the request's context by a net/http middleware is found too.
	auth := &core.Auth{Session: &core.Claims{Subject: "user_1"}, User: &core.User{ID: "user_1"}}
	c.Request = httptest.NewRequest(http.MethodGet, "/", nil).WithContext(core.WithAuth(context.Background(), auth))
	if ginclerk.Session(c) != auth.Session || ginclerk.User(c) != auth.User {
		t.Error("getters did not fall back to the request's context")
	}
}

func TestRequireWithoutMiddleware(t *testing.T) {
	r := gin.New()
	r.GET("/", ginclerk.Require(), identify)
	rec := httptest.NewRecorder()
	r.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	if rec.Code != http.StatusUnauthorized || rec.Header().Get("WWW-Authenticate") != "Bearer" {
		t.Errorf("Require with no session: %d %q, want 401 Bearer", rec.Code, rec.Header().Get("WWW-Authenticate"))
	}
}

// TestNilOptions checks that nil options, and a nil ErrorHandler, leave
// the defaults in place.
func TestNilOptions(t *testing.T) {
	f := authtest.NewFake(t)
	r := gin.New()
	r.Use(ginclerk.Middleware(nil, ginclerk.WithClient(f.Client), ginclerk.ErrorHandler(nil)))
	r.GET("/", identify)
	rec := httptest.NewRecorder()
	r.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	if rec.Code != http.StatusUnauthorized || rec.Header().Get("WWW-Authenticate") != "Bearer" || !strings.Contains(rec.Body.String(), `"reason":"token-missing"`) {
		t.Errorf("got %d %q %q, want the default 401 Bearer token-missing", rec.Code, rec.Header().Get("WWW-Authenticate"), rec.Body)
	}
}
