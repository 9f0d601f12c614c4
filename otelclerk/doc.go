// Package otelclerk is an OpenTelemetry [core.Observer]: metrics of
// authentication decisions, calls to Clerk and cache lookups, and a client
// span around each call to Clerk.
//
// Turn it on with one line:
//
//	obs, err := otelclerk.New() // the global MeterProvider and TracerProvider
//	client, err := core.New(core.Config{SecretKey: sk, Observer: obs})
//
// or pass an SDK's providers with [WithMeterProvider] and
// [WithTracerProvider].
//
// # Metrics
//
//	clerk.auth.decisions  counter    {decision}  clerk.instance, clerk.token.kind, clerk.outcome, clerk.reason
//	clerk.auth.duration   histogram  s           the same attributes
//	clerk.calls           counter    {call}      clerk.instance, clerk.op, clerk.outcome, error.type
//	clerk.call.duration   histogram  s           the same attributes
//	clerk.cache.lookups   counter    {lookup}    clerk.instance, clerk.cache, clerk.cache.layer, clerk.cache.hit
//
// clerk.outcome is accepted, refused, signed_out or skipped for a decision,
// and ok or error for a call. An attribute with no value (no instance Name,
// no token, no reason, no error) is left out. Every attribute value comes
// from a small, fixed set (the instance's Config.Name, a [core.TokenKind], a
// [core.Reason], a [core.CallOp], an HTTP status code): never a token, a
// secret, a user ID or an error's text.
//
// # Traces
//
// Each call to Clerk (a key fetch, a user fetch, a machine-token
// verification) is a span of kind Client named "clerk.<op>" (clerk.jwks,
// clerk.user, clerk.verify_api_key, ...), a child of the span in the context
// the core passes, with the clerk.instance and clerk.op attributes. A failed
// call gets the Error status, the error.type attribute and an exception
// event whose message is built from the error's kind (a timeout, an HTTP
// status), never from its text, which can name a user ID. The call's
// context carries the span, so an instrumented HTTP client (otelhttp) nests
// its own span under it.
//
// Decisions start no span (there is one per request); when the request's
// context carries a recording span, a decision adds a "clerk.auth.decision"
// event to it with the decision's attributes.
//
// An Observer is safe for concurrent use and starts no goroutine.
package otelclerk
