package bapi

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
)

// leaks reports which spelling of secret (plain, hex, upper hex, Go-quoted)
// occurs in out, or "" when none does. A distinctive fragment counts too.
func leaks(out, secret string) string {
	frag := secret[len(secret)/2:]
	for _, s := range []string{secret, frag} {
		spellings := map[string]string{
			"plain":     s,
			"hex":       hex.EncodeToString([]byte(s)),
			"upper hex": strings.ToUpper(hex.EncodeToString([]byte(s))),
			"quoted":    strings.Trim(fmt.Sprintf("%q", s), `"`),
		}
		for name, sp := range spellings {
			if strings.Contains(out, sp) {
				return name + " " + fmt.Sprintf("%q", sp)
			}
		}
	}
	return ""
}

var formatVerbs = []string{"%v", "%+v", "%#v", "%s", "%d", "%q", "%x", "%X", "%10.3s", "%T %p"}

// TestClientFormattingHidesTheKey prints a client, and values that hold it,
// with every verb, through slog's handlers and through encoding/json.
func TestClientFormattingHidesTheKey(t *testing.T) {
	c, err := NewClient(testKey, WithBaseURL("https://api.example.test"))
	if err != nil {
		t.Fatal(err)
	}
	values := map[string]any{
		"*Client":          c,
		"Client":           *c,
		"Services":         c.Services,
		"*UsersService":    c.Users,
		"struct holding":   struct{ API *Client }{c},
		"slice holding":    []any{c, *c},
		"map holding":      map[string]*Client{"a": c},
		"pointer to value": &struct{ C Client }{*c},
	}
	for name, v := range values {
		for _, verb := range formatVerbs {
			out := fmt.Sprintf(verb, v)
			if l := leaks(out, testKey); l != "" {
				t.Errorf("%s with %s leaks the key (%s): %s", name, verb, l, out)
			}
		}
		var text, js bytes.Buffer
		slog.New(slog.NewTextHandler(&text, nil)).Info("x", "v", v)
		slog.New(slog.NewJSONHandler(&js, nil)).Info("x", "v", v)
		for hname, out := range map[string]string{"text": text.String(), "json": js.String()} {
			if l := leaks(out, testKey); l != "" {
				t.Errorf("%s through slog's %s handler leaks the key (%s): %s", name, hname, l, out)
			}
		}
		b, err := json.Marshal(v)
		if err == nil {
			if l := leaks(string(b), testKey); l != "" {
				t.Errorf("json.Marshal(%s) leaks the key (%s): %s", name, l, b)
			}
		}
	}
}

// TestClientFormattingIsUseful checks that the redacted forms still say
// which client it is.
func TestClientFormattingIsUseful(t *testing.T) {
	c, err := NewClient(testKey, WithBaseURL("https://api.example.test"))
	if err != nil {
		t.Fatal(err)
	}
	want := "bapi.Client{BaseURL: https://api.example.test/v1, SecretKey: [redacted]}"
	tests := []struct{ verb, want string }{
		{"%v", want},
		{"%+v", want},
		{"%s", want},
		{"%q", fmt.Sprintf("%q", want)},
		{"%#v", `&bapi.Client{BaseURL:"https://api.example.test/v1", SecretKey:"[redacted]"}`},
		{"%d", want},
	}
	for _, tt := range tests {
		if got := fmt.Sprintf(tt.verb, c); got != tt.want {
			t.Errorf("%s = %s, want %s", tt.verb, got, tt.want)
		}
	}
	if s, ok := any(c).(fmt.Stringer); !ok || s.String() != want {
		t.Errorf("*Client is not a fmt.Stringer with String() = %s", want)
	}
	if g, ok := any(c).(fmt.GoStringer); !ok || g.GoString() != tests[4].want {
		t.Errorf("*Client is not a fmt.GoStringer with GoString() = %s", tests[4].want)
	}
	var js bytes.Buffer
	slog.New(slog.NewJSONHandler(&js, &slog.HandlerOptions{ReplaceAttr: dropTime})).Info("x", "client", c)
	if got := strings.TrimSpace(js.String()); got != `{"level":"INFO","msg":"x","client":{"base_url":"https://api.example.test/v1","secret_key":"[redacted]"}}` {
		t.Errorf("slog JSON = %s", got)
	}
}

func dropTime(groups []string, a slog.Attr) slog.Attr {
	if len(groups) == 0 && a.Key == slog.TimeKey {
		return slog.Attr{}
	}
	return a
}

// echoServer answers every request with a 400 whose messages, meta, code and
// trace id echo each string value of the request body, as a careless server
// or proxy might.
func echoServer(where string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var body map[string]any
		_ = json.NewDecoder(r.Body).Decode(&body)
		var echo string
		for _, v := range body {
			if s, ok := v.(string); ok {
				echo += s
			}
		}
		detail := map[string]any{"code": "form_param_value_invalid", "message": "is invalid", "long_message": "is invalid"}
		out := map[string]any{"errors": []any{detail}}
		switch where {
		case "message":
			detail["message"] = "token " + echo + " is invalid"
			detail["long_message"] = "The token " + echo + " was not found"
		case "meta":
			detail["meta"] = map[string]any{"param_name": "token", "value": echo, "nested": []any{map[string]any{"v": echo}}}
			out["meta"] = map[string]any{"token": echo}
		case "code":
			detail["code"] = echo
		case "trace":
			out["clerk_trace_id"] = echo
		}
		writeJSON(w, http.StatusBadRequest, out)
	}
}

// TestErrorsNeverEchoRequestValues calls the verify operations, whose
// bodies carry a token, against a server that echoes the token back in
// every part of its error, and prints the error every way a program might.
func TestErrorsNeverEchoRequestValues(t *testing.T) {
	const tok = "mt_0123456789abcdefSECRET"
	calls := map[string]func(c *Client) error{
		"APIKeys.Verify": func(c *Client) error {
			_, _, err := c.APIKeys.Verify(context.Background(), &VerifyAPIKeyParams{Secret: tok})
			return err
		},
		"M2MTokens.Verify": func(c *Client) error {
			_, _, err := c.M2MTokens.Verify(context.Background(), &VerifyM2MTokenParams{Token: tok})
			return err
		},
		"OAuthAccessTokens.Verify": func(c *Client) error {
			_, _, err := c.OAuthAccessTokens.Verify(context.Background(), &VerifyOAuthAccessTokenParams{AccessToken: Ptr(tok)})
			return err
		},
		"Users.VerifyPassword": func(c *Client) error {
			_, _, err := c.Users.VerifyPassword(context.Background(), "user_1", &VerifyPasswordParams{Password: tok})
			return err
		},
	}
	for _, where := range []string{"message", "meta", "code", "trace"} {
		for name, call := range calls {
			t.Run(where+"/"+name, func(t *testing.T) {
				c, _ := newTestClient(t, echoServer(where))
				err := call(c)
				var e *Error
				if !errors.As(err, &e) || e.StatusCode != http.StatusBadRequest {
					t.Fatalf("err = %v", err)
				}
				for _, out := range printed(err) {
					if l := leaks(out, tok); l != "" {
						t.Errorf("printed error leaks the token (%s): %s", l, out)
					}
				}
				if !strings.Contains(err.Error(), "400") {
					t.Errorf("Error() lost the status: %s", err)
				}
				// Programs still reach what the server said.
				got, _ := json.Marshal(map[string]any{"errors": e.Errors, "meta": e.Meta, "trace": e.TraceID})
				if !strings.Contains(string(got), tok) {
					t.Errorf("the server's answer is no longer in the fields: %s", got)
				}
			})
		}
	}
}

// printed is every way a program might print or log err.
func printed(err error) []string {
	var out []string
	for _, v := range []any{err, fmt.Errorf("wrapped: %w", err)} {
		for _, verb := range formatVerbs {
			out = append(out, fmt.Sprintf(verb, v))
		}
		var text, js bytes.Buffer
		slog.New(slog.NewTextHandler(&text, nil)).Error("x", "err", v)
		slog.New(slog.NewJSONHandler(&js, nil)).Error("x", "err", v)
		out = append(out, text.String(), js.String())
		if b, err := json.Marshal(v); err == nil {
			out = append(out, string(b))
		}
	}
	var e *Error
	if errors.As(err, &e) {
		out = append(out, e.Error(), e.GoString())
	}
	return out
}

// TestTransportErrorsOmitTheQuery: net/http's errors quote the request URL,
// whose query can carry an email address or a phone number.
func TestTransportErrorsOmitTheQuery(t *testing.T) {
	var hits atomic.Int32
	c, err := NewClient(testKey, WithBaseURL(closingServer(t, &hits)), WithMaxRetries(-1))
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = c.Users.List(context.Background(), &GetUserListParams{EmailAddress: []string{"ada.private@example.com"}, Query: "sk_query_value"})
	if err == nil || hits.Load() == 0 {
		t.Fatalf("err = %v, hits = %d", err, hits.Load())
	}
	for _, out := range printed(err) {
		for _, bad := range []string{"ada.private", "sk_query_value", "supersecret"} {
			if strings.Contains(out, bad) {
				t.Errorf("error text contains %q: %s", bad, out)
			}
		}
	}
	if !strings.Contains(err.Error(), "/v1/users") {
		t.Errorf("error no longer names the call: %v", err)
	}
}

// TestDecodeErrorsQuoteNoBody: json's errors quote number literals and
// characters of the body; the client's error describes the problem only.
func TestDecodeErrorsQuoteNoBody(t *testing.T) {
	const digits = "98765432109876543210987654321"
	tests := map[string]string{
		"number for a string":  `{"id": ` + digits + `}`,
		"number for a bool":    `{"id": "user_1", "has_image": ` + digits + `}`,
		"trailing garbage":     `{"id": "user_1"}Zsk_live_tail`,
		"broken object":        `{"id": "user_1", Qsk_live_x}`,
		"number in a nullable": `{"id": "user_1", "first_name": ` + digits + `}`,
	}
	for name, body := range tests {
		t.Run(name, func(t *testing.T) {
			c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				io.WriteString(w, body)
			})
			_, _, err := c.Users.Get(context.Background(), "user_1")
			if err == nil {
				t.Fatal("no error")
			}
			for _, out := range printed(err) {
				for _, bad := range []string{digits[:10], "'Z'", "'Q'", "sk_live"} {
					if strings.Contains(out, bad) {
						t.Errorf("error quotes the body (%q): %s", bad, out)
					}
				}
			}
			if !strings.Contains(err.Error(), "GET /users/…") || strings.Contains(err.Error(), "user_1") {
				t.Errorf("error does not name the call, or names the user: %v", err)
			}
			var te *json.UnmarshalTypeError
			var se *json.SyntaxError
			if !errors.As(err, &te) && !errors.As(err, &se) {
				t.Errorf("json's error is not reachable: %#v", err)
			}
		})
	}
}
