package demo_test

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/go-chi/chi/v5"
	"github.com/gofiber/fiber/v2"
	"github.com/labstack/echo/v4"

	"github.com/clerkgo/clerk/chiclerk"
	"github.com/clerkgo/clerk/core/webhook"
	"github.com/clerkgo/clerk/echoclerk"
	"github.com/clerkgo/clerk/fiberclerk"
	"github.com/clerkgo/clerk/ginclerk"
)

// One webhook endpoint per framework (docs/webhooks.md), with the same
// handler. Compiled, not run: each Webhook reads
// CLERK_WEBHOOK_SIGNING_SECRET and panics at start-up without it.
func Example_webhookRoutes() {
	onEvent := func(ctx context.Context, ev *webhook.Event) error {
		return nil // processed: 200
	}
	g, e, r, app := gin.New(), echo.New(), chi.NewRouter(), fiber.New()

	g.POST("/webhooks/clerk", ginclerk.Webhook(onEvent))          // Gin
	e.POST("/webhooks/clerk", echoclerk.Webhook(onEvent))         // Echo
	r.Post("/webhooks/clerk", chiclerk.Webhook(onEvent))          // chi
	app.Post("/webhooks/clerk", fiberclerk.Webhook(onEvent))      // Fiber
	http.Handle("POST /webhooks/clerk", webhook.Handler(onEvent)) // net/http
}
