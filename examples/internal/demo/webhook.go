package demo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/clerkgo/clerk/core/clerktest"
	"github.com/clerkgo/clerk/core/webhook"
)

// WebhookPath is where the demo serves Clerk webhooks (POST).
const WebhookPath = "/webhooks/clerk"

// setupWebhooks configures the webhook endpoint: with the secrets of
// CLERK_WEBHOOK_SIGNING_SECRET when it is set; else, against the embedded
// fake Clerk only, with a secret generated for this run. Against a real
// instance without the variable the demo serves no webhook route.
func (a *App) setupWebhooks() error {
	v, err := webhook.NewFromEnv()
	switch {
	case err == nil:
		a.Webhooks, a.WebhookSource = v, webhook.EnvSigningSecret
		return nil
	case !errors.Is(err, webhook.ErrNoSecret):
		return err // names the variable, never its value
	case a.Fake == nil:
		return nil
	}
	signer, err := clerktest.NewWebhookSigner()
	if err != nil {
		return err
	}
	v, err = webhook.New(webhook.Config{Secrets: webhook.Secrets(signer.Secret())})
	if err != nil {
		return err
	}
	a.Webhooks, a.WebhookSigner = v, signer
	a.WebhookSource = "a secret generated for this run (set " + webhook.EnvSigningSecret + " to choose one)"
	return nil
}

// OnWebhook is the demo's webhook handler: it logs the event's type, the
// delivery's message id and the id of the event's object.
func (a *App) OnWebhook(ctx context.Context, ev *webhook.Event) error {
	var obj struct {
		ID string `json:"id"`
	}
	_ = json.Unmarshal(ev.Data, &obj) // data without an id logs "-"
	if obj.ID == "" {
		obj.ID = "-"
	}
	a.Log.Printf("webhook: %s %s %s", ev.Type, ev.MessageID, obj.ID)
	return nil
}

// webhookBanner writes the banner's webhook section.
func (a *App) webhookBanner(b *strings.Builder, base string) {
	if a.Webhooks == nil {
		fmt.Fprintf(b, "\nNo %s: no webhook route (set it to serve POST %s).\n", webhook.EnvSigningSecret, WebhookPath)
		return
	}
	fmt.Fprintf(b, "\nClerk webhooks: POST %s, verified with %s.\n", WebhookPath, a.WebhookSource)
	if a.WebhookSigner == nil {
		fmt.Fprintf(b, "In the Clerk Dashboard, point a webhook endpoint at https://<your host>%s.\n", WebhookPath)
		return
	}
	curl, err := a.SampleWebhookCurl(base)
	if err != nil {
		fmt.Fprintf(b, "(no sample delivery: %v)\n", err)
		return
	}
	fmt.Fprintf(b, "A signed sample user.created delivery, valid for %d minutes (the timestamp\n", int(webhook.DefaultTolerance.Minutes()))
	b.WriteString("tolerance; restart the demo for a fresh one); the demo logs each event:\n\n")
	b.WriteString(curl)
}

// SampleWebhookCurl returns a curl command (several lines joined with
// backslashes, ending in a newline) that posts a user.created event,
// signed now with the demo's webhook signer, to base (host:port). It
// fails when the demo has no signer (a real instance).
func (a *App) SampleWebhookCurl(base string) (string, error) {
	if a.WebhookSigner == nil {
		return "", errors.New("the demo signs sample deliveries only with a secret it knows")
	}
	d, err := a.WebhookSigner.SignEvent(webhook.UserCreated, map[string]any{
		"object": "user", "id": "user_demo", "first_name": "Demo", "last_name": "User",
		"email_addresses":          []map[string]any{{"object": "email_address", "id": "idn_demo", "email_address": "demo@example.com"}},
		"primary_email_address_id": "idn_demo", "created_at": 1716883200000, "updated_at": 1716883200000,
	})
	if err != nil {
		return "", err
	}
	if strings.ContainsRune(string(d.Body), '\'') {
		return "", errors.New("the sample body cannot be quoted for a shell")
	}
	var b strings.Builder
	fmt.Fprintf(&b, "  curl -i -X POST %s%s \\\n", base, WebhookPath)
	b.WriteString("    -H 'Content-Type: application/json' \\\n")
	fmt.Fprintf(&b, "    -H 'svix-id: %s' \\\n", d.ID)
	fmt.Fprintf(&b, "    -H 'svix-timestamp: %s' \\\n", d.Timestamp)
	fmt.Fprintf(&b, "    -H 'svix-signature: %s' \\\n", d.Signature)
	fmt.Fprintf(&b, "    --data-raw '%s'\n", d.Body)
	return b.String(), nil
}
