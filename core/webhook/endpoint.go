package webhook

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
)

// HandlerFunc handles one verified event. Return nil once the event is
// processed (the delivery is answered 200) or an error to have Clerk
// deliver it again later (the delivery is answered 500; the error's text
// never leaves the process). ctx is the request's context.
type HandlerFunc func(ctx context.Context, ev *Event) error

// Option configures an [Endpoint].
type Option func(*endpointOptions)

type endpointOptions struct {
	verifier  *Verifier
	dedup     bool
	dedupSize int
}

// WithVerifier sets the verifier of the endpoint. Without it the endpoint
// builds one from CLERK_WEBHOOK_SIGNING_SECRET ([NewFromEnv]).
func WithVerifier(v *Verifier) Option { return func(o *endpointOptions) { o.verifier = v } }

// Dedup turns on deduplication by message id (svix-id): a delivery whose id
// was handled successfully before answers 200 without calling the handler
// again. The endpoint remembers up to size ids (0: [DefaultDedupSize]),
// each for exactly as long as the verifier accepts a delivery of it: up to
// signing time + tolerance included, on the verifier's clock, for the
// newest delivery of the id seen (a retry extends it). One instant later a
// replay fails the timestamp check anyway. Memory is per endpoint and per process: keep handlers idempotent
// when several instances of the app receive webhooks, or when two copies of
// one delivery can arrive at the same time.
func Dedup(size int) Option {
	return func(o *endpointOptions) { o.dedup, o.dedupSize = true, size }
}

// DefaultDedupSize is the number of message ids [Dedup] remembers by
// default.
const DefaultDedupSize = 4096

// Endpoint is an HTTP endpoint for Clerk webhooks: it verifies each
// delivery, deduplicates it if asked to, and hands the event to the
// handler. It is an [http.Handler]; adapters for other frameworks call
// [Endpoint.Handle]. The answers:
//
//	method other than POST       405 method-not-allowed (Allow: POST)
//	signature headers missing     401 headers-missing
//	no signature matches          401 signature-mismatch
//	timestamp outside tolerance   401 timestamp-too-old / timestamp-too-new
//	malformed id/timestamp/sig    400 id-invalid / timestamp-invalid / signature-malformed
//	body too large / unreadable   400 body-too-large / body-unreadable
//	body is not a Clerk event     400 payload-invalid
//	handler returned nil          200 {"status":200,"received":true}
//	duplicate (with Dedup)        200 {"status":200,"received":true,"duplicate":true}
//	handler returned an error     500 handler-failed
//
// Failure bodies are JSON: {"status":401,"reason":"signature-mismatch",
// "message":"..."}. Svix retries every delivery that is not answered 2xx.
type Endpoint struct {
	v    *Verifier
	fn   HandlerFunc
	seen *seenSet // nil without Dedup
}

// NewEndpoint returns an endpoint that passes verified events to fn. It
// fails when fn is nil, when the verifier cannot be built from the
// environment (no [WithVerifier]), or on a negative [Dedup] size.
func NewEndpoint(fn HandlerFunc, opts ...Option) (*Endpoint, error) {
	if fn == nil {
		return nil, &ConfigError{Field: "handler", Problem: "must not be nil"}
	}
	var o endpointOptions
	for _, opt := range opts {
		if opt != nil {
			opt(&o)
		}
	}
	v := o.verifier
	if v == nil {
		var err error
		if v, err = NewFromEnv(); err != nil {
			return nil, err
		}
	}
	e := &Endpoint{v: v, fn: fn}
	if o.dedup {
		switch {
		case o.dedupSize < 0:
			return nil, &ConfigError{Field: "Dedup", Problem: "size must not be negative"}
		case o.dedupSize == 0:
			o.dedupSize = DefaultDedupSize
		}
		e.seen = newSeenSet(o.dedupSize)
	}
	return e, nil
}

// Handler is [NewEndpoint] for start-up code: it panics with a message
// that names the problem (never a secret) when the configuration is
// invalid, like regexp.MustCompile.
//
//	http.Handle("POST /webhooks/clerk", webhook.Handler(onEvent))
func Handler(fn HandlerFunc, opts ...Option) *Endpoint {
	e, err := NewEndpoint(fn, opts...)
	if err != nil {
		panic(fmt.Sprintf("webhook: invalid configuration: %v", err))
	}
	return e
}

// Verifier returns the endpoint's verifier.
func (e *Endpoint) Verifier() *Verifier {
	if e == nil {
		return nil
	}
	return e.v
}

// Response is the answer of [Endpoint.Handle], for adapters to write.
type Response struct {
	// Status is the HTTP status code.
	Status int
	// Reason is the failure's code, or "" for a 2xx answer.
	Reason Reason
	// Allow is the value of the Allow header to send ("POST" with a 405),
	// or "".
	Allow string
	// Body is the JSON body. Send it with Content-Type
	// application/json and Cache-Control no-store.
	Body []byte
}

// Handle answers one delivery: the request's method, a case-insensitive
// header lookup and the raw body. ctx is passed to the handler.
func (e *Endpoint) Handle(ctx context.Context, method string, header func(name string) string, body []byte) Response {
	if method != http.MethodPost {
		return failure(ReasonMethodNotAllowed)
	}
	return e.handle(ctx, func() (*Event, delivery, error) {
		if e == nil || e.v == nil || e.v.keys == nil {
			return nil, delivery{}, ErrNoSecret
		}
		return e.v.verifyEvent(header, body)
	})
}

// ServeHTTP answers one delivery over net/http. The body is read up to the
// verifier's size limit, never further.
func (e *Endpoint) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var resp Response
	if r.Method != http.MethodPost {
		resp = failure(ReasonMethodNotAllowed)
	} else {
		resp = e.handle(r.Context(), func() (*Event, delivery, error) {
			if e == nil || e.v == nil || e.v.keys == nil {
				return nil, delivery{}, ErrNoSecret
			}
			return e.v.verifyRequest(r)
		})
	}
	h := w.Header()
	if resp.Allow != "" {
		h.Set("Allow", resp.Allow)
	}
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(resp.Status)
	_, _ = w.Write(resp.Body)
}

// handle verifies, deduplicates and dispatches. Dedup works on the instant
// the verifier checked the timestamp at, and remembers an id for exactly
// as long as the verifier accepts a delivery of it (acceptedUntil): a
// replay the verifier lets through is a duplicate up to that last instant
// included, and one after it fails the timestamp check.
func (e *Endpoint) handle(ctx context.Context, verify func() (*Event, delivery, error)) Response {
	ev, d, err := verify()
	if err != nil {
		r := ReasonOf(err)
		if r == "" { // no verifier: a server fault, not the sender's
			r = ReasonHandlerFailed
		}
		return failure(r)
	}
	until := e.v.acceptedUntil(d.signedAt)
	if e.seen != nil && e.seen.check(d.id, d.checked, until) {
		return success(true)
	}
	if err := e.fn(ctx, ev); err != nil {
		return failure(ReasonHandlerFailed)
	}
	if e.seen != nil {
		e.seen.add(d.id, d.checked, until)
	}
	return success(false)
}

// Bodies of the 2xx answers.
var (
	receivedBody  = []byte(`{"status":200,"received":true}`)
	duplicateBody = []byte(`{"status":200,"received":true,"duplicate":true}`)
)

func success(duplicate bool) Response {
	if duplicate {
		return Response{Status: http.StatusOK, Body: duplicateBody}
	}
	return Response{Status: http.StatusOK, Body: receivedBody}
}

// failure is the answer for a reason.
func failure(r Reason) Response {
	resp := Response{Status: r.Status(), Reason: r}
	if r == ReasonMethodNotAllowed {
		resp.Allow = http.MethodPost
	}
	resp.Body, _ = json.Marshal(struct {
		Status  int    `json:"status"`
		Reason  Reason `json:"reason"`
		Message string `json:"message"`
	}{resp.Status, r, r.message()})
	return resp
}

// String describes the endpoint; its verifier's secrets are redacted.
func (e *Endpoint) String() string {
	if e == nil {
		return "webhook.Endpoint(nil)"
	}
	return fmt.Sprintf("webhook.Endpoint{Verifier:%s Dedup:%t}", e.v.String(), e.seen != nil)
}

// GoString is String, so that %#v redacts the secrets too.
func (e *Endpoint) GoString() string { return e.String() }

// Format writes String for every verb.
func (e *Endpoint) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, e.String()) }

// LogValue is the redacted form for log/slog.
func (e *Endpoint) LogValue() slog.Value { return slog.StringValue(e.String()) }
