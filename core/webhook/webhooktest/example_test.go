package webhooktest_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/clerkgo/clerk/core/webhook"
	"github.com/clerkgo/clerk/core/webhook/webhooktest"
)

// An adapter's test hands its router to Run. Here the target is
// webhook.Handler on a ServeMux; a testing.T comes from the test.
func Example() {
	target := webhooktest.Target{
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
	}
	// In a test: webhooktest.Run(t, target)
	fmt.Println(target.Name, webhooktest.Path)
	// Output: net/http /webhooks/clerk
}
