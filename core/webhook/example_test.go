package webhook_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/clerkgo/clerk/core/bapi"
	"github.com/clerkgo/clerk/core/clerktest"
	"github.com/clerkgo/clerk/core/webhook"
)

// An app keeps its users in step with Clerk: upsert on user.created and
// user.updated, delete on user.deleted. A signer from clerktest stands in
// for Clerk; in production the verifier comes from
// CLERK_WEBHOOK_SIGNING_SECRET (webhook.Handler(onEvent) with no options).
func Example() {
	signer, _ := clerktest.NewWebhookSigner()
	v, err := webhook.New(webhook.Config{Secrets: webhook.Secrets(signer.Secret())})
	if err != nil {
		fmt.Println(err)
		return
	}

	users := map[string]string{} // id -> display name: the app's own table
	onEvent := func(ctx context.Context, ev *webhook.Event) error {
		data, err := ev.Decode()
		if err != nil {
			return err
		}
		switch d := data.(type) {
		case *bapi.User: // user.created, user.updated
			users[d.ID] = d.DisplayName() // nil-safe: FirstName may be nil
		case *bapi.DeletedObject:
			if ev.Type == webhook.UserDeleted {
				delete(users, *d.ID)
			}
		}
		return nil
	}

	mux := http.NewServeMux()
	mux.Handle("/webhooks/clerk", webhook.Handler(onEvent, webhook.WithVerifier(v))) // the one line

	for _, typ := range []string{webhook.UserCreated, webhook.UserDeleted} {
		data, _ := clerktest.SampleWebhookData(typ)
		d, _ := signer.SignEvent(typ, data)
		req, _ := d.Request("/webhooks/clerk")
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, req)
		fmt.Println(typ, rec.Code, rec.Body, len(users))
	}

	// A forged delivery.
	req := httptest.NewRequest(http.MethodPost, "/webhooks/clerk", nil)
	req.Header.Set("svix-id", "msg_1")
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, req)
	fmt.Println(rec.Code, rec.Body)
	// Output:
	// user.created 200 {"status":200,"received":true} 1
	// user.deleted 200 {"status":200,"received":true} 0
	// 401 {"status":401,"reason":"headers-missing","message":"svix-id, svix-timestamp and svix-signature headers are required"}
}

// Verify is the framework-neutral entry point: a header lookup and the raw
// body.
func ExampleVerifier_Verify() {
	signer, _ := clerktest.NewWebhookSigner()
	v, _ := webhook.New(webhook.Config{Secrets: webhook.Secrets(signer.Secret())})
	d, _ := signer.SignEvent(webhook.SessionCreated, map[string]any{"object": "session", "id": "sess_1", "user_id": "user_1"})

	ev, err := v.Verify(d.Header().Get, d.Body)
	fmt.Println(ev.Type, err)

	_, err = v.Verify(d.Header().Get, append(d.Body, ' '))
	fmt.Println(errors.Is(err, webhook.ErrSignatureMismatch), webhook.ReasonOf(err), err)
	// Output:
	// session.created <nil>
	// true signature-mismatch clerk webhook: no signature matches
}

// Several secrets are accepted at once while a secret is rotated.
func ExampleNew_rotation() {
	oldSigner, _ := clerktest.NewWebhookSigner()
	newSigner, _ := clerktest.NewWebhookSigner()
	v, err := webhook.New(webhook.Config{Secrets: webhook.Secrets(newSigner.Secret(), oldSigner.Secret())})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range []*clerktest.WebhookSigner{oldSigner, newSigner} {
		d, _ := s.SignEvent(webhook.UserUpdated, map[string]string{"id": "user_1"})
		_, err := v.Verify(d.Header().Get, d.Body)
		fmt.Println(err)
	}
	fmt.Println(v) // never the secrets

	_, err = webhook.New(webhook.Config{Secrets: webhook.Secrets("sk_test_not_a_webhook_secret")})
	fmt.Println(err)
	// Output:
	// <nil>
	// <nil>
	// webhook.Verifier{Secrets:[2 redacted] Tolerance:5m0s MaxBodySize:1048576}
	// clerk webhook: invalid config: Secrets[0]: is a Clerk API key, not a webhook signing secret (whsec_..., on the endpoint's page of the Clerk Dashboard)
}
