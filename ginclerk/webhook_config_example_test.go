package ginclerk_test

import (
	"context"
	"fmt"
	"log"
	"net/http/httptest"
	"os"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/clerkgo/clerk/core/clerktest"
	"github.com/clerkgo/clerk/core/webhook"
	"github.com/clerkgo/clerk/ginclerk"
)

// A webhook endpoint configured in code (docs/webhooks.md), then the same
// endpoint remembering message ids: a second delivery of a message that
// was handled answers 200 without calling the handler again.
func ExampleWebhook_config() {
	signer, _ := clerktest.NewWebhookSigner()
	os.Setenv("MY_SECRET", signer.Secret()) // here; in production, the environment
	onEvent := func(ctx context.Context, ev *webhook.Event) error {
		fmt.Println("handled", ev.Type)
		return nil
	}
	data, _ := clerktest.SampleWebhookData(webhook.UserCreated)
	d, _ := signer.SignEvent(webhook.UserCreated, data)
	deliver := func(r *gin.Engine) {
		req, _ := d.Request("/webhooks/clerk")
		rec := httptest.NewRecorder()
		r.ServeHTTP(rec, req)
		fmt.Println(rec.Code, rec.Body)
	}

	r := gin.New()
	v, err := webhook.New(webhook.Config{
		Secrets:     webhook.Secrets(os.Getenv("MY_SECRET")),
		Tolerance:   5 * time.Minute, // default
		MaxBodySize: 1 << 20,         // default: 1 MiB
	})
	if err != nil {
		log.Fatal(err) // names the problem, never the secret
	}
	r.POST("/webhooks/clerk", ginclerk.Webhook(onEvent, webhook.WithVerifier(v)))
	deliver(r)
	deliver(r) // without Dedup: handled again

	r = gin.New()
	r.POST("/webhooks/clerk", ginclerk.Webhook(onEvent, webhook.WithVerifier(v), webhook.Dedup(0))) // 0: 4096 ids
	deliver(r)
	deliver(r)
	// Output:
	// handled user.created
	// 200 {"status":200,"received":true}
	// handled user.created
	// 200 {"status":200,"received":true}
	// handled user.created
	// 200 {"status":200,"received":true}
	// 200 {"status":200,"received":true,"duplicate":true}
}
