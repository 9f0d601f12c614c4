package ginclerk_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/clerkgo/clerk/core"
	"github.com/clerkgo/clerk/core/authtest"
	"github.com/clerkgo/clerk/ginclerk"
)

// FuzzHeaders sends arbitrary Authorization and Cookie values through a
// Gin engine: no panic, and only the contract's statuses.
func FuzzHeaders(f *testing.F) {
	fk := authtest.NewFake(f)
	authtest.AddFuzzSeeds(f, fk)
	r := gin.New()
	r.Use(ginclerk.Middleware(ginclerk.WithClient(fk.Client)))
	r.GET("/protected", ginclerk.Require(core.Role("org:admin")), identify)
	f.Fuzz(func(t *testing.T, authorization, cookie string) {
		req := httptest.NewRequest(http.MethodGet, "/protected", nil)
		req.Header["Authorization"] = []string{authorization}
		req.Header["Cookie"] = []string{cookie}
		rec := httptest.NewRecorder()
		r.ServeHTTP(rec, req)
		switch rec.Code {
		case http.StatusOK, http.StatusUnauthorized, http.StatusForbidden, http.StatusServiceUnavailable:
		default:
			t.Fatalf("status %d for Authorization %q, Cookie %q", rec.Code, authorization, cookie)
		}
	})
}
