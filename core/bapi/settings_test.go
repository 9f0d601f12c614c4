package bapi

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestCheckBaseURL is the one rule for a Backend API base URL: https, or
// http on a loopback host; absolute; no user info, query or fragment.
func TestCheckBaseURL(t *testing.T) {
	tests := []struct {
		in string
		ok bool
	}{
		{"https://api.clerk.com", true},
		{"https://api.clerk.com/v1", true},
		{"https://proxy.example/clerk/v1/", true},
		{"https://api.clerk.com:8443/v1", true},
		{"http://127.0.0.1:8080", true},
		{"http://127.10.20.30", true},
		{"http://localhost:8080/v1", true},
		{"http://LocalHost", true},
		{"http://[::1]:8080", true},
		{"HTTPS://api.clerk.com", true},
		{"http://api.example.com", false},
		{"http://10.0.0.1", false},
		{"http://0.0.0.0:8080", false},
		{"http://localhost.example.com", false},
		{"http://[::ffff:10.0.0.1]", false},
		{"ftp://api.clerk.com", false},
		{"api.clerk.com", false},
		{"//api.clerk.com", false},
		{"https://", false},
		{"https:///v1", false},
		{"", false},
		{" https://api.clerk.com", false},
		{"https://api.clerk.com/v1?x=1", false},
		{"https://api.clerk.com/v1?", false},
		{"https://api.clerk.com/v1#frag", false},
		{"https://api.clerk.com/v1#", false},
		{"https://user:hunter2pw@api.clerk.com", false},
		{"https://@api.clerk.com", false},
		{"https://api.clerk.com/\x00", false},
		{"https://api clerk.com", false},
	}
	for _, tt := range tests {
		err := CheckBaseURL(tt.in)
		if tt.ok != (err == nil) {
			t.Errorf("CheckBaseURL(%q) = %v, want ok=%v", tt.in, err, tt.ok)
			continue
		}
		if err != nil {
			if !errors.Is(err, ErrInvalidBaseURL) {
				t.Errorf("CheckBaseURL(%q) = %v, want ErrInvalidBaseURL", tt.in, err)
			}
			if strings.Contains(err.Error(), "hunter2") || strings.Contains(err.Error(), "#frag") || strings.Contains(err.Error(), "x=1") {
				t.Errorf("CheckBaseURL(%q) quotes the URL: %v", tt.in, err)
			}
		}
		// WithBaseURL applies the same rule.
		_, nerr := NewClient(testKey, WithBaseURL(tt.in))
		if (nerr == nil) != tt.ok || (nerr != nil && !errors.Is(nerr, ErrInvalidBaseURL)) {
			t.Errorf("NewClient(WithBaseURL(%q)) = %v, want ok=%v", tt.in, nerr, tt.ok)
		}
	}
}

// TestDefaults pins the settings core shares with this package.
func TestDefaults(t *testing.T) {
	c, err := NewClient(testKey)
	if err != nil {
		t.Fatal(err)
	}
	got := fmt.Sprint(c.timeout, c.maxRetries, c.retryBase, c.maxRetryWait)
	want := fmt.Sprint(10*time.Second, 2, 100*time.Millisecond, 2*time.Second)
	if got != want || fmt.Sprint(DefaultTimeout, DefaultMaxRetries, DefaultRetryBase, DefaultMaxRetryWait) != want {
		t.Errorf("defaults = %s, want %s", got, want)
	}
}

// TestZeroAndNegativeSettings: in WithMaxRetries and WithTimeout, zero is
// the default and a negative value turns the feature off, as in core's
// Config.
func TestZeroAndNegativeSettings(t *testing.T) {
	for _, tt := range []struct {
		retries, attempts int
	}{{0, 1 + DefaultMaxRetries}, {-1, 1}, {-100, 1}, {1, 2}, {4, 5}} {
		t.Run(fmt.Sprintf("WithMaxRetries(%d)", tt.retries), func(t *testing.T) {
			var n atomic.Int32
			c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
				n.Add(1)
				w.WriteHeader(http.StatusServiceUnavailable)
			}, WithMaxRetries(tt.retries))
			if _, _, err := c.JWKS.Get(context.Background()); StatusCode(err) != 503 {
				t.Fatalf("err = %v", err)
			}
			if int(n.Load()) != tt.attempts {
				t.Errorf("attempts = %d, want %d", n.Load(), tt.attempts)
			}
		})
	}
	for _, tt := range []struct {
		in, want time.Duration
	}{{0, DefaultTimeout}, {-1, 0}, {-time.Hour, 0}, {time.Second, time.Second}} {
		c, err := NewClient(testKey, WithTimeout(tt.in))
		if err != nil {
			t.Errorf("WithTimeout(%v): %v", tt.in, err)
		} else if c.timeout != tt.want {
			t.Errorf("WithTimeout(%v): timeout = %v, want %v", tt.in, c.timeout, tt.want)
		}
	}
}

// FuzzCheckBaseURL: whatever CheckBaseURL accepts is an absolute https URL,
// or http on loopback, with no user info, query or fragment; WithBaseURL
// agrees with it, and no error quotes the input.
func FuzzCheckBaseURL(f *testing.F) {
	for _, s := range []string{"https://api.clerk.com", "http://127.0.0.1:8080/v1", "http://[::1]", "http://evil.example", "https://u:p@h", "https://h/?", "https://h/#", "http://localhost%2eevil.example", "http://127.0.0.1.evil.example"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		err := CheckBaseURL(raw)
		_, nerr := NewClient(testKey, WithBaseURL(raw))
		if (err == nil) != (nerr == nil) {
			t.Fatalf("CheckBaseURL = %v but NewClient = %v", err, nerr)
		}
		if err != nil {
			if !errors.Is(err, ErrInvalidBaseURL) || (len(raw) > 3 && strings.Contains(err.Error(), raw)) {
				t.Fatalf("error %v for %q", err, raw)
			}
			return
		}
		u, perr := url.Parse(raw)
		if perr != nil || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" || u.ForceQuery {
			t.Fatalf("accepted %q: %+v", raw, u)
		}
		if u.Scheme != "https" && !(u.Scheme == "http" && isLoopback(u.Hostname())) {
			t.Fatalf("accepted %q with scheme %s host %s", raw, u.Scheme, u.Hostname())
		}
		if u.Scheme == "http" {
			if ip := net.ParseIP(u.Hostname()); ip == nil && !strings.EqualFold(u.Hostname(), "localhost") || ip != nil && !ip.IsLoopback() {
				t.Fatalf("http on a host that is not loopback: %q", raw)
			}
		}
	})
}
