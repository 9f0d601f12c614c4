package chiclerk_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/go-chi/chi/v5"

	"github.com/clerkgo/clerk/chiclerk"
	"github.com/clerkgo/clerk/core"
	"github.com/clerkgo/clerk/core/authtest"
)

// FuzzHeaders sends arbitrary Authorization and Cookie values through a
// chi router: no panic, and only the contract's statuses.
func FuzzHeaders(f *testing.F) {
	fk := authtest.NewFake(f)
	authtest.AddFuzzSeeds(f, fk)
	r := chi.NewRouter()
	r.Use(chiclerk.Middleware(chiclerk.WithClient(fk.Client)))
	r.With(chiclerk.Require(core.Role("org:admin"))).Get("/protected", identify)
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
