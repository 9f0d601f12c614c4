package webhooktest_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/clerkgo/clerk/core/webhook"
	"github.com/clerkgo/clerk/core/webhook/webhooktest"
)

// webhook.Handler itself passes the contract, on a net/http ServeMux.
func TestContract(t *testing.T) {
	webhooktest.Run(t, webhooktest.Target{
		Name:    "net/http",
		Package: "webhook",
		Build: func(t *testing.T, fn webhook.HandlerFunc, opts ...webhook.Option) func(*http.Request) (*http.Response, error) {
			mux := http.NewServeMux()
			mux.Handle(webhooktest.Path, webhook.Handler(fn, opts...))
			return func(r *http.Request) (*http.Response, error) {
				rec := httptest.NewRecorder()
				mux.ServeHTTP(rec, r)
				return rec.Result(), nil
			}
		},
		New: func(fn webhook.HandlerFunc, opts ...webhook.Option) error {
			_, err := webhook.NewEndpoint(fn, opts...)
			return err
		},
		Webhook: func(fn webhook.HandlerFunc, opts ...webhook.Option) { webhook.Handler(fn, opts...) },
	})
}
