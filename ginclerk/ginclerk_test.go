package ginclerk_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/clerkgo/clerk/core"
	"github.com/clerkgo/clerk/core/authtest"
	"github.com/clerkgo/clerk/ginclerk"
)

func TestMain(m *testing.M) {
	gin.SetMode(gin.TestMode)
	os.Exit(m.Run())
}

// identify is the contract's downstream handler.
func identify(c *gin.Context) {
	c.Data(http.StatusOK, "application/json", authtest.Identify(c.Request.Context(), ginclerk.User(c), ginclerk.Session(c)).JSON())
}

// build is the contract suite's target: a gin.Engine configured per s.
func build(t *testing.T, s authtest.Setup) func(*http.Request) (*http.Response, error) {
	opts := []ginclerk.Option{ginclerk.WithClient(s.Client), ginclerk.FetchUser(s.FetchUser), ginclerk.Optional(s.Optional)}
	if s.SessionKey != "" {
		opts = append(opts, ginclerk.SessionKey(s.SessionKey))
	}
	if s.CustomErrors {
		opts = append(opts, ginclerk.ErrorHandler(func(c *gin.Context, err error) {
			c.Data(authtest.CustomErrorStatus, "application/json", authtest.CustomErrorBody(err))
		}))
	}
	mw, err := ginclerk.New(opts...)
	if err != nil {
		t.Fatalf("ginclerk.New: %v", err)
	}
	r := gin.New()
	r.Use(mw)
	if s.Check != nil {
		r.GET("/protected", ginclerk.Require(s.Check), identify)
	} else {
		r.GET("/protected", identify)
	}
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
	authtest.Run(t, authtest.Target{Name: "ginclerk", Build: build})
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

// clearEnv removes every CLERK_* variable for the test.
func clearEnv(t *testing.T) {
	for _, k := range []string{core.EnvSecretKey, core.EnvAPIKey, core.EnvPublishableKey, core.EnvAPIURL,
		core.EnvJWTKey, core.EnvAuthorizedParties, core.EnvDomain, core.EnvProxyURL} {
		t.Setenv(k, "")
	}
}

func TestNewWithoutEnvironment(t *testing.T) {
	clearEnv(t)
	if _, err := ginclerk.New(); !errors.Is(err, core.ErrNoKeySource) {
		t.Fatalf("New() with no CLERK_* variables: err = %v, want core.ErrNoKeySource", err)
	}
	msg := panicMessage(func() { ginclerk.Middleware() })
	if !strings.Contains(msg, "ginclerk") || !strings.Contains(msg, core.EnvSecretKey) {
		t.Fatalf("Middleware() panic %q does not name the package and the missing variable", msg)
	}
}

func TestBadEnvironmentNamesNoSecret(t *testing.T) {
	clearEnv(t)
	const secret = "sk_live_has spaces and is secret"
	t.Setenv(core.EnvSecretKey, secret)
	_, err := ginclerk.New()
	if err == nil {
		t.Fatal("New() accepted a malformed CLERK_SECRET_KEY")
	}
	msg := panicMessage(func() { ginclerk.Middleware() })
	if !strings.Contains(msg, core.EnvSecretKey) {
		t.Errorf("panic %q does not name %s", msg, core.EnvSecretKey)
	}
	for _, s := range []string{err.Error(), msg} {
		if strings.Contains(s, "sk_live_has") || strings.Contains(s, "is secret") {
			t.Errorf("error %q reveals the secret key", s)
		}
	}
}

func TestNewFromEnvironment(t *testing.T) {
	clearEnv(t)
	f := authtest.NewFake(t)
	t.Setenv(core.EnvSecretKey, f.Server.SecretKey())
	t.Setenv(core.EnvAPIURL, f.Server.URL)
	mw, err := ginclerk.New(ginclerk.FetchUser(false))
	if err != nil {
		t.Fatalf("New() with CLERK_SECRET_KEY set: %v", err)
	}
	r := gin.New()
	r.GET("/", mw, identify)
	rec := httptest.NewRecorder()
	r.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	if rec.Code != http.StatusUnauthorized {
		t.Fatalf("status %d, want 401", rec.Code)
	}
}

func TestFetchUserNeedsSecretKey(t *testing.T) {
	f := authtest.NewFake(t)
	c, err := core.New(core.Config{JWTKey: f.Server.PublicKeyPEM()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	if _, err := ginclerk.New(ginclerk.WithClient(c)); !errors.Is(err, core.ErrFetchUserNeedsSecretKey) {
		t.Errorf("New(WithClient(jwt-key-only)): err = %v, want core.ErrFetchUserNeedsSecretKey", err)
	}
	if _, err := ginclerk.New(ginclerk.WithClient(c), ginclerk.FetchUser(false)); err != nil {
		t.Errorf("New(WithClient(jwt-key-only), FetchUser(false)): %v", err)
	}
	if msg := panicMessage(func() { ginclerk.Middleware(ginclerk.WithClient(c)) }); !strings.Contains(msg, "FetchUser") {
		t.Errorf("Middleware panic %q does not explain the problem", msg)
	}
}

func TestBadSessionKey(t *testing.T) {
	f := authtest.NewFake(t)
	if _, err := ginclerk.New(ginclerk.WithClient(f.Client), ginclerk.SessionKey("bad key;")); err == nil {
		t.Error("New accepted an invalid cookie name")
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

func panicMessage(fn func()) (msg string) {
	defer func() {
		if r := recover(); r != nil {
			msg, _ = r.(string)
			if msg == "" {
				msg = "non-string panic"
			}
		}
	}()
	fn()
	return ""
}
