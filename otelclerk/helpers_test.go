package otelclerk_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/clerkgo/clerk/core"
	"github.com/clerkgo/clerk/core/clerktest"
	"github.com/clerkgo/clerk/otelclerk"
)

// instance is the Config.Name of the harness's client.
const instance = "tenant-a"

// harness is a real client against the fake Clerk, observed by an Observer
// that records into an in-memory metric reader and span recorder.
type harness struct {
	fake   *clerktest.Server
	client *core.Client
	auth   *core.Authenticator
	reader *sdkmetric.ManualReader
	spans  *tracetest.SpanRecorder
	tp     *sdktrace.TracerProvider
}

// newHarness builds a harness; edit adjusts the client's Config and the
// authenticator's Options (nil: defaults).
func newHarness(t testing.TB, edit func(*core.Config, *core.Options)) *harness {
	t.Helper()
	h := &harness{fake: clerktest.New(), reader: sdkmetric.NewManualReader(), spans: tracetest.NewSpanRecorder()}
	t.Cleanup(h.fake.Close)
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(h.reader))
	h.tp = sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(h.spans))
	t.Cleanup(func() {
		_ = mp.Shutdown(context.Background())
		_ = h.tp.Shutdown(context.Background())
	})
	obs, err := otelclerk.New(otelclerk.WithMeterProvider(mp), otelclerk.WithTracerProvider(h.tp))
	if err != nil {
		t.Fatal(err)
	}
	cfg := core.Config{
		SecretKey: h.fake.SecretKey(), APIURL: h.fake.URL, ProxyURL: h.fake.URL,
		HTTPClient: h.fake.Client(), Observer: obs, Name: instance,
	}
	opts := core.Options{}
	if edit != nil {
		edit(&cfg, &opts)
	}
	if h.client, err = core.New(cfg); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = h.client.Close() })
	opts.Client = h.client
	if h.auth, err = core.NewAuthenticator(opts); err != nil {
		t.Fatal(err)
	}
	return h
}

// authenticate sends one request through the authenticator: with method
// (default GET) and, unless empty, the Authorization header.
func (h *harness) authenticate(ctx context.Context, method, authorization string) (*core.Auth, error) {
	if method == "" {
		method = http.MethodGet
	}
	r := httptest.NewRequestWithContext(ctx, method, "/", nil)
	if authorization != "" {
		r.Header.Set("Authorization", authorization)
	}
	if method == http.MethodOptions { // a CORS preflight
		r.Header.Set("Origin", "https://app.example")
		r.Header.Set("Access-Control-Request-Method", http.MethodPost)
	}
	return h.auth.Authenticate(r.Context(), core.HTTPRequest(r))
}

// collect reads the metrics recorded so far.
func (h *harness) collect(t testing.TB) metricdata.ResourceMetrics {
	t.Helper()
	var rm metricdata.ResourceMetrics
	if err := h.reader.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	return rm
}

// find returns the metric named name, and whether there is one.
func find(rm metricdata.ResourceMetrics, name string) (metricdata.Metrics, bool) {
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if m.Name == name {
				return m, true
			}
		}
	}
	return metricdata.Metrics{}, false
}

// key spells an attribute set as "k=v,k=v", keys sorted.
func key(s attribute.Set) string { return s.Encoded(attribute.DefaultEncoder()) }

// counts returns a counter's value per attribute set (see key).
func counts(t testing.TB, rm metricdata.ResourceMetrics, name string) map[string]int64 {
	t.Helper()
	out := map[string]int64{}
	m, ok := find(rm, name)
	if !ok {
		return out
	}
	sum, ok := m.Data.(metricdata.Sum[int64])
	if !ok {
		t.Fatalf("%s is a %T, want a Sum[int64]", name, m.Data)
	}
	if !sum.IsMonotonic {
		t.Errorf("%s is not monotonic", name)
	}
	for _, dp := range sum.DataPoints {
		out[key(dp.Attributes)] = dp.Value
	}
	return out
}

// histogram returns a histogram's count per attribute set, and checks its
// bounds and that every point's sum is non-negative.
func histogram(t testing.TB, rm metricdata.ResourceMetrics, name string) map[string]uint64 {
	t.Helper()
	out := map[string]uint64{}
	m, ok := find(rm, name)
	if !ok {
		return out
	}
	hist, ok := m.Data.(metricdata.Histogram[float64])
	if !ok {
		t.Fatalf("%s is a %T, want a Histogram[float64]", name, m.Data)
	}
	for _, dp := range hist.DataPoints {
		if dp.Sum < 0 {
			t.Errorf("%s{%s}: sum %v < 0", name, key(dp.Attributes), dp.Sum)
		}
		out[key(dp.Attributes)] = dp.Count
	}
	return out
}

// spanSummary is a finished span in a form tables can spell.
type spanSummary struct {
	Name, Kind, Status, Desc string
	Attrs                    string   // attribute set, see key
	Events                   []string // "name{attributes}"
}

func summarize(s sdktrace.ReadOnlySpan) spanSummary {
	out := spanSummary{
		Name: s.Name(), Kind: s.SpanKind().String(),
		Status: s.Status().Code.String(), Desc: s.Status().Description,
		Attrs: key(attribute.NewSet(s.Attributes()...)),
	}
	for _, e := range s.Events() {
		out.Events = append(out.Events, e.Name+"{"+key(attribute.NewSet(e.Attributes...))+"}")
	}
	return out
}

// clerkSpans returns the summaries of the ended spans named clerk.*, by
// name.
func (h *harness) clerkSpans() []spanSummary {
	var out []spanSummary
	for _, s := range h.spans.Ended() {
		if strings.HasPrefix(s.Name(), "clerk.") {
			out = append(out, summarize(s))
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
