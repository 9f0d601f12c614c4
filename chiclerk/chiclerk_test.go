package chiclerk_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"

	"github.com/clerkgo/clerk/chiclerk"
	"github.com/clerkgo/clerk/core"
	"github.com/clerkgo/clerk/core/authtest"
)

// identify is the contract's downstream handler.
func identify(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(authtest.Identify(r.Context(), chiclerk.User(r.Context()), chiclerk.Session(r.Context())).JSON())
}

// build is the contract suite's target: a chi.Mux configured per s.
func build(t *testing.T, s authtest.Setup) func(*http.Request) (*http.Response, error) {
	opts := []chiclerk.Option{chiclerk.WithClient(s.Client), chiclerk.FetchUser(s.FetchUser), chiclerk.Optional(s.Optional)}
	if s.SessionKey != "" {
		opts = append(opts, chiclerk.SessionKey(s.SessionKey))
	}
	if s.CustomErrors {
		opts = append(opts, chiclerk.ErrorHandler(func(w http.ResponseWriter, _ *http.Request, err error) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(authtest.CustomErrorStatus)
			_, _ = w.Write(authtest.CustomErrorBody(err))
		}))
	}
	opts = append(opts, brokenOption()...)
	mw, err := chiclerk.New(opts...)
	if err != nil {
		t.Fatalf("chiclerk.New: %v", err)
	}
	r := chi.NewRouter()
	r.Use(mw)
	if s.Check != nil {
		r.With(chiclerk.Require(s.Check)).Get("/protected", identify)
	} else {
		r.Get("/protected", identify)
	}
	r.Get("/skip/ping", identify)
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
	authtest.Run(t, authtest.Target{Name: "chiclerk", Build: build})
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
	if _, err := chiclerk.New(); !errors.Is(err, core.ErrNoKeySource) {
		t.Fatalf("New() with no CLERK_* variables: err = %v, want core.ErrNoKeySource", err)
	}
	msg := panicMessage(func() { chiclerk.Middleware() })
	if !strings.Contains(msg, "chiclerk") || !strings.Contains(msg, core.EnvSecretKey) {
		t.Fatalf("Middleware() panic %q does not name the package and the missing variable", msg)
	}
}

func TestBadEnvironmentNamesNoSecret(t *testing.T) {
	clearEnv(t)
	const secret = "sk_live_has spaces and is secret"
	t.Setenv(core.EnvSecretKey, secret)
	_, err := chiclerk.New()
	if err == nil {
		t.Fatal("New() accepted a malformed CLERK_SECRET_KEY")
	}
	msg := panicMessage(func() { chiclerk.Middleware() })
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
	mw, err := chiclerk.New(chiclerk.FetchUser(false))
	if err != nil {
		t.Fatalf("New() with CLERK_SECRET_KEY set: %v", err)
	}
	// A request without credentials is refused without calling Clerk.
	rec := httptest.NewRecorder()
	mw(http.HandlerFunc(identify)).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
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
	if _, err := chiclerk.New(chiclerk.WithClient(c)); !errors.Is(err, core.ErrFetchUserNeedsSecretKey) {
		t.Errorf("New(WithClient(jwt-key-only)): err = %v, want core.ErrFetchUserNeedsSecretKey", err)
	}
	if _, err := chiclerk.New(chiclerk.WithClient(c), chiclerk.FetchUser(false)); err != nil {
		t.Errorf("New(WithClient(jwt-key-only), FetchUser(false)): %v", err)
	}
	if msg := panicMessage(func() { chiclerk.Middleware(chiclerk.WithClient(c)) }); !strings.Contains(msg, "FetchUser") {
		t.Errorf("Middleware panic %q does not explain the problem", msg)
	}
}

func TestBadSessionKey(t *testing.T) {
	f := authtest.NewFake(t)
	if _, err := chiclerk.New(chiclerk.WithClient(f.Client), chiclerk.SessionKey("bad key;")); err == nil {
		t.Error("New accepted an invalid cookie name")
	}
}

func TestGettersWithoutMiddleware(t *testing.T) {
	for _, ctx := range []context.Context{nil, context.Background()} {
		if u := chiclerk.User(ctx); u != nil {
			t.Errorf("User(%v) = %v, want nil", ctx, u)
		}
		if s := chiclerk.Session(ctx); s != nil {
			t.Errorf("Session(%v) = %v, want nil", ctx, s)
		}
	}
}

func TestRequireWithoutMiddleware(t *testing.T) {
	h := chiclerk.Require()(http.HandlerFunc(identify))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
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
