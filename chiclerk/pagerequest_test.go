package chiclerk

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/clerkgo/clerk/core"
	"github.com/go-chi/chi/v5"
)

// TestPageRequest: the adapter's request is a core.PageRequest that tells
// the browser decision the request target, Host and TLS as received,
// through a real router.
func TestPageRequest(t *testing.T) {
	var got core.PageRequest
	r := chi.NewRouter()
	r.Get("/dashboard", func(_ http.ResponseWriter, r *http.Request) { got = request{r} })
	r.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "http://app.example:8080/dashboard?tab=2&a=%20b", nil))
	if got == nil || got.RequestURI() != "/dashboard?tab=2&a=%20b" || got.Host() != "app.example:8080" || got.TLS() {
		t.Fatalf("%v", got)
	}
}
