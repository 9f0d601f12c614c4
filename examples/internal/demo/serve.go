package demo

import (
	"context"
	"errors"
	"net/http"
	"time"
)

// ShutdownTimeout bounds how long [Serve] waits for requests in flight
// when it shuts the server down.
const ShutdownTimeout = 10 * time.Second

// Serve runs serve (a server's blocking serve call) until it fails or ctx
// is done; then it calls shutdown with a [ShutdownTimeout] deadline and
// waits for serve to return. http.ErrServerClosed, which serve returns once
// shut down, is not an error:
//
//	srv := &http.Server{Handler: h}
//	demo.Serve(ctx, func() error { return srv.Serve(ln) }, srv.Shutdown)
func Serve(ctx context.Context, serve func() error, shutdown func(context.Context) error) error {
	errc := make(chan error, 1)
	go func() { errc <- serve() }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), ShutdownTimeout)
	defer cancel()
	if err := shutdown(shutdownCtx); err != nil {
		return err
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
