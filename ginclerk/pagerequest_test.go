package ginclerk

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/clerkgo/clerk/core"
	"github.com/gin-gonic/gin"
)

// TestPageRequest: the adapter's request is a core.PageRequest that tells
// the browser decision the request target, Host and TLS as received,
// through a real router.
func TestPageRequest(t *testing.T) {
	var got core.PageRequest
	gin.SetMode(gin.TestMode)
	r := gin.New()
	r.GET("/dashboard", func(c *gin.Context) { got = request{c} })
	r.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "http://app.example:8080/dashboard?tab=2&a=%20b", nil))
	if got == nil || got.RequestURI() != "/dashboard?tab=2&a=%20b" || got.Host() != "app.example:8080" || got.TLS() {
		t.Fatalf("%v", got)
	}
}
