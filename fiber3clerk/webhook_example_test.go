package fiber3clerk_test

import (
	"context"
	"fmt"
	"io"

	"github.com/gofiber/fiber/v3"

	"github.com/clerkgo/clerk/core/clerktest"
	"github.com/clerkgo/clerk/core/webhook"
	"github.com/clerkgo/clerk/fiber3clerk"
)

// A webhook endpoint in one line. A clerktest signer stands in for Clerk;
// in production the secret comes from CLERK_WEBHOOK_SIGNING_SECRET and the
// line is app.Post("/webhooks/clerk", fiber3clerk.Webhook(onEvent)).
func ExampleWebhook() {
	signer, _ := clerktest.NewWebhookSigner()
	v, _ := webhook.New(webhook.Config{Secrets: webhook.Secrets(signer.Secret())})
	onEvent := func(ctx context.Context, ev *webhook.Event) error {
		fmt.Println("got", ev.Type)
		return nil
	}

	app := fiber.New()
	app.Post("/webhooks/clerk", fiber3clerk.Webhook(onEvent, webhook.WithVerifier(v))) // the one line

	data, _ := clerktest.SampleWebhookData(webhook.UserCreated)
	d, _ := signer.SignEvent(webhook.UserCreated, data)
	req, _ := d.Request("/webhooks/clerk")
	resp, err := app.Test(req, fiber.TestConfig{Timeout: 0}) // no timeout
	if err != nil {
		fmt.Println(err)
		return
	}
	body, _ := io.ReadAll(resp.Body)
	fmt.Println(resp.StatusCode, string(body))

	req, _ = d.Request("/webhooks/clerk")
	req.Header.Del("svix-signature")
	resp, _ = app.Test(req, fiber.TestConfig{Timeout: 0})
	fmt.Println(resp.StatusCode)
	// Output:
	// got user.created
	// 200 {"status":200,"received":true}
	// 401
}
