package chiclerk_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/go-chi/chi/v5"

	"github.com/clerkgo/clerk/chiclerk"
	"github.com/clerkgo/clerk/core/webhook"
	"github.com/clerkgo/clerk/core/webhook/webhooktest"
)

// The webhook contract on a real chi.Mux, the endpoint mounted for every
// method.
func TestWebhookContract(t *testing.T) {
	webhooktest.Run(t, webhooktest.Target{
		Name:    "chi",
		Package: "chiclerk",
		Build: func(t *testing.T, fn webhook.HandlerFunc, opts ...webhook.Option) func(*http.Request) (*http.Response, error) {
			h, err := chiclerk.NewWebhook(fn, opts...)
			if err != nil {
				t.Fatalf("chiclerk.NewWebhook: %v", err)
			}
			r := chi.NewRouter()
			r.Handle(webhooktest.Path, h)
			return func(req *http.Request) (*http.Response, error) {
				rec := httptest.NewRecorder()
				r.ServeHTTP(rec, req)
				return rec.Result(), nil
			}
		},
		New: func(fn webhook.HandlerFunc, opts ...webhook.Option) error {
			_, err := chiclerk.NewWebhook(fn, opts...)
			return err
		},
		Webhook: func(fn webhook.HandlerFunc, opts ...webhook.Option) { chiclerk.Webhook(fn, opts...) },
	})
}
