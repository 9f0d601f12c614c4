package webhook_test

import (
	"errors"
	"fmt"
	"io"

	"github.com/clerkgo/clerk/core/clerktest"
	"github.com/clerkgo/clerk/core/webhook"
)

// A handler of its own tells a forged or replayed delivery from other
// failures with errors.Is, and answers with ReasonOf's stable reason
// (docs/webhooks.md).
func ExampleReasonOf() {
	signer, _ := clerktest.NewWebhookSigner()
	v, _ := webhook.New(webhook.Config{Secrets: webhook.Secrets(signer.Secret())})
	d, _ := signer.SignEvent(webhook.UserCreated, map[string]string{"object": "user", "id": "user_1"})
	r, _ := d.Request("/webhooks/clerk")
	signed, _ := io.ReadAll(r.Body)

	for _, body := range [][]byte{signed, append(signed, ' ')} {
		ev, err := v.Verify(r.Header.Get, body) // or v.VerifyRequest(r), v.VerifyReader(lookup, r.Body)
		switch {
		case errors.Is(err, webhook.ErrSignatureMismatch), errors.Is(err, webhook.ErrTimestampTooOld):
			// not from Clerk, or a replay
			fmt.Println("refused:", webhook.ReasonOf(err))
		case err != nil:
			reason := webhook.ReasonOf(err) // "body-too-large", ...
			fmt.Println("bad delivery:", reason)
		default:
			fmt.Println("verified:", ev.Type)
		}
	}
	// Output:
	// verified: user.created
	// refused: signature-mismatch
}
