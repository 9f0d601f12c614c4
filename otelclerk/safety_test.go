package otelclerk_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/instrumentation"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/clerkgo/clerk/core"
	"github.com/clerkgo/clerk/core/clerktest"
	"github.com/clerkgo/clerk/otelclerk"
)

// exported spells out everything the SDK would export: every name, unit,
// description, scope, attribute key and value, event and status, walked
// field by field, then the whole data again as %+v.
func exported(rm metricdata.ResourceMetrics, spans []sdktrace.ReadOnlySpan) string {
	var b strings.Builder
	kvs := func(kvs []attribute.KeyValue) {
		for _, kv := range kvs {
			fmt.Fprintf(&b, "%s=%s\n", kv.Key, kv.Value.String())
		}
	}
	scope := func(s instrumentation.Scope) {
		fmt.Fprintf(&b, "scope %s %s %s\n", s.Name, s.Version, s.SchemaURL)
		kvs(s.Attributes.ToSlice())
	}
	kvs(rm.Resource.Attributes())
	for _, sm := range rm.ScopeMetrics {
		scope(sm.Scope)
		for _, m := range sm.Metrics {
			fmt.Fprintf(&b, "metric %s %s %s\n", m.Name, m.Unit, m.Description)
			switch d := m.Data.(type) {
			case metricdata.Sum[int64]:
				for _, dp := range d.DataPoints {
					kvs(dp.Attributes.ToSlice())
				}
			case metricdata.Histogram[float64]:
				for _, dp := range d.DataPoints {
					kvs(dp.Attributes.ToSlice())
				}
			default:
				fmt.Fprintf(&b, "unexpected data %T\n", d)
			}
		}
	}
	for _, s := range spans {
		scope(s.InstrumentationScope())
		fmt.Fprintf(&b, "span %s %s %s\n", s.Name(), s.Status().Code, s.Status().Description)
		kvs(s.Attributes())
		for _, e := range s.Events() {
			fmt.Fprintf(&b, "event %s\n", e.Name)
			kvs(e.Attributes)
		}
	}
	fmt.Fprintf(&b, "%+v\n%+v\n", rm, tracetest.SpanStubsFromReadOnlySpans(spans))
	return b.String()
}

// Drive accepted, refused and failing requests, then scan everything
// exported for a token, the secret key, a user ID or a session ID.
func TestNoSecretsExported(t *testing.T) {
	h := newHarness(t, func(_ *core.Config, o *core.Options) {
		o.AcceptsToken = []core.TokenKind{core.SessionToken, core.APIKey}
	})
	other := h.fake.CreateUser(clerktest.UserParams{FirstName: "Other"})
	tokens := []string{
		h.fake.Token(),
		h.fake.Token(clerktest.WithTTL(-time.Minute)),
		h.fake.Token(clerktest.WithSubject(other.ID)),
		h.fake.Token(clerktest.WithSubject("user_2doesNotExistAtTheFakeClerk00")),
		h.fake.Token(clerktest.WithAuthorizedPartyClaim("https://evil.example")),
		"ak_2SECRETapiKEYthatClerkDoesNotKnow0000",
		"eyJhbGciOiJub25lIn0.eyJzdWIiOiJ1c2VyXzJub25lIn0.",
		"not-a-token-but-secret-looking-0123456789",
	}
	steps := []struct {
		name   string
		before func()
		token  string
	}{
		{name: "accepted", token: tokens[0]},
		{name: "repeated", token: tokens[0]},
		{name: "expired", token: tokens[1]},
		{name: "user fetch fails", before: func() { h.fake.Fail(clerktest.EndpointGetUser, http.StatusInternalServerError) }, token: tokens[2]},
		{name: "user unknown", before: func() { h.fake.Recover(clerktest.EndpointGetUser) }, token: tokens[3]},
		{name: "other party", token: tokens[4]},
		{name: "API key Clerk does not know", token: tokens[5]},
		{name: "alg none", token: tokens[6]},
		{name: "garbage", token: tokens[7]},
	}
	ctx, request := h.tp.Tracer("test").Start(context.Background(), "request")
	for _, s := range steps {
		if s.before != nil {
			s.before()
		}
		_, _ = h.authenticate(ctx, "", "Bearer "+s.token)
	}
	request.End()
	dump := exported(h.collect(t), h.spans.Ended())

	for _, want := range []string{"clerk.auth.decisions", "clerk.user", "error.type=500", "clerk.reason=user-not-found", instance} {
		if !strings.Contains(dump, want) {
			t.Fatalf("the scan is vacuous: no %q in\n%s", want, dump)
		}
	}
	secrets := map[string]string{
		"secret key":      h.fake.SecretKey(),
		"session ID":      h.fake.SessionID(),
		"default user ID": h.fake.DefaultUserID(),
		"other user ID":   other.ID,
		"unknown user ID": "user_2doesNotExistAtTheFakeClerk00",
	}
	for i, tok := range tokens {
		secrets[fmt.Sprintf("token %d", i)] = tok
		if dot := strings.IndexByte(tok, '.'); dot > 0 {
			secrets[fmt.Sprintf("token %d header", i)] = tok[:dot] // a JWT's parts, too
			if last := strings.LastIndexByte(tok, '.'); last > dot+1 {
				secrets[fmt.Sprintf("token %d payload", i)] = tok[dot+1 : last]
			}
		}
	}
	for what, secret := range secrets {
		if secret == "" {
			t.Fatalf("%s is empty", what)
		}
		if strings.Contains(dump, secret) {
			t.Errorf("the %s (%q) was exported", what, secret)
		}
	}
}

// The methods of a nil or zero Observer do nothing, and a client accepts
// one.
func TestNilAndZeroObserver(t *testing.T) {
	tests := []struct {
		name string
		obs  *otelclerk.Observer
	}{
		{"nil", nil},
		{"zero", &otelclerk.Observer{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.WithValue(context.Background(), struct{}{}, "v")
			tt.obs.Decision(ctx, core.Decision{Reason: core.ReasonTokenExpired})
			tt.obs.CacheLookup(ctx, core.CacheLookup{Cache: "token", Layer: "memory"})
			got, done := tt.obs.Call(ctx, core.Call{Op: core.CallJWKS})
			if got != ctx {
				t.Error("Call returned another context")
			}
			done(errors.New("boom"))
			done(nil)
			tt.obs.Decision(nil, core.Decision{})
			if _, done := tt.obs.Call(nil, core.Call{}); done == nil {
				t.Error("nil done")
			}

			fake := clerktest.New()
			defer fake.Close()
			c, err := core.New(core.Config{JWTKey: fake.PublicKeyPEM(), Observer: tt.obs})
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if _, err := c.VerifyToken(ctx, fake.Token()); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// A nil context does not panic a working Observer either.
func TestNilContext(t *testing.T) {
	obs, _, spans, _ := newObserver(t)
	obs.Decision(nil, core.Decision{})
	obs.CacheLookup(nil, core.CacheLookup{})
	ctx, done := obs.Call(nil, core.Call{Op: "x"})
	if ctx == nil {
		t.Fatal("nil context")
	}
	done(nil)
	if n := len(spans.Ended()); n != 1 {
		t.Errorf("%d spans, want 1", n)
	}
}

// The instruments: names, units, descriptions, kinds, bucket boundaries,
// and the instrumentation scope of metrics and spans.
func TestInstruments(t *testing.T) {
	h := newHarness(t, nil)
	start := time.Now()
	if _, err := h.authenticate(context.Background(), "", "Bearer "+h.fake.Token()); err != nil {
		t.Fatal(err)
	}
	elapsed := time.Since(start).Seconds()
	rm := h.collect(t)
	if len(rm.ScopeMetrics) != 1 {
		t.Fatalf("%d scopes, want 1", len(rm.ScopeMetrics))
	}
	wantScope := instrumentation.Scope{Name: otelclerk.ScopeName, Version: otelclerk.Version()}
	if got := rm.ScopeMetrics[0].Scope; !reflect.DeepEqual(got, wantScope) {
		t.Errorf("meter scope %+v, want %+v", got, wantScope)
	}
	if otelclerk.ScopeName != "github.com/clerkgo/clerk/otelclerk" || otelclerk.Version() == "" {
		t.Errorf("scope %q version %q", otelclerk.ScopeName, otelclerk.Version())
	}
	for _, s := range h.spans.Ended() {
		if strings.HasPrefix(s.Name(), "clerk.") && !reflect.DeepEqual(s.InstrumentationScope(), wantScope) {
			t.Errorf("%s: tracer scope %+v, want %+v", s.Name(), s.InstrumentationScope(), wantScope)
		}
	}
	decisionBounds := []float64{0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5}
	callBounds := []float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10}
	tests := []struct {
		name, unit string
		histogram  bool
		bounds     []float64
	}{
		{"clerk.auth.decisions", "{decision}", false, nil},
		{"clerk.auth.duration", "s", true, decisionBounds},
		{"clerk.calls", "{call}", false, nil},
		{"clerk.call.duration", "s", true, callBounds},
		{"clerk.cache.lookups", "{lookup}", false, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, ok := find(rm, tt.name)
			if !ok {
				t.Fatal("not recorded")
			}
			if m.Unit != tt.unit || m.Description == "" {
				t.Errorf("unit %q description %q, want unit %q and a description", m.Unit, m.Description, tt.unit)
			}
			switch d := m.Data.(type) {
			case metricdata.Sum[int64]:
				if tt.histogram || !d.IsMonotonic || d.Temporality != metricdata.CumulativeTemporality {
					t.Errorf("a sum (monotonic %v, %v), want histogram %v", d.IsMonotonic, d.Temporality, tt.histogram)
				}
			case metricdata.Histogram[float64]:
				if !tt.histogram {
					t.Fatal("a histogram, want a counter")
				}
				for _, dp := range d.DataPoints {
					if !reflect.DeepEqual(dp.Bounds, tt.bounds) {
						t.Errorf("bounds %v, want %v", dp.Bounds, tt.bounds)
					}
					if dp.Sum <= 0 || dp.Sum > elapsed { // in seconds, not another unit
						t.Errorf("sum %v, want a duration in (0, %v] s", dp.Sum, elapsed)
					}
				}
			default:
				t.Errorf("data %T", d)
			}
		})
	}
}
