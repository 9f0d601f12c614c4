package fiber3clerk_test

import (
	"net/http"
	"testing"

	"github.com/gofiber/fiber/v3"

	"github.com/clerkgo/clerk/core/webhook"
	"github.com/clerkgo/clerk/core/webhook/webhooktest"
	"github.com/clerkgo/clerk/fiber3clerk"
)

// The webhook contract on a real fiber.App (through app.Test), the endpoint
// mounted for every method. Its dedup and concurrency rows would catch a
// message id that still aliased fasthttp's reused buffers.
func TestWebhookContract(t *testing.T) {
	webhooktest.Run(t, webhooktest.Target{
		Name:    "fiber",
		Package: "fiber3clerk",
		Build: func(t *testing.T, fn webhook.HandlerFunc, opts ...webhook.Option) func(*http.Request) (*http.Response, error) {
			h, err := fiber3clerk.NewWebhook(fn, opts...)
			if err != nil {
				t.Fatalf("fiber3clerk.NewWebhook: %v", err)
			}
			app := fiber.New()
			app.All(webhooktest.Path, h)
			return func(req *http.Request) (*http.Response, error) { return app.Test(req, noTimeout) }
		},
		New: func(fn webhook.HandlerFunc, opts ...webhook.Option) error {
			_, err := fiber3clerk.NewWebhook(fn, opts...)
			return err
		},
		Webhook: func(fn webhook.HandlerFunc, opts ...webhook.Option) { fiber3clerk.Webhook(fn, opts...) },
	})
}
