package echo5clerk

import (
	"fmt"

	"github.com/clerkgo/clerk/core/webhook"
	"github.com/labstack/echo/v5"
)

// Webhook returns a handler for Clerk webhooks, to mount on a POST route:
//
//	e.POST("/webhooks/clerk", echo5clerk.Webhook(onEvent))
//
// It verifies each delivery (signature, timestamp, body size), then calls
// fn with the event and the request's context, and answers as
// webhook.Endpoint documents: 200 when fn returns nil, 500 when it returns
// an error (Svix retries later), 401 or 400 with a JSON reason for a
// delivery that is forged, replayed or malformed, 405 for another method.
// Without webhook.WithVerifier the secret comes from
// CLERK_WEBHOOK_SIGNING_SECRET; webhook.Dedup turns on deduplication. An
// invalid configuration panics at once with a message naming the problem,
// never a secret; use [NewWebhook] to get the error instead.
func Webhook(fn webhook.HandlerFunc, opts ...webhook.Option) echo.HandlerFunc {
	h, err := NewWebhook(fn, opts...)
	if err != nil {
		panic(fmt.Sprintf("echo5clerk: invalid webhook configuration: %v", err))
	}
	return h
}

// NewWebhook is [Webhook] returning the configuration error instead of
// panicking.
func NewWebhook(fn webhook.HandlerFunc, opts ...webhook.Option) (echo.HandlerFunc, error) {
	e, err := webhook.NewEndpoint(fn, opts...)
	if err != nil {
		return nil, err
	}
	return func(c *echo.Context) error {
		e.ServeHTTP(c.Response(), c.Request())
		return nil
	}, nil
}
