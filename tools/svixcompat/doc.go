// Package svixcompat checks clerkgo's webhook verification
// (github.com/clerkgo/clerk/core/webhook) and its test signer
// (core/clerktest.WebhookSigner) against Svix's own Go library,
// github.com/svix/svix-webhooks/go, which Clerk's webhooks are sent with:
// deliveries Svix signs verify here, deliveries clerktest signs verify with
// Svix, tampered ones fail with both, and both agree with the test vector of
// Svix's documentation.
//
// It is a module of its own so that the core module never depends on Svix.
// It has no API: run its tests with
//
//	go test ./tools/svixcompat/...
package svixcompat
