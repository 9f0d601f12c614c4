package otelclerk_test

import (
	"context"
	"log"
	"os"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/clerkgo/clerk/core"
	"github.com/clerkgo/clerk/otelclerk"
)

// exporters stands for the application's exporters: for OTLP,
// otlpmetricgrpc.New(ctx) and otlptracegrpc.New(ctx). This module does not
// depend on an exporter, so the compiled-only example below has none.
func exporters(context.Context) (sdkmetric.Exporter, sdktrace.SpanExporter, error) {
	return nil, nil, nil
}

// Wiring an SDK with exporters (docs/observability.md). Compiled, not run:
// it needs a collector and CLERK_SECRET_KEY.
func Example_wiringAnSDK() {
	ctx := context.Background()
	metricExp, traceExp, err := exporters(ctx)
	if err != nil {
		log.Fatal(err)
	}

	// metricExp, traceExp: your exporters, e.g. otlpmetricgrpc.New(ctx) and otlptracegrpc.New(ctx)
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewPeriodicReader(metricExp)))
	defer mp.Shutdown(context.Background())
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(traceExp))
	defer tp.Shutdown(context.Background())

	obs, err := otelclerk.New(otelclerk.WithMeterProvider(mp), otelclerk.WithTracerProvider(tp))
	// or: otel.SetMeterProvider(mp); otel.SetTracerProvider(tp); obs, err := otelclerk.New()
	if err != nil {
		log.Fatal(err)
	}
	client, err := core.New(core.Config{SecretKey: os.Getenv("CLERK_SECRET_KEY"), Observer: obs})
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
}
