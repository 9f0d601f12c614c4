package ginclerk_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/clerkgo/clerk/core/webhook"
	"github.com/clerkgo/clerk/core/webhook/webhooktest"
	"github.com/clerkgo/clerk/ginclerk"
)

// The webhook contract on a real gin.Engine, the endpoint mounted for every
// method.
func TestWebhookContract(t *testing.T) {
	webhooktest.Run(t, webhooktest.Target{
		Name:    "gin",
		Package: "ginclerk",
		Build: func(t *testing.T, fn webhook.HandlerFunc, opts ...webhook.Option) func(*http.Request) (*http.Response, error) {
			h, err := ginclerk.NewWebhook(fn, opts...)
			if err != nil {
				t.Fatalf("ginclerk.NewWebhook: %v", err)
			}
			r := gin.New()
			r.Any(webhooktest.Path, h)
			return func(req *http.Request) (*http.Response, error) {
				rec := httptest.NewRecorder()
				r.ServeHTTP(rec, req)
				return rec.Result(), nil
			}
		},
		New: func(fn webhook.HandlerFunc, opts ...webhook.Option) error {
			_, err := ginclerk.NewWebhook(fn, opts...)
			return err
		},
		Webhook: func(fn webhook.HandlerFunc, opts ...webhook.Option) { ginclerk.Webhook(fn, opts...) },
	})
}
