package echo5clerk_test

import (
	"context"
	"fmt"
	"net/http/httptest"

	"github.com/labstack/echo/v5"

	"github.com/clerkgo/clerk/core/clerktest"
	"github.com/clerkgo/clerk/core/webhook"
	"github.com/clerkgo/clerk/echo5clerk"
)

// A webhook endpoint in one line. A clerktest signer stands in for Clerk;
// in production the secret comes from CLERK_WEBHOOK_SIGNING_SECRET and the
// line is e.POST("/webhooks/clerk", echo5clerk.Webhook(onEvent)).
func ExampleWebhook() {
	signer, _ := clerktest.NewWebhookSigner()
	v, _ := webhook.New(webhook.Config{Secrets: webhook.Secrets(signer.Secret())})
	onEvent := func(ctx context.Context, ev *webhook.Event) error {
		fmt.Println("got", ev.Type)
		return nil
	}

	e := echo.New()
	e.POST("/webhooks/clerk", echo5clerk.Webhook(onEvent, webhook.WithVerifier(v))) // the one line

	data, _ := clerktest.SampleWebhookData(webhook.UserCreated)
	d, _ := signer.SignEvent(webhook.UserCreated, data)
	req, _ := d.Request("/webhooks/clerk")
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, req)
	fmt.Println(rec.Code, rec.Body)

	req.Header.Del("svix-signature")
	rec = httptest.NewRecorder()
	e.ServeHTTP(rec, req)
	fmt.Println(rec.Code)
	// Output:
	// got user.created
	// 200 {"status":200,"received":true}
	// 401
}
