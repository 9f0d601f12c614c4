package chiclerk_test

import (
	"context"
	"fmt"
	"net/http/httptest"

	"github.com/go-chi/chi/v5"

	"github.com/clerkgo/clerk/chiclerk"
	"github.com/clerkgo/clerk/core/clerktest"
	"github.com/clerkgo/clerk/core/webhook"
)

// A webhook endpoint in one line. A clerktest signer stands in for Clerk;
// in production the secret comes from CLERK_WEBHOOK_SIGNING_SECRET and the
// line is r.Post("/webhooks/clerk", chiclerk.Webhook(onEvent)).
func ExampleWebhook() {
	signer, _ := clerktest.NewWebhookSigner()
	v, _ := webhook.New(webhook.Config{Secrets: webhook.Secrets(signer.Secret())})
	onEvent := func(ctx context.Context, ev *webhook.Event) error {
		fmt.Println("got", ev.Type)
		return nil
	}

	r := chi.NewRouter()
	r.Post("/webhooks/clerk", chiclerk.Webhook(onEvent, webhook.WithVerifier(v))) // the one line

	data, _ := clerktest.SampleWebhookData(webhook.UserCreated)
	d, _ := signer.SignEvent(webhook.UserCreated, data)
	req, _ := d.Request("/webhooks/clerk")
	rec := httptest.NewRecorder()
	r.ServeHTTP(rec, req)
	fmt.Println(rec.Code, rec.Body)

	req.Header.Del("svix-signature")
	rec = httptest.NewRecorder()
	r.ServeHTTP(rec, req)
	fmt.Println(rec.Code)
	// Output:
	// got user.created
	// 200 {"status":200,"received":true}
	// 401
}
