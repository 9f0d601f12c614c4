package otelclerk

import (
	"context"
	"fmt"
	"runtime/debug"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/clerkgo/clerk/core"
	"github.com/clerkgo/clerk/internal/version"
)

// ScopeName is the instrumentation scope of the meter and the tracer.
const ScopeName = "github.com/clerkgo/clerk/otelclerk"

// Attribute keys of the metrics, spans and events.
const (
	// InstanceKey is the client's Config.Name (left out when empty).
	InstanceKey = attribute.Key("clerk.instance")
	// TokenKindKey is the kind of token a decision was about
	// ([core.TokenKind]; left out when there was no token).
	TokenKindKey = attribute.Key("clerk.token.kind")
	// OutcomeKey is how a decision ended (accepted, refused, signed_out,
	// skipped) or a call (ok, error).
	OutcomeKey = attribute.Key("clerk.outcome")
	// ReasonKey is why a request was refused ([core.Reason]; left out when
	// it was accepted or skipped).
	ReasonKey = attribute.Key("clerk.reason")
	// OpKey is what a call to Clerk did ([core.CallOp]).
	OpKey = attribute.Key("clerk.op")
	// CacheKey is the cache looked up: token, user or machine.
	CacheKey = attribute.Key("clerk.cache")
	// CacheLayerKey is the layer of the cache: memory or shared.
	CacheLayerKey = attribute.Key("clerk.cache.layer")
	// CacheHitKey reports whether the lookup found a usable entry.
	CacheHitKey = attribute.Key("clerk.cache.hit")
)

// The values of [OutcomeKey].
const (
	OutcomeAccepted  = "accepted"
	OutcomeRefused   = "refused"
	OutcomeSignedOut = "signed_out" // refused, and let through signed out (Optional mode)
	OutcomeSkipped   = "skipped"
	OutcomeOK        = "ok"
	OutcomeError     = "error"
)

// DecisionEvent is the name of the event a decision adds to the request's
// span when it is recording.
const DecisionEvent = "clerk.auth.decision"

// Bucket boundaries (seconds) of the duration histograms. A decision takes
// from a few microseconds (a cached token) to seconds (Clerk is slow); a call
// is a network round trip.
var (
	decisionBuckets = []float64{0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5}
	callBuckets     = []float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10}
)

// Version is the version of this instrumentation, recorded as the version
// of its instrumentation scope: the module version the build recorded, else
// the clerkgo release.
func Version() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, dep := range bi.Deps {
			if dep.Path == ScopeName && dep.Replace == nil && dep.Version != "" && dep.Version != "(devel)" {
				return dep.Version
			}
		}
	}
	return version.Version
}

// Option configures [New].
type Option func(*config)

type config struct {
	mp metric.MeterProvider
	tp trace.TracerProvider
}

// WithMeterProvider sets the MeterProvider the metrics are recorded with.
// Default (or nil): otel.GetMeterProvider() at the time of New.
func WithMeterProvider(mp metric.MeterProvider) Option {
	return func(c *config) {
		if mp != nil {
			c.mp = mp
		}
	}
}

// WithTracerProvider sets the TracerProvider the spans are started with.
// Default (or nil): otel.GetTracerProvider() at the time of New.
func WithTracerProvider(tp trace.TracerProvider) Option {
	return func(c *config) {
		if tp != nil {
			c.tp = tp
		}
	}
}

// Observer records what Clerk clients do as OpenTelemetry metrics and
// spans. Set it as core.Config.Observer; one Observer can serve many
// clients (their Config.Name tells them apart). Build it with [New]; the
// methods of a nil or zero Observer do nothing.
type Observer struct {
	tracer       trace.Tracer
	decisions    metric.Int64Counter
	decisionTime metric.Float64Histogram
	calls        metric.Int64Counter
	callTime     metric.Float64Histogram
	lookups      metric.Int64Counter

	decisionAttrs attrCache[decisionKey]
	callAttrs     attrCache[callKey]
	lookupAttrs   attrCache[lookupKey]
}

var _ core.Observer = (*Observer)(nil)

// New returns an Observer recording with the providers of the options (by
// default the global ones). It fails only when the meter refuses to create
// an instrument.
func New(opts ...Option) (*Observer, error) {
	var c config
	for _, o := range opts {
		if o != nil {
			o(&c)
		}
	}
	if c.mp == nil {
		c.mp = otel.GetMeterProvider()
	}
	if c.tp == nil {
		c.tp = otel.GetTracerProvider()
	}
	v := Version()
	meter := c.mp.Meter(ScopeName, metric.WithInstrumentationVersion(v))
	o := &Observer{tracer: c.tp.Tracer(ScopeName, trace.WithInstrumentationVersion(v))}
	var err error
	if o.decisions, err = meter.Int64Counter("clerk.auth.decisions",
		metric.WithUnit("{decision}"),
		metric.WithDescription("Authentication decisions, by outcome and reason.")); err != nil {
		return nil, fmt.Errorf("otelclerk: clerk.auth.decisions: %w", err)
	}
	if o.decisionTime, err = meter.Float64Histogram("clerk.auth.duration",
		metric.WithUnit("s"),
		metric.WithDescription("Duration of authentication decisions, including any call to Clerk they waited for."),
		metric.WithExplicitBucketBoundaries(decisionBuckets...)); err != nil {
		return nil, fmt.Errorf("otelclerk: clerk.auth.duration: %w", err)
	}
	if o.calls, err = meter.Int64Counter("clerk.calls",
		metric.WithUnit("{call}"),
		metric.WithDescription("Calls to Clerk (key fetches, user fetches, machine-token verifications), by outcome.")); err != nil {
		return nil, fmt.Errorf("otelclerk: clerk.calls: %w", err)
	}
	if o.callTime, err = meter.Float64Histogram("clerk.call.duration",
		metric.WithUnit("s"),
		metric.WithDescription("Duration of calls to Clerk."),
		metric.WithExplicitBucketBoundaries(callBuckets...)); err != nil {
		return nil, fmt.Errorf("otelclerk: clerk.call.duration: %w", err)
	}
	if o.lookups, err = meter.Int64Counter("clerk.cache.lookups",
		metric.WithUnit("{lookup}"),
		metric.WithDescription("Lookups in the caches of Clerk clients, by cache, layer and hit.")); err != nil {
		return nil, fmt.Errorf("otelclerk: clerk.cache.lookups: %w", err)
	}
	return o, nil
}

func (o *Observer) ready() bool { return o != nil && o.tracer != nil && o.lookups != nil }

// Decision counts the decision, records its duration and, when ctx carries
// a recording span, adds a [DecisionEvent] to it.
func (o *Observer) Decision(ctx context.Context, d core.Decision) {
	if !o.ready() {
		return
	}
	if ctx == nil {
		ctx = context.Background()
	}
	k := decisionKey{instance: d.Instance, kind: d.Kind, reason: d.Reason, outcome: outcome(d)}
	a := o.decisionAttrs.get(k)
	o.decisions.Add(ctx, 1, a.add...)
	o.decisionTime.Record(ctx, d.Duration.Seconds(), a.record...)
	if span := trace.SpanFromContext(ctx); span.IsRecording() {
		span.AddEvent(DecisionEvent, trace.WithAttributes(a.kvs...))
	}
}

// Call starts a client span for the call, a child of the span in ctx, and
// returns ctx carrying it; done ends the span, recording a failure, and
// counts the call and its duration.
func (o *Observer) Call(ctx context.Context, c core.Call) (context.Context, func(error)) {
	if !o.ready() {
		return ctx, func(error) {}
	}
	if ctx == nil {
		ctx = context.Background()
	}
	start := time.Now()
	base := callKey{instance: c.Instance, op: c.Op}
	ctx, span := o.tracer.Start(ctx, spanName(c.Op),
		trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(base.spanAttributes()...))
	var ended atomic.Bool
	return ctx, func(err error) {
		if !ended.CompareAndSwap(false, true) { // a second done counts nothing
			return
		}
		k := base
		if err != nil {
			k.errType = errorType(err)
			msg := errorMessage(c.Op, k.errType)
			span.SetStatus(codes.Error, msg)
			span.SetAttributes(semconv.ErrorTypeKey.String(k.errType))
			// Not span.RecordError(err): it would record err.Error(), and
			// the text of a Backend API error names its path, so a user ID.
			span.AddEvent(semconv.ExceptionEventName, trace.WithAttributes(
				semconv.ExceptionType(goType(err)),
				semconv.ExceptionMessage(msg)))
		}
		a := o.callAttrs.get(k)
		o.calls.Add(ctx, 1, a.add...)
		o.callTime.Record(ctx, time.Since(start).Seconds(), a.record...)
		span.End()
	}
}

// CacheLookup counts the lookup.
func (o *Observer) CacheLookup(ctx context.Context, l core.CacheLookup) {
	if !o.ready() {
		return
	}
	if ctx == nil {
		ctx = context.Background()
	}
	k := lookupKey{instance: l.Instance, cache: l.Cache, layer: l.Layer, hit: l.Hit}
	o.lookups.Add(ctx, 1, o.lookupAttrs.get(k).add...)
}

// outcome names how a decision ended, as the core's debug log does.
func outcome(d core.Decision) string {
	switch {
	case d.Skipped:
		return OutcomeSkipped
	case d.Reason != "" && d.Optional:
		return OutcomeSignedOut
	case d.Reason != "":
		return OutcomeRefused
	}
	return OutcomeAccepted
}

// spanName is "clerk.<op>", without an allocation for the known ops.
func spanName(op core.CallOp) string {
	switch op {
	case core.CallJWKS:
		return "clerk.jwks"
	case core.CallUser:
		return "clerk.user"
	case core.CallVerifyAPIKey:
		return "clerk.verify_api_key"
	case core.CallVerifyM2MToken:
		return "clerk.verify_m2m_token"
	case core.CallVerifyOAuthToken:
		return "clerk.verify_oauth_token"
	}
	return "clerk." + string(op)
}
