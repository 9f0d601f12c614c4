package chiclerk_test

import (
	"context"
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
	_, _ = w.Write(authtest.Identify(r.Context(), chiclerk.Auth(r.Context()), chiclerk.User(r.Context()), chiclerk.Session(r.Context())).JSON())
}

// options are the middleware options of a contract Setup.
func options(s authtest.Setup) []chiclerk.Option {
	opts := []chiclerk.Option{chiclerk.WithClient(s.Client), chiclerk.FetchUser(s.FetchUser), chiclerk.Optional(s.Optional)}
	if s.Tenants != nil {
		opts = append(opts, chiclerk.ClientFunc(func(r *http.Request) (*core.Client, error) {
			if c, ok := s.Tenants[r.Host]; ok {
				return c, nil
			}
			return nil, core.ErrUnknownTenant
		}))
	}
	if s.AcceptsToken != nil {
		opts = append(opts, chiclerk.AcceptsToken(s.AcceptsToken...))
	}
	if s.TokenFrom != nil {
		opts = append(opts, chiclerk.TokenFrom(s.TokenFrom...))
	}
	if s.SkipOptions != nil {
		opts = append(opts, chiclerk.SkipOptions(*s.SkipOptions))
	}
	if s.SessionKey != "" {
		opts = append(opts, chiclerk.SessionKey(s.SessionKey))
	}
	if s.BrowserPages {
		opts = append(opts, chiclerk.BrowserPages(true))
	}
	if s.OrganizationSync != nil {
		opts = append(opts, chiclerk.OrganizationSync(*s.OrganizationSync))
	}
	if s.NoSignInRedirect {
		opts = append(opts, chiclerk.SignInRedirect(false))
	}
	if s.TrustForwardedHeaders {
		opts = append(opts, chiclerk.TrustForwardedHeaders(true))
	}
	if s.CustomErrors {
		opts = append(opts, chiclerk.ErrorHandler(func(w http.ResponseWriter, _ *http.Request, err error) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(authtest.CustomErrorStatus)
			_, _ = w.Write(authtest.CustomErrorBody(err))
		}))
	}
	return append(opts, brokenOption()...)
}

// build is the contract suite's target: a chi.Mux configured per s.
func build(t *testing.T, s authtest.Setup) func(*http.Request) (*http.Response, error) {
	mw, err := chiclerk.New(options(s)...)
	if err != nil {
		t.Fatalf("chiclerk.New: %v", err)
	}
	r := chi.NewRouter()
	if s.Outer != nil {
		r.Use(chiclerk.Middleware(chiclerk.WithClient(s.Outer), chiclerk.Optional(true), chiclerk.FetchUser(false)))
	}
	r.Use(mw)
	if s.Check != nil {
		r.With(chiclerk.Require(s.Check)).Get("/protected", identify)
	} else {
		r.Get("/protected", identify)
	}
	r.Options("/protected", identify)
	r.HandleFunc("/any", identify) // every method
	r.Get("/skip/ping", identify)
	return serveWith(brokenWriter(r))
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
		Name:       "chiclerk",
		Build:      build,
		Package:    "chiclerk",
		New:        func(s authtest.Setup) error { _, err := chiclerk.New(options(s)...); return err },
		Middleware: func(s authtest.Setup) { chiclerk.Middleware(options(s)...) },
	})
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

// TestNilOptions checks that nil options, and a nil ErrorHandler, leave
// the defaults in place.
func TestNilOptions(t *testing.T) {
	f := authtest.NewFake(t)
	h := chiclerk.Middleware(nil, chiclerk.WithClient(f.Client), chiclerk.ErrorHandler(nil))(http.HandlerFunc(identify))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	if rec.Code != http.StatusUnauthorized || rec.Header().Get("WWW-Authenticate") != "Bearer" || !strings.Contains(rec.Body.String(), `"reason":"token-missing"`) {
		t.Errorf("got %d %q %q, want the default 401 Bearer token-missing", rec.Code, rec.Header().Get("WWW-Authenticate"), rec.Body)
	}
}
