package bapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// thief is a server that records every Authorization header it receives.
type thief struct {
	mu   sync.Mutex
	hits []string
	srv  *httptest.Server
}

func newThief(t *testing.T) *thief {
	th := &thief{}
	th.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		th.mu.Lock()
		th.hits = append(th.hits, r.Method+" "+r.URL.Path+" Authorization="+r.Header.Get("Authorization"))
		th.mu.Unlock()
		writeJSON(w, 200, map[string]any{"id": "user_stolen", "keys": []any{}})
	}))
	t.Cleanup(th.srv.Close)
	return th
}

func (th *thief) seen() []string {
	th.mu.Lock()
	defer th.mu.Unlock()
	return append([]string(nil), th.hits...)
}

// redirector answers every request with status and a Location on target
// whose query carries a token.
func redirector(status int, target string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", target+"/v1/stolen?token=tok_in_location")
		w.WriteHeader(status)
	}
}

func TestRedirectsAreRefused(t *testing.T) {
	calls := map[string]func(c *Client) error{
		"GET": func(c *Client) error {
			_, _, err := c.Users.Get(context.Background(), "user_1")
			return err
		},
		"POST": func(c *Client) error {
			_, _, err := c.Users.Ban(context.Background(), "user_1")
			return err
		},
	}
	for _, status := range []int{301, 302, 303, 307, 308} {
		for method, call := range calls {
			t.Run(fmt.Sprintf("%d %s", status, method), func(t *testing.T) {
				th := newThief(t)
				c, w := newTestClient(t, redirector(status, th.srv.URL))
				err := call(c)
				checkRefused(t, err, status)
				if hits := th.seen(); len(hits) != 0 {
					t.Errorf("the redirect target was reached: %v", hits)
				}
				if n := len(w.all()); n != 0 {
					t.Errorf("a redirect was retried %d times", n)
				}
			})
		}
	}
}

func checkRefused(t *testing.T, err error, status int) {
	t.Helper()
	if !errors.Is(err, ErrRedirect) {
		t.Fatalf("err = %v, want ErrRedirect", err)
	}
	var e *Error
	if !errors.As(err, &e) || e.StatusCode != status {
		t.Fatalf("err = %#v, want an *Error with status %d", err, status)
	}
	msg := err.Error()
	if !strings.Contains(msg, fmt.Sprint(status)) || !strings.Contains(msg, "redirect") {
		t.Errorf("error does not name the redirect status: %s", msg)
	}
	for _, bad := range []string{"tok_in_location", "stolen", "supersecret"} {
		for _, out := range []string{msg, fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err)} {
			if strings.Contains(out, bad) {
				t.Errorf("error text contains %q: %s", bad, out)
			}
		}
	}
}

// TestRedirectHTTPSToHTTP is a downgrade on the same host: Go's client would
// forward the Authorization header. The caller's http.Client, whose own
// CheckRedirect allows everything, must be left as it was.
func TestRedirectHTTPSToHTTP(t *testing.T) {
	th := newThief(t)
	tlsSrv := httptest.NewTLSServer(redirector(http.StatusFound, th.srv.URL))
	t.Cleanup(tlsSrv.Close)
	hc := tlsSrv.Client()
	allowAll := func(*http.Request, []*http.Request) error { return nil }
	hc.CheckRedirect = allowAll
	transport := hc.Transport
	c, err := NewClient(testKey, WithBaseURL(tlsSrv.URL), WithHTTPClient(hc))
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = c.Users.Get(context.Background(), "user_1")
	if hits := th.seen(); len(hits) != 0 {
		t.Fatalf("the http target was reached: %v", hits)
	}
	checkRefused(t, err, http.StatusFound)
	if hc.CheckRedirect == nil || fmt.Sprintf("%p", hc.CheckRedirect) != fmt.Sprintf("%p", allowAll) || hc.Transport != transport {
		t.Error("NewClient changed the caller's http.Client")
	}
	// The caller's client still follows redirects for its own requests.
	resp, err := hc.Get(tlsSrv.URL + "/own")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || len(th.seen()) != 1 {
		t.Errorf("the caller's client no longer follows redirects: %d %v", resp.StatusCode, th.seen())
	}
}
