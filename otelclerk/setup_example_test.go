package otelclerk_test

import (
	"log"
	"log/slog"

	"github.com/clerkgo/clerk/core"
	"github.com/clerkgo/clerk/otelclerk"
)

// An application configured from the environment, with a Logger and the
// OpenTelemetry Observer on the global providers (docs/observability.md).
// Compiled, not run: it reads CLERK_SECRET_KEY.
func Example_setup() {
	cfg, err := core.ConfigFromEnv()
	if err != nil {
		log.Fatal(err)
	}
	obs, err := otelclerk.New() // the global MeterProvider and TracerProvider
	if err != nil {
		log.Fatal(err)
	}
	cfg.Logger = slog.Default()
	cfg.Observer = obs
	client, err := core.New(cfg)
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
}
