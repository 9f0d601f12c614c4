// Command m2m shows one service calling another with a Clerk M2M token.
//
// The receiver (the "reports" service) is a Chi app whose route
// GET /reports accepts only M2M tokens (chiclerk.AcceptsToken) that grant
// access to its own machine (core.Scope with its machine ID). It needs no
// instance secret key: its machine secret key verifies incoming opaque M2M
// tokens, and Clerk answers only for tokens granted to that machine.
//
// The caller (the "billing" service) mints tokens with its own machine
// secret key through a core.M2MTokenSource and calls the receiver with the
// source's HTTP client, which adds "Authorization: Bearer <token>" to
// requests for the receiver's host only.
//
// Run it from the repository root:
//
//	go run ./examples/m2m
//
// It starts an embedded fake Clerk (core/clerktest) with two machines,
// billing granted access to reports, makes the calls and prints what each
// service saw. Nothing leaves the machine.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/clerkgo/clerk/chiclerk"
	"github.com/clerkgo/clerk/core"
	"github.com/clerkgo/clerk/core/clerktest"
)

func main() {
	if err := run(context.Background(), os.Stdout); err != nil {
		log.Fatal(err)
	}
}

// receiver is the reports service: GET /reports for machines granted
// access to machineID.
func receiver(client *core.Client, machineID string) http.Handler {
	r := chi.NewRouter()
	r.Group(func(r chi.Router) {
		// Machines have no user to fetch, and this client has no secret
		// key to fetch one with: FetchUser off.
		r.Use(chiclerk.Middleware(chiclerk.WithClient(client), chiclerk.AcceptsToken(core.M2MToken), chiclerk.FetchUser(false)))
		r.Use(chiclerk.Require(core.Scope(machineID)))
		r.Get("/reports", func(w http.ResponseWriter, r *http.Request) {
			a := chiclerk.Auth(r.Context())
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(map[string]any{"caller": a.Subject, "kind": a.Kind, "reports": []string{"q1", "q2"}})
		})
	})
	return r
}

// run starts the fake Clerk and the receiver, calls the receiver as the
// caller and as others, writes what happened to stdout and shuts down.
func run(ctx context.Context, stdout io.Writer) error {
	fake := clerktest.New()
	defer fake.Close()
	reports := fake.NewMachine()                          // the receiver's machine
	billing := fake.DefaultMachine()                      // the caller's machine
	fake.GrantMachineAccess(billing.ID, reports.ID)       // billing may call reports
	stranger := fake.NewMachine()                         // a machine reports does not trust
	newClient := func(key string) (*core.Client, error) { // M2M-only clients: a machine secret key alone
		return core.New(core.Config{MachineSecretKey: key, APIURL: fake.URL})
	}

	// The receiver.
	rc, err := newClient(reports.SecretKey)
	if err != nil {
		return err
	}
	defer rc.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: receiver(rc, reports.ID), ReadHeaderTimeout: 10 * time.Second}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	defer func() {
		_ = srv.Shutdown(context.WithoutCancel(ctx))
		<-done //nolint:errcheck // http.ErrServerClosed after Shutdown
	}()
	url := "http://" + ln.Addr().String() + "/reports"
	fmt.Fprintf(stdout, "reports service (machine %s) at %s\n", reports.ID, url)

	// The caller: tokens minted with its machine secret key, sent to the
	// receiver's host only.
	call := func(who, key string) error {
		cc, err := newClient(key)
		if err != nil {
			return err
		}
		defer cc.Close()
		src, err := cc.M2MTokenSource(core.M2MTokenOptions{TTL: time.Hour})
		if err != nil {
			return err
		}
		defer src.Close()
		hc, err := src.HTTPClient(ln.Addr().String())
		if err != nil {
			return err
		}
		return get(ctx, stdout, hc, who, url)
	}
	if err := call("billing (granted)", billing.SecretKey); err != nil {
		return err
	}
	if err := call("stranger (not granted)", stranger.SecretKey); err != nil {
		return err
	}
	return get(ctx, stdout, http.DefaultClient, "anonymous (no token)", url)
}

// get calls url with hc and writes the answer.
func get(ctx context.Context, stdout io.Writer, hc *http.Client, who, url string) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := hc.Do(req)
	if err != nil {
		var ce *core.Error
		if errors.As(err, &ce) {
			fmt.Fprintf(stdout, "%-24s no token: %s\n", who, ce.Reason)
			return nil
		}
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%-24s %d %s\n", who, resp.StatusCode, strings.TrimSpace(string(body)))
	return nil
}
