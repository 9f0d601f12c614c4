package fiber3clerk

import (
	"fmt"
	"strings"

	"github.com/clerkgo/clerk/core/webhook"
	"github.com/gofiber/fiber/v3"
)

// Webhook returns a handler for Clerk webhooks, to mount on a POST route:
//
//	app.Post("/webhooks/clerk", fiber3clerk.Webhook(onEvent))
//
// It verifies each delivery (signature, timestamp, body size), then calls
// fn with the event and c.Context(), and answers as webhook.Endpoint
// documents: 200 when fn returns nil, 500 when it returns an error (Svix
// retries later), 401 or 400 with a JSON reason for a delivery that is
// forged, replayed or malformed, 405 for another method. Without
// webhook.WithVerifier the secret comes from CLERK_WEBHOOK_SIGNING_SECRET;
// webhook.Dedup turns on deduplication. An invalid configuration panics at
// once with a message naming the problem, never a secret; use [NewWebhook]
// to get the error instead.
//
// The body is verified as received (fasthttp's raw body, never
// decompressed), and the event fn gets is a copy: it stays valid after the
// handler returns, unlike Fiber's request strings.
func Webhook(fn webhook.HandlerFunc, opts ...webhook.Option) fiber.Handler {
	h, err := NewWebhook(fn, opts...)
	if err != nil {
		panic(fmt.Sprintf("fiber3clerk: invalid webhook configuration: %v", err))
	}
	return h
}

// NewWebhook is [Webhook] returning the configuration error instead of
// panicking.
func NewWebhook(fn webhook.HandlerFunc, opts ...webhook.Option) (fiber.Handler, error) {
	e, err := webhook.NewEndpoint(fn, opts...)
	if err != nil {
		return nil, err
	}
	return func(c fiber.Ctx) error {
		// c.Get aliases fasthttp's buffers: clone, since the message id
		// outlives the request (in the event, in the dedup set).
		header := func(name string) string { return strings.Clone(c.Get(name)) }
		r := e.Handle(c.Context(), c.Method(), header, c.Request().Body())
		if r.Allow != "" {
			c.Set(fiber.HeaderAllow, r.Allow)
		}
		c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
		c.Set(fiber.HeaderCacheControl, "no-store")
		return c.Status(r.Status).Send(r.Body)
	}, nil
}
