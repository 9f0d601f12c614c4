// Package webhook receives Clerk webhooks: it verifies each delivery (Clerk
// delivers through Svix, so deliveries are signed as Svix and the Standard
// Webhooks specification describe), decodes the event into the Backend API
// models of [github.com/clerkgo/clerk/core/bapi], and serves an HTTP
// endpoint that answers as Svix expects.
//
// A [Verifier] checks a delivery from its headers and raw body:
//
//	v, err := webhook.NewFromEnv() // CLERK_WEBHOOK_SIGNING_SECRET=whsec_...
//	ev, err := v.Verify(r.Header.Get, body)
//
// It computes HMAC-SHA256, keyed with the base64-decoded part of the secret
// after "whsec_", over "<svix-id>.<svix-timestamp>.<body>" and compares it
// in constant time with each "v1,<base64>" entry of the space-separated
// svix-signature header (several secrets may be configured during a
// rotation; other signature versions are ignored). The timestamp must be
// within 5 minutes of the clock either way ([Config].Tolerance), the body at
// most 1 MiB ([Config].MaxBodySize; a reader is never read past it), and the
// Standard Webhooks header names (webhook-id, webhook-timestamp,
// webhook-signature) are accepted too. Each failure is an [*Error] with a
// stable [Reason] that matches one sentinel ([ErrSignatureMismatch],
// [ErrTimestampTooOld], ...) with errors.Is; no error, log line or
// formatted value shows a secret or a signature.
//
// An [Event] is the verified envelope (type, object, timestamp,
// instance_id, data, event_attributes). [Event.Decode] turns its data into
// the type of the event: *bapi.User for user.created, *bapi.DeletedObject
// for user.deleted, *[Session] for session.*, and so on; data of types it
// does not know stays raw JSON.
//
// An [Endpoint] is an http.Handler that verifies, optionally deduplicates
// by message id ([Dedup]), and calls a [HandlerFunc]; the framework
// adapters (ginclerk.Webhook, echoclerk.Webhook, echo5clerk.Webhook,
// chiclerk.Webhook, fiberclerk.Webhook, fiber3clerk.Webhook) mount the same
// endpoint in one line:
//
//	http.Handle("POST /webhooks/clerk", webhook.Handler(func(ctx context.Context, ev *webhook.Event) error {
//		switch ev.Type {
//		case webhook.UserCreated, webhook.UserUpdated:
//			data, err := ev.Decode()
//			if err != nil {
//				return err
//			}
//			return db.UpsertUser(ctx, data.(*bapi.User))
//		}
//		return nil
//	}))
//
// It answers 200 once the handler returns nil, 500 when it returns an error
// (so that Svix retries later), 401 for a delivery that cannot be shown to
// come from Clerk, 400 for a malformed one and 405 for a method other than
// POST; see [Endpoint] for the table. Tests sign their own deliveries with
// [github.com/clerkgo/clerk/core/clerktest.WebhookSigner].
package webhook
