package chiclerk_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/go-chi/chi/v5"

	"github.com/clerkgo/clerk/chiclerk"
	"github.com/clerkgo/clerk/core/authtest"
)

func benchmarkRouter(b *testing.B, r *chi.Mux, req *http.Request) {
	b.Helper()
	rec := httptest.NewRecorder()
	r.ServeHTTP(rec, req) // warm up: keys and verified-token caches
	if rec.Code != http.StatusOK {
		b.Fatalf("warm-up status %d", rec.Code)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		rec := httptest.NewRecorder()
		r.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d", rec.Code)
		}
	}
}

func ok(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) }

// BenchmarkBare is the router with no authentication, for comparison.
func BenchmarkBare(b *testing.B) {
	r := chi.NewRouter()
	r.Get("/", ok)
	benchmarkRouter(b, r, httptest.NewRequest(http.MethodGet, "/", nil))
}

// BenchmarkMiddleware is the middleware on a repeated token with
// FetchUser(false) and warm caches: the cost per request of a signed-in API
// call.
func BenchmarkMiddleware(b *testing.B) {
	fk := authtest.NewFake(b)
	r := chi.NewRouter()
	r.Use(chiclerk.Middleware(chiclerk.WithClient(fk.Client), chiclerk.FetchUser(false)))
	r.Get("/", ok)
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.Header.Set("Authorization", "Bearer "+fk.Server.Token())
	benchmarkRouter(b, r, req)
}
