package authtest

import (
	"bufio"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/clerkgo/clerk/core"
	"github.com/clerkgo/clerk/core/clerktest"
)

// ProxyTarget is an adapter's Frontend API proxy under test (its
// FrontendAPIProxy and NewFrontendAPIProxy), for [RunProxy].
type ProxyTarget struct {
	// Name names the adapter in failure messages.
	Name string
	// Package is the adapter's package name: FrontendAPIProxy panics with
	// "<Package>: invalid Frontend API proxy configuration...".
	Package string
	// Serve mounts FrontendAPIProxy(o) for each of opts at its o.Path
	// (every method, every path under it) on the adapter's REAL router,
	// and returns the base URL of the app and the function that sends it a
	// request, following no redirect. Answers must stream unless
	// Buffered.
	Serve func(t *testing.T, opts []core.ProxyOptions) (base string, do func(*http.Request) (*http.Response, error))
	// Buffered is true for an adapter whose proxy delivers a streamed
	// answer whole (Fiber v2): the streaming row then only checks that
	// the whole answer arrives.
	Buffered bool
	// New calls the adapter's NewFrontendAPIProxy and returns its error;
	// Must calls its FrontendAPIProxy, which panics on a bad
	// configuration.
	New  func(core.ProxyOptions) error
	Must func(core.ProxyOptions)
}

// RunProxy runs the Frontend API proxy's rows against the target: mounted
// in one line on the adapter's router, it reaches the fake Clerk's
// Frontend API, rewrites a Location on it back through the mount path,
// refuses a dot segment, streams answers, and refuses a bad configuration
// at construction without showing the secret key.
func RunProxy(t *testing.T, target ProxyTarget) {
	t.Helper()
	if target.Serve == nil || target.New == nil || target.Must == nil {
		t.Fatal("authtest: ProxyTarget needs Serve, New and Must")
	}
	clerk := clerktest.New()
	t.Cleanup(clerk.Close)
	client := proxyClient(t, core.Config{SecretKey: clerk.SecretKey(), PublishableKey: clerk.PublishableKey(), APIURL: clerk.URL})
	up, release := proxyStreamUpstream(t)
	base, do := target.Serve(t, []core.ProxyOptions{
		{Client: client, FrontendAPIURL: clerk.URL, Path: "/__clerk"},
		{Client: client, FrontendAPIURL: up.URL, Path: "/stream"},
	})
	signIn := url.Values{"user_id": {clerk.DefaultUserID()}, "redirect_url": {clerk.URL + "/sign-in?x=1"}}.Encode()
	rows := []struct {
		name, method, target, contentType, body string
		status                                  int
		want                                    string // in the body, or the Location's prefix
	}{
		{"GET", "GET", "/__clerk/.well-known/jwks.json", "", "", 200, `"keys"`},
		{"POST with a body", "POST", "/__clerk/v1/dev_browser", "application/json", `{}`, 200, `"dev_browser"`},
		{"Location rewritten", "POST", "/__clerk/sign-in", "application/x-www-form-urlencoded", signIn, 303, "/__clerk/sign-in?"},
		{"dot segment", "GET", "/__clerk/v1%2F..%2Fx", "", "", 400, core.ProxyPathMismatch},
	}
	for _, row := range rows {
		t.Run(target.Name+"/"+row.name, func(t *testing.T) {
			req, err := http.NewRequest(row.method, base+row.target, strings.NewReader(row.body))
			if err != nil {
				t.Fatal(err)
			}
			if row.contentType != "" {
				req.Header.Set("Content-Type", row.contentType)
			}
			res, err := do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			b, _ := io.ReadAll(res.Body)
			if res.StatusCode != row.status {
				t.Fatalf("status %d, want %d: %s", res.StatusCode, row.status, b)
			}
			if loc := res.Header.Get("Location"); row.status == http.StatusSeeOther {
				if !strings.HasPrefix(loc, "http://") || !strings.Contains(loc, row.want) || !strings.Contains(loc, "x=1") {
					t.Errorf("Location %q", loc)
				}
			} else if !strings.Contains(string(b), row.want) {
				t.Errorf("body %s", b)
			}
			if strings.Contains(string(b), clerk.SecretKey()) {
				t.Error("the secret key is in the answer")
			}
		})
	}

	t.Run(target.Name+"/streaming", func(t *testing.T) {
		req, _ := http.NewRequest("GET", base+"/stream/lines", nil)
		got := make(chan string) // unbuffered: errc follows the lines
		errc := make(chan error, 1)
		go func() {
			res, err := do(req)
			if err != nil {
				errc <- err
				return
			}
			defer res.Body.Close()
			br := bufio.NewReader(res.Body)
			for range 2 {
				line, err := br.ReadString('\n')
				if err != nil {
					errc <- err
					return
				}
				got <- line
			}
			errc <- nil
		}()
		if target.Buffered {
			// The first line comes only with the last.
			close(release)
			if a, b := waitLine(t, got, errc), waitLine(t, got, errc); a != "first\n" || b != "second\n" {
				t.Fatalf("lines %q %q", a, b)
			}
		} else {
			if line := waitLine(t, got, errc); line != "first\n" {
				t.Fatalf("first line %q", line)
			}
			close(release)
			if line := waitLine(t, got, errc); line != "second\n" {
				t.Fatalf("second line %q", line)
			}
		}
		if err := <-errc; err != nil {
			t.Fatal(err)
		}
	})

	t.Run(target.Name+"/configuration errors", func(t *testing.T) {
		bad := proxyClient(t, core.Config{SecretKey: "sk_test_proxysecret", APIURL: "http://127.0.0.1:1"})
		o := core.ProxyOptions{Client: bad}
		if err := target.New(o); !errors.Is(err, core.ErrProxyNeedsKeys) {
			t.Fatalf("NewFrontendAPIProxy: %v, want ErrProxyNeedsKeys", err)
		}
		msg := panicMessage(func() { target.Must(o) })
		if !strings.HasPrefix(msg, target.Package+": invalid Frontend API proxy configuration") || !strings.Contains(msg, "PublishableKey") || strings.Contains(msg, "proxysecret") {
			t.Errorf("FrontendAPIProxy panic %q", msg)
		}
	})
}

// proxyStreamUpstream stands in for a Frontend API answer that streams:
// it writes its second line only once release is closed.
func proxyStreamUpstream(t *testing.T) (*httptest.Server, chan struct{}) {
	t.Helper()
	release := make(chan struct{})
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		_, _ = io.WriteString(w, "first\n")
		_ = http.NewResponseController(w).Flush()
		select {
		case <-release:
		case <-r.Context().Done():
			return
		}
		_, _ = io.WriteString(w, "second\n")
	}))
	t.Cleanup(s.Close)
	return s, release
}

// proxyClient builds a client closed when t ends.
func proxyClient(t *testing.T, cfg core.Config) *core.Client {
	t.Helper()
	c, err := core.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// waitLine reads the next line the client got, failing after a deadlock
// guard (not a wait for a result: the line is expected at once).
func waitLine(t *testing.T, got chan string, errc chan error) string {
	t.Helper()
	select {
	case line := <-got:
		return line
	case err := <-errc:
		t.Fatalf("no line: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("the answer is buffered")
	}
	return ""
}

// ServeHandler serves h on a local test server for a [ProxyTarget]'s
// Serve: the server's URL and the Do of a client that follows no redirect,
// both closed when t ends.
func ServeHandler(t *testing.T, h http.Handler) (base string, do func(*http.Request) (*http.Response, error)) {
	t.Helper()
	app := httptest.NewServer(h)
	t.Cleanup(app.Close)
	httpc := &http.Client{Transport: &http.Transport{}, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	t.Cleanup(httpc.CloseIdleConnections)
	return app.URL, httpc.Do
}
