package bapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestErrorHidesPathParameters: an Error names the call by its method and
// the first segment of its path; the path parameters (a user id, a slug)
// appear in no text form, and stay in Path.
func TestErrorHidesPathParameters(t *testing.T) {
	tests := []struct{ path, want string }{
		{"/users/user_2abcSECRET", "GET /users/…: 404 Not Found"},
		{"/users/user_2abcSECRET/metadata", "GET /users/…: 404 Not Found"},
		{"/organizations/acme-SECRET/memberships/user_SECRET", "GET /organizations/…: 404 Not Found"},
		{"/jwks", "GET /jwks: 404 Not Found"},
		{"/SECRET%2F", "GET /…: 404 Not Found"},
		{"", "GET : 404 Not Found"},
	}
	for _, tt := range tests {
		e := decodeError("GET", tt.path, 404, nil, []byte(`{"errors":[{"code":"resource_not_found","message":"not found"}]}`))
		if got := e.Error(); got != "bapi: "+tt.want+": resource_not_found" {
			t.Errorf("%q: Error() = %q", tt.path, got)
		}
		var logged bytes.Buffer
		slog.New(slog.NewTextHandler(&logged, nil)).Info("x", "err", e)
		js, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		for _, out := range []string{fmt.Sprint(e), fmt.Sprintf("%+v", e), fmt.Sprintf("%#v", e), fmt.Sprintf("%q", e), logged.String(), string(js)} {
			if strings.Contains(out, "SECRET") {
				t.Errorf("%q: a path parameter is printed: %s", tt.path, out)
			}
		}
		if e.Path != tt.path {
			t.Errorf("Path = %q, want %q", e.Path, tt.path)
		}
	}
}

// TestTransportErrorsHidePathParameters: the errors that are not Clerk's
// answers (the connection dropped, a body that is no JSON, one too large)
// name the call the same way, with no path parameter in their text.
func TestTransportErrorsHidePathParameters(t *testing.T) {
	tests := []struct {
		name    string
		handler http.HandlerFunc
	}{
		{"connection dropped", func(w http.ResponseWriter, _ *http.Request) {
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				_ = conn.Close()
			}
		}},
		{"not JSON", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("{")) }},
		{"too large", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write(bytes.Repeat([]byte(" "), 2048)) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := httptest.NewServer(tt.handler)
			defer ts.Close()
			c, err := NewClient("sk_test_x", WithBaseURL(ts.URL), WithMaxRetries(-1), WithMaxResponseBytes(1024))
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			_, _, err = c.Users.Get(context.Background(), "user_SECRET")
			if err == nil {
				t.Fatal("no error")
			}
			if out := fmt.Sprintf("%v %+v", err, err); strings.Contains(out, "SECRET") || !strings.Contains(out, "/users/…") {
				t.Errorf("error text: %s", out)
			}
		})
	}
}
