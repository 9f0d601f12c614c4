package demo_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/clerkgo/clerk/examples/internal/demo"
)

func TestServe(t *testing.T) {
	errListen := errors.New("listen failed")
	errShutdown := errors.New("shutdown failed")
	tests := []struct {
		name        string
		failServe   error // returned by serve at once, before ctx is done
		afterClose  error // returned by serve once shut down
		shutdownErr error
		want        error
		wantClosed  bool // shutdown was called
	}{
		{name: "clean shutdown", afterClose: http.ErrServerClosed, wantClosed: true},
		{name: "serve returns nil after shutdown", afterClose: nil, wantClosed: true},
		{name: "serve fails", failServe: errListen, want: errListen},
		{name: "shutdown fails", afterClose: http.ErrServerClosed, shutdownErr: errShutdown, want: errShutdown, wantClosed: true},
		{name: "serve fails while shutting down", afterClose: errListen, want: errListen, wantClosed: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			closed := make(chan struct{})
			serve := func() error {
				if tt.failServe != nil {
					return tt.failServe
				}
				cancel() // a signal arrives while serving
				<-closed
				return tt.afterClose
			}
			shutdownCalled := false
			shutdown := func(ctx context.Context) error {
				shutdownCalled = true
				if _, ok := ctx.Deadline(); !ok {
					t.Error("shutdown context has no deadline")
				}
				close(closed)
				return tt.shutdownErr
			}
			err := demo.Serve(ctx, serve, shutdown)
			cancel()
			if !errors.Is(err, tt.want) || (tt.want == nil && err != nil) {
				t.Errorf("Serve = %v, want %v", err, tt.want)
			}
			if shutdownCalled != tt.wantClosed {
				t.Errorf("shutdown called: %v, want %v", shutdownCalled, tt.wantClosed)
			}
		})
	}
}
