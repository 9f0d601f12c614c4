package fiberclerk

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/clerkgo/clerk/core"
	"github.com/gofiber/fiber/v2"
)

// TestPageRequest: the adapter's request is a core.PageRequest that tells
// the browser decision the request target (the raw query as received; the
// path as fasthttp normalizes it, which is the path Fiber routes), the
// Host header (fasthttp lower-cases it) and TLS, through a real router.
func TestPageRequest(t *testing.T) {
	for _, tt := range []struct{ url, uri, host string }{
		{"http://app.example:8080/dashboard?tab=2&a=%20b", "/dashboard?tab=2&a=%20b", "app.example:8080"},
		{"http://App.Example/dashboard?q=%2B+d&x=%41&&y", "/dashboard?q=%2B+d&x=%41&&y", "app.example"},
		{"http://app.example/a/../dashboard//x?tab=2", "/dashboard/x?tab=2", "app.example"},
	} {
		var uri, host string
		var tls bool
		app := fiber.New()
		app.Get("/*", func(c *fiber.Ctx) error {
			var q core.PageRequest = request{c} // fasthttp reuses the context: read it here
			uri, host, tls = q.RequestURI(), q.Host(), q.TLS()
			return nil
		})
		if _, err := app.Test(httptest.NewRequest(http.MethodGet, tt.url, nil)); err != nil {
			t.Fatal(err)
		}
		if uri != tt.uri || host != tt.host || tls {
			t.Errorf("%s: %q %q %v, want %q %q false", tt.url, uri, host, tls, tt.uri, tt.host)
		}
	}
}
