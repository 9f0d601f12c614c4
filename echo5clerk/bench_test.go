package echo5clerk_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/clerkgo/clerk/core/authtest"
	"github.com/clerkgo/clerk/echo5clerk"
	"github.com/labstack/echo/v5"
)

// discard is a minimal http.ResponseWriter, so that the benchmarks measure
// the router and the middleware rather than a recorder.
type discard struct {
	h      http.Header
	status int
}

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) Write(b []byte) (int, error) { return len(b), nil }
func (d *discard) WriteHeader(status int)      { d.status = status }

func benchServe(b *testing.B, e *echo.Echo, token string) {
	req := httptest.NewRequest(http.MethodGet, "/protected", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	w := &discard{h: http.Header{}}
	e.ServeHTTP(w, req) // warm up: keys fetched, token cached
	if w.status != http.StatusOK {
		b.Fatalf("warm-up status %d", w.status)
	}
	b.ReportAllocs()
	for b.Loop() {
		w.status = 0
		e.ServeHTTP(w, req)
	}
	if w.status != http.StatusOK {
		b.Fatalf("status %d", w.status)
	}
}

func hello(c *echo.Context) error { return c.String(http.StatusOK, "hello") }

// BenchmarkBare is the router alone, with the same request as
// BenchmarkMiddleware: the floor the middleware adds to.
func BenchmarkBare(b *testing.B) {
	f := authtest.NewFake(b)
	e := echo.New()
	e.GET("/protected", hello)
	benchServe(b, e, f.Server.Token())
}

// BenchmarkMiddleware is a repeated token with FetchUser(false) and a warm
// key and token cache: the steady-state cost per request.
func BenchmarkMiddleware(b *testing.B) {
	f := authtest.NewFake(b)
	e := echo.New()
	e.Use(echo5clerk.Middleware(echo5clerk.WithClient(f.Client), echo5clerk.FetchUser(false)))
	e.GET("/protected", hello)
	benchServe(b, e, f.Server.Token())
}
