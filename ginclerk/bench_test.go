package ginclerk_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/clerkgo/clerk/core/authtest"
	"github.com/clerkgo/clerk/ginclerk"
)

func benchmarkEngine(b *testing.B, r *gin.Engine, req *http.Request) {
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

func ok(c *gin.Context) { c.Status(http.StatusOK) }

// BenchmarkBare is the engine with no authentication, for comparison.
func BenchmarkBare(b *testing.B) {
	r := gin.New()
	r.GET("/", ok)
	benchmarkEngine(b, r, httptest.NewRequest(http.MethodGet, "/", nil))
}

// BenchmarkMiddleware is the middleware on a repeated token with
// FetchUser(false) and warm caches: the cost per request of a signed-in API
// call.
func BenchmarkMiddleware(b *testing.B) {
	fk := authtest.NewFake(b)
	r := gin.New()
	r.Use(ginclerk.Middleware(ginclerk.WithClient(fk.Client), ginclerk.FetchUser(false)))
	r.GET("/", ok)
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.Header.Set("Authorization", "Bearer "+fk.Server.Token())
	benchmarkEngine(b, r, req)
}
