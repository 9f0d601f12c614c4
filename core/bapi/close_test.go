package bapi

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"go.uber.org/goleak"
)

// TestOwnTransport: without WithHTTPClient the client has a transport of
// its own, never http.DefaultTransport, which other code shares.
func TestOwnTransport(t *testing.T) {
	a, _ := NewClient(testKey)
	b, _ := NewClient(testKey)
	ta, ok := a.httpClient.Transport.(*http.Transport)
	if !ok || ta == http.DefaultTransport || ta == b.httpClient.Transport {
		t.Fatalf("transport = %#v, want a *http.Transport of the client's own", a.httpClient.Transport)
	}
	// A clone of the default keeps its settings (proxy from the
	// environment, timeouts, HTTP/2).
	def := http.DefaultTransport.(*http.Transport)
	if ta.Proxy == nil || ta.TLSHandshakeTimeout != def.TLSHandshakeTimeout || ta.IdleConnTimeout != def.IdleConnTimeout || ta.ForceAttemptHTTP2 != def.ForceAttemptHTTP2 {
		t.Errorf("transport is not a clone of http.DefaultTransport: %+v", ta)
	}
}

// TestCloseReleasesConnections: after a call, the client's idle connection
// has goroutines (its read and write loops); Close must end them.
func TestCloseReleasesConnections(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, map[string]any{"keys": []any{}})
	}))
	defer srv.Close()
	before := goleak.IgnoreCurrent()
	c, err := NewClient(testKey, WithBaseURL(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.JWKS.Get(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if err := goleak.Find(before); err != nil {
		t.Errorf("goroutines left after Close: %v", err)
	}
	// The client stays usable: a later call opens a new connection.
	if _, _, err := c.JWKS.Get(context.Background()); err != nil {
		t.Errorf("call after Close: %v", err)
	}
	_ = c.Close()
	_ = c.Close() // twice is fine
}

// countingTransport counts CloseIdleConnections calls.
type countingTransport struct {
	http.RoundTripper
	closed atomic.Int32
}

func (ct *countingTransport) CloseIdleConnections() { ct.closed.Add(1) }

// TestCloseLeavesTheCallersClient: the caller owns its transport.
func TestCloseLeavesTheCallersClient(t *testing.T) {
	ct := &countingTransport{RoundTripper: http.DefaultTransport}
	c, err := NewClient(testKey, WithHTTPClient(&http.Client{Transport: ct}))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if n := ct.closed.Load(); n != 0 {
		t.Errorf("Close closed the caller's idle connections (%d calls)", n)
	}
}
