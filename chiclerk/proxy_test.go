package chiclerk_test

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

	"github.com/clerkgo/clerk/chiclerk"
	"github.com/clerkgo/clerk/core"
	"github.com/clerkgo/clerk/core/clerktest"
	"github.com/go-chi/chi/v5"
)

// proxyStreamUpstream stands in for a Frontend API answer that streams:
// it writes its second line only once release is closed.
func proxyStreamUpstream(t *testing.T) (*httptest.Server, chan struct{}) {
	t.Helper()
	release := make(chan struct{})
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		_, _ = io.WriteString(w, "first\n")
		http.NewResponseController(w).Flush()
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

func proxyClient(t *testing.T, cfg core.Config) *core.Client {
	t.Helper()
	c, err := core.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// TestFrontendAPIProxy: the proxy mounted in one line on a real router
// reaches the fake Clerk's Frontend API, rewrites a Location on it back
// through the mount path, refuses a dot segment, and streams answers.
func TestFrontendAPIProxy(t *testing.T) {
	clerk := clerktest.New()
	t.Cleanup(clerk.Close)
	client := proxyClient(t, core.Config{SecretKey: clerk.SecretKey(), PublishableKey: clerk.PublishableKey(), APIURL: clerk.URL})
	up, release := proxyStreamUpstream(t)
	fapi := chiclerk.FrontendAPIProxy(core.ProxyOptions{Client: client, FrontendAPIURL: clerk.URL})
	stream := chiclerk.FrontendAPIProxy(core.ProxyOptions{Client: client, FrontendAPIURL: up.URL, Path: "/stream"})
	r := chi.NewRouter()
	r.Mount("/__clerk", fapi)
	r.Mount("/stream", stream)
	app := httptest.NewServer(r)
	t.Cleanup(app.Close)
	httpc := &http.Client{Transport: &http.Transport{}, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	t.Cleanup(httpc.CloseIdleConnections)
	base, do := app.URL, httpc.Do
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
		t.Run(row.name, func(t *testing.T) {
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
			if loc := res.Header.Get("Location"); row.status == 303 {
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

	t.Run("streaming", func(t *testing.T) {
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
			for i := 0; i < 2; i++ {
				line, err := br.ReadString('\n')
				if err != nil {
					errc <- err
					return
				}
				got <- line
			}
			errc <- nil
		}()
		if line := waitLine(t, got, errc); line != "first\n" {
			t.Fatalf("first line %q", line)
		}
		close(release)
		if line := waitLine(t, got, errc); line != "second\n" {
			t.Fatalf("second line %q", line)
		}
		if err := <-errc; err != nil {
			t.Fatal(err)
		}
	})
}

// TestNewFrontendAPIProxyErrors: a configuration error is returned by
// NewFrontendAPIProxy and panics FrontendAPIProxy, naming the setting,
// never the secret key.
func TestNewFrontendAPIProxyErrors(t *testing.T) {
	client := proxyClient(t, core.Config{SecretKey: "sk_test_proxysecret", APIURL: "http://127.0.0.1:1"})
	o := core.ProxyOptions{Client: client}
	if h, err := chiclerk.NewFrontendAPIProxy(o); h != nil || !errors.Is(err, core.ErrProxyNeedsKeys) {
		t.Fatalf("got %v, %v", h, err)
	}
	defer func() {
		msg, _ := recover().(string)
		if !strings.HasPrefix(msg, "chiclerk: invalid Frontend API proxy configuration") || !strings.Contains(msg, "PublishableKey") || strings.Contains(msg, "proxysecret") {
			t.Errorf("panic %q", msg)
		}
	}()
	chiclerk.FrontendAPIProxy(o)
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
