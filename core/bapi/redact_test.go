package bapi

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
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
