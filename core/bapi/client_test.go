package bapi

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/clerkgo/clerk/internal/version"
)

const testKey = "sk_test_supersecretvalue123"

// waits records the delays a client asked to wait, without sleeping.
type waits struct {
	mu sync.Mutex
	d  []time.Duration
}

func (w *waits) wait(ctx context.Context, d time.Duration) error {
	w.mu.Lock()
	w.d = append(w.d, d)
	w.mu.Unlock()
	return ctx.Err()
}

func (w *waits) all() []time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]time.Duration(nil), w.d...)
}

// newTestClient serves h on a test server and returns a client for it whose
// retries never sleep.
func newTestClient(t *testing.T, h http.HandlerFunc, opts ...Option) (*Client, *waits) {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	w := &waits{}
	base := []Option{WithBaseURL(srv.URL), WithWaitFunc(w.wait), WithJitter(func() float64 { return 0 })}
	c, err := NewClient(testKey, append(base, opts...)...)
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c, w
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func TestHeadersAndPaths(t *testing.T) {
	var got *http.Request
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		got = r.Clone(context.Background())
		writeJSON(w, 200, map[string]any{"keys": []any{map[string]any{"kid": "ins_1", "kty": "RSA", "alg": "RS256", "use": "sig", "n": "abc", "e": "AQAB"}}})
	})
	jwks, resp, err := c.JWKS.Get(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 {
		t.Errorf("status %d", resp.StatusCode)
	}
	if len(jwks.Keys) != 1 || jwks.Keys[0].Kid != "ins_1" || jwks.Keys[0].N != "abc" || jwks.Keys[0].E != "AQAB" || jwks.Keys[0].Kty != "RSA" || jwks.Keys[0].Alg != "RS256" || jwks.Keys[0].Use != "sig" {
		t.Errorf("keys = %+v", jwks.Keys)
	}
	checks := map[string]string{
		"Authorization":     "Bearer " + testKey,
		"Clerk-API-Version": "2026-05-12",
		"User-Agent":        "clerkgo/" + version.String(),
	}
	for h, want := range checks {
		if v := got.Header.Get(h); v != want {
			t.Errorf("header %s = %q, want %q", h, v, want)
		}
	}
	if got.URL.Path != "/v1/jwks" || got.Method != http.MethodGet {
		t.Errorf("request = %s %s", got.Method, got.URL.Path)
	}
}

func TestBaseURL(t *testing.T) {
	tests := []struct {
		in, want string
		bad      bool
	}{
		{in: "", want: DefaultBaseURL},
		{in: "http://127.0.0.1:1234", want: "http://127.0.0.1:1234/v1"},
		{in: "http://127.0.0.1:1234/", want: "http://127.0.0.1:1234/v1"},
		{in: "https://api.clerk.com/v1/", want: "https://api.clerk.com/v1"},
		{in: "https://proxy.example/clerk/v1", want: "https://proxy.example/clerk/v1"},
		{in: "ftp://x", bad: true},
		{in: "127.0.0.1:80", bad: true},
		{in: "http://", bad: true},
		{in: "http://h/v1?x=1", bad: true},
		{in: "http://user:pw@h/v1", bad: true},
	}
	for _, tt := range tests {
		var opts []Option
		if tt.in != "" {
			opts = append(opts, WithBaseURL(tt.in))
		}
		c, err := NewClient(testKey, opts...)
		if tt.bad {
			if !errors.Is(err, ErrInvalidBaseURL) {
				t.Errorf("%q: err = %v, want ErrInvalidBaseURL", tt.in, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tt.in, err)
			continue
		}
		if c.BaseURL() != tt.want {
			t.Errorf("%q: base = %q, want %q", tt.in, c.BaseURL(), tt.want)
		}
	}
}

func TestNewClientValidation(t *testing.T) {
	tests := []struct {
		name string
		key  string
		opts []Option
		want error
	}{
		{"empty key", "", nil, ErrNoSecretKey},
		{"key with newline", "sk_test_abc\nX-Evil: 1", nil, ErrInvalidSecretKey},
		{"key with space", "sk_test abc", nil, ErrInvalidSecretKey},
		{"nil http client", testKey, []Option{WithHTTPClient(nil)}, ErrInvalidOption},
		{"zero max bytes", testKey, []Option{WithMaxResponseBytes(0)}, ErrInvalidOption},
		{"negative backoff", testKey, []Option{WithRetryBackoff(-1)}, ErrInvalidOption},
		{"negative max wait", testKey, []Option{WithMaxRetryWait(-1)}, ErrInvalidOption},
		{"nil wait", testKey, []Option{WithWaitFunc(nil)}, ErrInvalidOption},
		{"nil jitter", testKey, []Option{WithJitter(nil)}, ErrInvalidOption},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := NewClient(tt.key, tt.opts...)
			if !errors.Is(err, tt.want) || c != nil {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if strings.Contains(err.Error(), "sk_test") {
				t.Errorf("error leaks the key: %v", err)
			}
		})
	}
}

func TestUsersGet(t *testing.T) {
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.EscapedPath() != "/v1/users/user_1%2F..%2Fx" && r.URL.Path != "/v1/users/user_2" {
			t.Errorf("path = %s", r.URL.EscapedPath())
		}
		w.Header().Set("X-Clerk-Trace-Id", "trace-ok")
		writeJSON(w, 200, map[string]any{"id": "user_2", "object": "user", "first_name": "Ada", "has_image": true, "created_at": 1700000000000, "email_addresses": []any{map[string]any{"id": "idn_1", "email_address": "ada@example.com"}}})
	})
	u, resp, err := c.Users.Get(context.Background(), "user_2")
	if err != nil {
		t.Fatal(err)
	}
	if u.ID != "user_2" || u.FirstName == nil || *u.FirstName != "Ada" || u.LastName != nil || !u.HasImage || u.CreatedAt != 1700000000000 {
		t.Errorf("user = %+v", u)
	}
	if len(u.EmailAddresses) != 1 || u.EmailAddresses[0].EmailAddress != "ada@example.com" {
		t.Errorf("emails = %+v", u.EmailAddresses)
	}
	if resp.TraceID != "trace-ok" {
		t.Errorf("trace = %q", resp.TraceID)
	}
	// Path parameters are escaped, so an ID cannot walk to another endpoint.
	if _, _, err := c.Users.Get(context.Background(), "user_1/../x"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.Users.Get(context.Background(), ""); err == nil || !strings.Contains(err.Error(), "userID") {
		t.Errorf("empty id: err = %v", err)
	}
}

func TestNotFound(t *testing.T) {
	c, w := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 404, map[string]any{
			"errors":         []any{map[string]any{"code": "resource_not_found", "message": "not found", "long_message": "User not found", "meta": map[string]any{"param": "user_id"}}},
			"clerk_trace_id": "trace-404",
		})
	})
	_, resp, err := c.Users.Get(context.Background(), "user_x")
	if !IsNotFound(err) || IsRateLimited(err) || IsUnauthorized(err) {
		t.Fatalf("err = %v", err)
	}
	var apiErr *Error
	if !errors.As(err, &apiErr) {
		t.Fatal("not an *Error")
	}
	if apiErr.TraceID != "trace-404" || len(apiErr.Errors) != 1 || apiErr.Errors[0].Code != "resource_not_found" || apiErr.Errors[0].LongMessage != "User not found" || apiErr.Errors[0].Meta["param"] != "user_id" {
		t.Errorf("error = %+v", apiErr)
	}
	if !apiErr.HasCode("resource_not_found") || apiErr.HasCode("other") {
		t.Error("HasCode")
	}
	if resp == nil || resp.StatusCode != 404 {
		t.Errorf("resp = %+v", resp)
	}
	if got := len(w.all()); got != 0 {
		t.Errorf("404 was retried %d times", got)
	}
	wrapped := errors.Join(errors.New("loading user"), err)
	if !IsNotFound(wrapped) || StatusCode(wrapped) != 404 {
		t.Error("helpers do not see through wrapping")
	}
	if StatusCode(errors.New("x")) != 0 || IsNotFound(nil) {
		t.Error("non-API errors must not match")
	}
}

func TestResponseBodyIsReadable(t *testing.T) {
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, map[string]any{"id": "user_1"})
	})
	_, resp, err := c.Users.Get(context.Background(), "user_1")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	if !strings.Contains(string(b), "user_1") {
		t.Errorf("body = %q", b)
	}
}
