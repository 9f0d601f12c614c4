package fiberclerk

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/clerkgo/clerk/core"
	"github.com/gofiber/fiber/v2"
)

// TestPageRequest: the adapter's request is a core.PageRequest that tells
// the browser decision the request target, Host and TLS as received,
// through a real router.
func TestPageRequest(t *testing.T) {
	var uri, host string
	var tls bool
	app := fiber.New()
	app.Get("/dashboard", func(c *fiber.Ctx) error {
		var q core.PageRequest = request{c} // fasthttp reuses the context: read it here
		uri, host, tls = q.RequestURI(), q.Host(), q.TLS()
		return nil
	})
	if _, err := app.Test(httptest.NewRequest(http.MethodGet, "http://app.example:8080/dashboard?tab=2&a=%20b", nil)); err != nil {
		t.Fatal(err)
	}
	if uri != "/dashboard?tab=2&a=%20b" || host != "app.example:8080" || tls {
		t.Fatalf("%q %q %v", uri, host, tls)
	}
}
