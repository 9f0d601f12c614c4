package echo5clerk_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/labstack/echo/v5"

	"github.com/clerkgo/clerk/core/webhook"
	"github.com/clerkgo/clerk/core/webhook/webhooktest"
	"github.com/clerkgo/clerk/echo5clerk"
)

// The webhook contract on a real echo.Echo, the endpoint mounted for every
// method.
func TestWebhookContract(t *testing.T) {
	webhooktest.Run(t, webhooktest.Target{
		Name:    "echo",
		Package: "echo5clerk",
		Build: func(t *testing.T, fn webhook.HandlerFunc, opts ...webhook.Option) func(*http.Request) (*http.Response, error) {
			h, err := echo5clerk.NewWebhook(fn, opts...)
			if err != nil {
				t.Fatalf("echo5clerk.NewWebhook: %v", err)
			}
			e := echo.New()
			e.Any(webhooktest.Path, h)
			return func(req *http.Request) (*http.Response, error) {
				rec := httptest.NewRecorder()
				e.ServeHTTP(rec, req)
				return rec.Result(), nil
			}
		},
		New: func(fn webhook.HandlerFunc, opts ...webhook.Option) error {
			_, err := echo5clerk.NewWebhook(fn, opts...)
			return err
		},
		Webhook: func(fn webhook.HandlerFunc, opts ...webhook.Option) { echo5clerk.Webhook(fn, opts...) },
	})
}
