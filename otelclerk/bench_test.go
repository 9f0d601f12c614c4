package otelclerk_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"go.opentelemetry.io/otel/metric/noop"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	tracenoop "go.opentelemetry.io/otel/trace/noop"

	"github.com/clerkgo/clerk/core"
	"github.com/clerkgo/clerk/core/clerktest"
	"github.com/clerkgo/clerk/otelclerk"
)

// BenchmarkRepeatedToken authenticates the same session token again and
// again (the token and user caches hit: one decision and two cache lookups
// per request, no call to Clerk), without an observer (the baseline), with
// otelclerk on no-op providers (OpenTelemetry not configured), and with
// otelclerk on the SDK's providers.
func BenchmarkRepeatedToken(b *testing.B) {
	sdkObserver := func(b *testing.B) core.Observer {
		mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
		tp := sdktrace.NewTracerProvider()
		b.Cleanup(func() {
			_ = mp.Shutdown(context.Background())
			_ = tp.Shutdown(context.Background())
		})
		obs, err := otelclerk.New(otelclerk.WithMeterProvider(mp), otelclerk.WithTracerProvider(tp))
		if err != nil {
			b.Fatal(err)
		}
		return obs
	}
	noopObserver := func(b *testing.B) core.Observer {
		obs, err := otelclerk.New(otelclerk.WithMeterProvider(noop.NewMeterProvider()), otelclerk.WithTracerProvider(tracenoop.NewTracerProvider()))
		if err != nil {
			b.Fatal(err)
		}
		return obs
	}
	variants := []struct {
		name     string
		observer func(*testing.B) core.Observer
	}{
		{"baseline", func(*testing.B) core.Observer { return nil }},
		{"otelclerk-noop", noopObserver},
		{"otelclerk-sdk", sdkObserver},
	}
	for _, v := range variants {
		b.Run(v.name, func(b *testing.B) {
			fake := clerktest.New()
			defer fake.Close()
			client, err := core.New(core.Config{
				SecretKey: fake.SecretKey(), APIURL: fake.URL, ProxyURL: fake.URL,
				HTTPClient: fake.Client(), Name: instance, Observer: v.observer(b),
			})
			if err != nil {
				b.Fatal(err)
			}
			defer client.Close()
			opts := core.Options{}
			opts.Client = client
			auth, err := core.NewAuthenticator(opts)
			if err != nil {
				b.Fatal(err)
			}
			req := httptest.NewRequest(http.MethodGet, "/", nil)
			req.Header.Set("Authorization", "Bearer "+fake.Token())
			r, ctx := core.HTTPRequest(req), req.Context()
			if _, err := auth.Authenticate(ctx, r); err != nil { // warm the caches
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if _, err := auth.Authenticate(ctx, r); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
