package otelclerk_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"reflect"
	"strings"
	"sync"
	"testing"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/clerkgo/clerk/core"
	"github.com/clerkgo/clerk/core/bapi"
	"github.com/clerkgo/clerk/otelclerk"
)

// coreParentsCalls tells whether the core makes its calls to Clerk in the
// context of the request that needed them: it does, with the first
// caller's values and without its cancellation (a request giving up does
// not cancel a fetch other requests share).
const coreParentsCalls = true

// The spans of calls to Clerk, with and without a span in the request's
// context.
func TestCallSpanParents(t *testing.T) {
	tests := []struct {
		name       string
		withParent bool
	}{
		{"request span in the context", true},
		{"no span in the context", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, nil)
			ctx := context.Background()
			var request trace.Span
			if tt.withParent {
				ctx, request = h.tp.Tracer("test").Start(ctx, "request")
			}
			if _, err := h.authenticate(ctx, "", "Bearer "+h.fake.Token()); err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, s := range h.spans.Ended() {
				if !strings.HasPrefix(s.Name(), "clerk.") {
					continue
				}
				names = append(names, s.Name())
				parented := tt.withParent && coreParentsCalls
				switch {
				case parented && (s.Parent().SpanID() != request.SpanContext().SpanID() || s.SpanContext().TraceID() != request.SpanContext().TraceID()):
					t.Errorf("%s: parent %v, want the request span %v", s.Name(), s.Parent(), request.SpanContext())
				case !parented && s.Parent().IsValid():
					t.Errorf("%s: parent %v, want none", s.Name(), s.Parent())
				}
			}
			if want := []string{"clerk.jwks", "clerk.user"}; !reflect.DeepEqual(names, want) {
				t.Errorf("clerk spans = %v, want %v", names, want)
			}
		})
	}
}

// spyTransport records the span in the context of each request it sends.
type spyTransport struct {
	next http.RoundTripper
	mu   sync.Mutex
	seen map[string]trace.SpanContext // by URL path
}

func (s *spyTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	s.mu.Lock()
	s.seen[r.URL.Path] = trace.SpanContextFromContext(r.Context())
	s.mu.Unlock()
	return s.next.RoundTrip(r)
}

// The context Call returns carries its span down to the HTTP request, so
// that an instrumented transport (otelhttp) nests its span under it.
func TestCallContextReachesTheTransport(t *testing.T) {
	var spy *spyTransport
	h := newHarness(t, func(c *core.Config, _ *core.Options) {
		spy = &spyTransport{next: c.HTTPClient.Transport, seen: map[string]trace.SpanContext{}}
		hc := *c.HTTPClient
		hc.Transport = spy
		c.HTTPClient = &hc
	})
	if _, err := h.authenticate(context.Background(), "", "Bearer "+h.fake.Token()); err != nil {
		t.Fatal(err)
	}
	spans := map[string]trace.SpanContext{}
	for _, s := range h.spans.Ended() {
		spans[s.Name()] = s.SpanContext()
	}
	tests := []struct{ span, path string }{
		{"clerk.jwks", "/v1/jwks"},
		{"clerk.user", "/v1/users/" + h.fake.DefaultUserID()},
	}
	for _, tt := range tests {
		t.Run(tt.span, func(t *testing.T) {
			want, ok := spans[tt.span]
			if !ok {
				t.Fatalf("no %s span", tt.span)
			}
			spy.mu.Lock()
			got, sent := spy.seen[tt.path]
			spy.mu.Unlock()
			if !sent {
				t.Fatalf("no request to %s", tt.path)
			}
			if !got.Equal(want) {
				t.Errorf("request to %s carried span %v, want %v", tt.path, got, want)
			}
		})
	}
}

// newObserver returns an Observer recording into a fresh reader and
// recorder.
func newObserver(t *testing.T) (*otelclerk.Observer, *sdkmetric.ManualReader, *tracetest.SpanRecorder, *sdktrace.TracerProvider) {
	t.Helper()
	reader, spans := sdkmetric.NewManualReader(), tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
	obs, err := otelclerk.New(
		otelclerk.WithMeterProvider(sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))),
		otelclerk.WithTracerProvider(tp))
	if err != nil {
		t.Fatal(err)
	}
	return obs, reader, spans, tp
}

// secretUserID stands for a user ID in error texts that must not leak.
const secretUserID = "user_2SECRETsecretSECRETsecret"

// timeoutErr is a net.Error that timed out.
type timeoutErr struct{}

func (timeoutErr) Error() string   { return "i/o timeout reading " + secretUserID }
func (timeoutErr) Timeout() bool   { return true }
func (timeoutErr) Temporary() bool { return true }

// Call spans and counts each op, and describes failures by their kind,
// never by their text.
func TestCall(t *testing.T) {
	apiErr := &bapi.Error{StatusCode: http.StatusTooManyRequests, Method: http.MethodGet, Path: "/v1/users/" + secretUserID}
	if !strings.Contains(apiErr.Path, secretUserID) { // its text no longer does; its fields still do
		t.Fatalf("the test's premise: %q names the user", apiErr.Path)
	}
	tests := []struct {
		name     string
		op       core.CallOp
		instance string
		err      error
		wantSpan spanSummary
		wantCall string // clerk.calls attributes
	}{
		{
			name: "ok", op: core.CallJWKS, instance: "eu",
			wantSpan: spanSummary{Name: "clerk.jwks", Kind: "client", Status: "Unset", Attrs: "clerk.instance=eu,clerk.op=jwks"},
			wantCall: "clerk.instance=eu,clerk.op=jwks,clerk.outcome=ok",
		},
		{
			name: "no instance name", op: core.CallUser,
			wantSpan: spanSummary{Name: "clerk.user", Kind: "client", Status: "Unset", Attrs: "clerk.op=user"},
			wantCall: "clerk.op=user,clerk.outcome=ok",
		},
		{
			name: "rate limited", op: core.CallUser, err: fmt.Errorf("fetch: %w", apiErr),
			wantSpan: spanSummary{
				Name: "clerk.user", Kind: "client", Status: "Error",
				Desc:   "clerk user call failed: Clerk answered HTTP 429 Too Many Requests",
				Attrs:  "clerk.op=user,error.type=429",
				Events: []string{"exception{exception.message=clerk user call failed: Clerk answered HTTP 429 Too Many Requests,exception.type=*fmt.wrapError}"},
			},
			wantCall: "clerk.op=user,clerk.outcome=error,error.type=429",
		},
		{
			name: "deadline", op: core.CallVerifyAPIKey, err: fmt.Errorf("%s: %w", secretUserID, context.DeadlineExceeded),
			wantSpan: spanSummary{
				Name: "clerk.verify_api_key", Kind: "client", Status: "Error", Desc: "clerk verify_api_key call timed out",
				Attrs:  "clerk.op=verify_api_key,error.type=timeout",
				Events: []string{"exception{exception.message=clerk verify_api_key call timed out,exception.type=*fmt.wrapError}"},
			},
			wantCall: "clerk.op=verify_api_key,clerk.outcome=error,error.type=timeout",
		},
		{
			name: "network timeout", op: core.CallVerifyM2MToken,
			err: &url.Error{Op: "Post", URL: "https://api.clerk.com/v1/m2m_tokens/" + secretUserID, Err: timeoutErr{}},
			wantSpan: spanSummary{
				Name: "clerk.verify_m2m_token", Kind: "client", Status: "Error", Desc: "clerk verify_m2m_token call timed out",
				Attrs:  "clerk.op=verify_m2m_token,error.type=timeout",
				Events: []string{"exception{exception.message=clerk verify_m2m_token call timed out,exception.type=*url.Error}"},
			},
			wantCall: "clerk.op=verify_m2m_token,clerk.outcome=error,error.type=timeout",
		},
		{
			name: "canceled", op: core.CallVerifyOAuthToken, err: context.Canceled,
			wantSpan: spanSummary{
				Name: "clerk.verify_oauth_token", Kind: "client", Status: "Error", Desc: "clerk verify_oauth_token call canceled",
				Attrs:  "clerk.op=verify_oauth_token,error.type=canceled",
				Events: []string{"exception{exception.message=clerk verify_oauth_token call canceled,exception.type=*errors.errorString}"},
			},
			wantCall: "clerk.op=verify_oauth_token,clerk.outcome=error,error.type=canceled",
		},
		{
			name: "core reason", op: core.CallUser, err: &core.Error{Reason: core.ReasonUserFetchFailed, Err: errors.New(secretUserID)},
			wantSpan: spanSummary{
				Name: "clerk.user", Kind: "client", Status: "Error", Desc: "clerk user call failed: user-fetch-failed",
				Attrs:  "clerk.op=user,error.type=user-fetch-failed",
				Events: []string{"exception{exception.message=clerk user call failed: user-fetch-failed,exception.type=*core.Error}"},
			},
			wantCall: "clerk.op=user,clerk.outcome=error,error.type=user-fetch-failed",
		},
		{
			name: "other error", op: core.CallJWKS, err: os.ErrPermission,
			wantSpan: spanSummary{
				Name: "clerk.jwks", Kind: "client", Status: "Error", Desc: "clerk jwks call failed",
				Attrs:  "clerk.op=jwks,error.type=_OTHER",
				Events: []string{"exception{exception.message=clerk jwks call failed,exception.type=*errors.errorString}"},
			},
			wantCall: "clerk.op=jwks,clerk.outcome=error,error.type=_OTHER",
		},
		{
			name: "an op of a later core", op: core.CallOp("list_things"),
			wantSpan: spanSummary{Name: "clerk.list_things", Kind: "client", Status: "Unset", Attrs: "clerk.op=list_things"},
			wantCall: "clerk.op=list_things,clerk.outcome=ok",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			obs, reader, spans, tp := newObserver(t)
			parentCtx, parent := tp.Tracer("test").Start(context.Background(), "parent")
			ctx, done := obs.Call(parentCtx, core.Call{Instance: tt.instance, Op: tt.op})
			inner := trace.SpanFromContext(ctx).SpanContext()
			done(tt.err)
			done(tt.err) // a second done counts and ends nothing
			parent.End()

			var got []spanSummary
			for _, s := range spans.Ended() {
				if s.Name() == "parent" {
					continue
				}
				got = append(got, summarize(s))
				if !s.SpanContext().Equal(inner) {
					t.Errorf("the returned context carries %v, not the call's span %v", inner, s.SpanContext())
				}
				if s.Parent().SpanID() != parent.SpanContext().SpanID() {
					t.Errorf("parent %v, want %v", s.Parent(), parent.SpanContext())
				}
			}
			if want := []spanSummary{tt.wantSpan}; !reflect.DeepEqual(got, want) {
				t.Errorf("spans:\n got  %+v\n want %+v", got, want)
			}
			h := &harness{reader: reader}
			rm := h.collect(t)
			if got, want := counts(t, rm, "clerk.calls"), map[string]int64{tt.wantCall: 1}; !reflect.DeepEqual(got, want) {
				t.Errorf("clerk.calls = %v, want %v", got, want)
			}
			if got, want := histogram(t, rm, "clerk.call.duration"), map[string]uint64{tt.wantCall: 1}; !reflect.DeepEqual(got, want) {
				t.Errorf("clerk.call.duration counts = %v, want %v", got, want)
			}
			if dump := fmt.Sprintf("%+v %+v", tracetest.SpanStubsFromReadOnlySpans(spans.Ended()), rm); strings.Contains(dump, secretUserID) {
				t.Errorf("the error's text was exported: %s", dump)
			}
		})
	}
}
