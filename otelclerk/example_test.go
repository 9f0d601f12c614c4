package otelclerk_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"

	"go.opentelemetry.io/otel/attribute"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/clerkgo/clerk/core"
	"github.com/clerkgo/clerk/core/clerktest"
	"github.com/clerkgo/clerk/otelclerk"
)

// Record a client's decisions with an OpenTelemetry SDK. Here the meter
// provider reads into memory; an application gives it an OTLP or Prometheus
// exporter, or calls otelclerk.New() to use the global providers.
func Example() {
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	defer mp.Shutdown(context.Background())
	tp := sdktrace.NewTracerProvider()
	defer tp.Shutdown(context.Background())

	fake := clerktest.New()
	defer fake.Close()

	// The one line: an Observer, then Config.Observer.
	obs, err := otelclerk.New(otelclerk.WithMeterProvider(mp), otelclerk.WithTracerProvider(tp))
	if err != nil {
		panic(err)
	}
	client, err := core.New(core.Config{JWTKey: fake.PublicKeyPEM(), Name: "main", Observer: obs})
	if err != nil {
		panic(err)
	}
	defer client.Close()

	authenticator, err := core.NewAuthenticator(core.Options{Client: client, SkipUserFetch: true})
	if err != nil {
		panic(err)
	}
	for _, authorization := range []string{"Bearer " + fake.Token(), "Bearer not-a-token", ""} {
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		if authorization != "" {
			req.Header.Set("Authorization", authorization)
		}
		_, _ = authenticator.Authenticate(req.Context(), core.HTTPRequest(req))
	}

	var rm metricdata.ResourceMetrics
	if err := reader.Collect(context.Background(), &rm); err != nil {
		panic(err)
	}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if m.Name != "clerk.auth.decisions" {
				continue
			}
			var lines []string
			for _, dp := range m.Data.(metricdata.Sum[int64]).DataPoints {
				lines = append(lines, fmt.Sprintf("%s %d", dp.Attributes.Encoded(attribute.DefaultEncoder()), dp.Value))
			}
			sort.Strings(lines)
			fmt.Println(strings.Join(lines, "\n"))
		}
	}
	// Output:
	// clerk.instance=main,clerk.outcome=accepted,clerk.token.kind=session_token 1
	// clerk.instance=main,clerk.outcome=refused,clerk.reason=token-malformed 1
	// clerk.instance=main,clerk.outcome=refused,clerk.reason=token-missing 1
}
