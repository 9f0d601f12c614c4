package secret_test

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/clerkgo/clerk/internal/secret"
)

const key = "sk_live_TopSecret0123456789"

// renderings formats v in every way a program might print it.
func renderings(v any) []string {
	var out []string
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%p", "%T", "%10.3v", "%-20s", "% x"} {
		out = append(out, fmt.Sprintf(verb, v))
	}
	out = append(out, fmt.Sprint(v), fmt.Sprintln(v), fmt.Sprintf("%v", []any{v}),
		fmt.Sprintf("%+v", struct{ V any }{v}), fmt.Sprintf("%#v", struct{ V any }{v}))
	for _, h := range []func(*bytes.Buffer) slog.Handler{
		func(b *bytes.Buffer) slog.Handler { return slog.NewTextHandler(b, nil) },
		func(b *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(b, nil) },
	} {
		var buf bytes.Buffer
		slog.New(h(&buf)).Info("msg", "value", v)
		out = append(out, buf.String())
	}
	if b, err := json.Marshal(v); err == nil {
		out = append(out, string(b))
	}
	if b, err := xml.Marshal(struct{ V any }{v}); err == nil {
		out = append(out, string(b))
	}
	return out
}

func TestStringNeverFormatted(t *testing.T) {
	s := secret.New(key)
	type holder struct {
		Exported   secret.String
		unexported secret.String
	}
	for name, v := range map[string]any{
		"String":             s,
		"*String":            &s,
		"exported field":     holder{Exported: s},
		"unexported field":   holder{unexported: s},
		"*unexported field":  &holder{unexported: s},
		"slice":              []secret.String{s, s},
		"map value":          map[string]secret.String{"k": s},
		"pointer in a slice": []*secret.String{&s},
	} {
		for i, got := range renderings(v) {
			if strings.Contains(got, key) || strings.Contains(got, key[8:]) || strings.Contains(got, fmt.Sprintf("%x", key[8:])) {
				t.Errorf("%s: rendering %d prints the secret: %s", name, i, got)
			}
		}
	}
	if got := fmt.Sprint(s); got != secret.Redacted {
		t.Errorf("Sprint = %q, want %q", got, secret.Redacted)
	}
	if b, _ := json.Marshal(s); string(b) != `"[redacted]"` {
		t.Errorf("json = %s", b)
	}
	if s.Quoted() != `"[redacted]"` {
		t.Errorf("Quoted = %s", s.Quoted())
	}
}

func TestStringRevealAndZero(t *testing.T) {
	if got := secret.New(key).Reveal(); got != key {
		t.Fatalf("Reveal = %q", got)
	}
	for _, z := range []secret.String{{}, secret.New("")} {
		if !z.IsZero() || z.Reveal() != "" || z.String() != "" || fmt.Sprintf("%v|%q", z, z) != "|" || z.Quoted() != `""` {
			t.Fatalf("empty secret formats as %v / %q", z, z)
		}
		if b, _ := json.Marshal(z); string(b) != `""` {
			t.Fatalf("empty secret json %s", b)
		}
	}
	if secret.New(key).IsZero() {
		t.Fatal("a set secret is zero")
	}
}

func Example() {
	key := secret.New("sk_live_0123456789")
	fmt.Printf("%v %+v %#v %s %q %x\n", key, key, key, key, key, key)
	b, _ := json.Marshal(map[string]any{"secret_key": key})
	fmt.Println(string(b))
	fmt.Println(len(key.Reveal())) // only Reveal gives the value
	// Output:
	// [redacted] [redacted] [redacted] [redacted] [redacted] [redacted]
	// {"secret_key":"[redacted]"}
	// 18
}
