package webhook_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"testing"

	"github.com/clerkgo/clerk/core/clerktest"
	"github.com/clerkgo/clerk/core/webhook"
)

// verbs are every fmt verb and a few flags, for the redaction tests.
var verbs = []string{
	"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "% x", "%#x", "%d", "%o", "%O", "%b",
	"%c", "%U", "%e", "%E", "%f", "%F", "%g", "%G", "%t", "%T", "%p", "%08v", "%-40s", "%.3s", "%w",
}

// leaks reports how out shows secret: as is, its key part, the key's bytes
// in hex (either case), in base64 without padding, or as decimal bytes.
func leaks(out, secret string) string {
	part := strings.TrimPrefix(secret, "whsec_")
	key, _ := base64.StdEncoding.DecodeString(part)
	forms := map[string]string{
		"secret": secret, "key part": part, "key part unpadded": strings.TrimRight(part, "="),
		"hex": hex.EncodeToString(key), "HEX": strings.ToUpper(hex.EncodeToString(key)),
		"raw key": string(key), "string hex": hex.EncodeToString([]byte(part)),
	}
	var dec []string
	for _, b := range key[:4] {
		dec = append(dec, strconv.Itoa(int(b)))
	}
	forms["decimal bytes"] = strings.Join(dec, " ")
	for name, form := range forms {
		if strings.Contains(out, form) || strings.Contains(strings.ToLower(out), strings.ToLower(form)) && name == "hex" {
			return name
		}
	}
	return ""
}

// holder embeds the values in a user's struct, as a config struct would.
type holder struct {
	Config   webhook.Config
	Verifier *webhook.Verifier
	Endpoint *webhook.Endpoint
	Signer   *clerktest.WebhookSigner
	Value    webhook.Verifier
}

func TestNoFormatShowsASecret(t *testing.T) {
	secret := clerktest.NewWebhookSecret()
	cfg := webhook.Config{Secrets: webhook.Secrets(secret, secret)}
	v, err := webhook.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	e := webhook.Handler(func(ctx context.Context, ev *webhook.Event) error { return nil }, webhook.WithVerifier(v), webhook.Dedup(4))
	signer, _ := clerktest.NewWebhookSigner(secret)
	values := map[string]any{
		"Config": cfg, "*Config": &cfg, "*Verifier": v, "Verifier": *v, "*Endpoint": e, "Endpoint": *e,
		"*WebhookSigner": signer, "WebhookSigner": *signer,
		"holder": holder{cfg, v, e, signer, *v}, "*holder": &holder{cfg, v, e, signer, *v},
		"slice": []any{cfg, v}, "map": map[string]any{"cfg": cfg}, "Secret": cfg.Secrets[0],
		"unexported": struct{ v webhook.Verifier }{*v}, "[]Secret": cfg.Secrets,
	}
	for name, val := range values {
		for _, verb := range verbs {
			out := fmt.Sprintf(verb, val)
			if form := leaks(out, secret); form != "" {
				t.Errorf("%s with %s shows the %s: %s", name, verb, form, out)
			}
		}
		for _, h := range []func(*bytes.Buffer) slog.Handler{
			func(b *bytes.Buffer) slog.Handler { return slog.NewTextHandler(b, nil) },
			func(b *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(b, nil) },
		} {
			var buf bytes.Buffer
			slog.New(h(&buf)).Info("msg", "value", val, slog.Any("any", val), slog.Group("g", "v", val))
			if form := leaks(buf.String(), secret); form != "" {
				t.Errorf("slog of %s shows the %s: %s", name, form, buf.String())
			}
		}
	}
	// The delivery's signature is redacted the same way.
	d := signer.Sign([]byte(`{}`))
	value := strings.TrimPrefix(d.Signature, "v1,")
	for _, verb := range verbs {
		if verb == "%p" || verb == "%w" {
			// A delivery holds no secret, only a signature in a plain
			// string field; fmt handles these two verbs before any method
			// (and go vet rejects both for a struct).
			continue
		}
		if out := fmt.Sprintf(verb, d); strings.Contains(out, value) {
			t.Errorf("delivery with %s shows the signature: %s", verb, out)
		}
	}
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("delivery", "d", d)
	if strings.Contains(buf.String(), value) {
		t.Errorf("slog shows the signature: %s", buf.String())
	}
	if b, err := json.Marshal(cfg.Secrets); err != nil || leaks(string(b), secret) != "" || string(b) != `["[redacted]","[redacted]"]` {
		t.Errorf("JSON of the secrets: %s, %v", b, err)
	}
	// The descriptions say what they hide.
	if s := v.String(); !strings.Contains(s, "[2 redacted]") || !strings.Contains(s, "5m0s") {
		t.Errorf("String() = %s", s)
	}
	if s := fmt.Sprint(cfg); !strings.Contains(s, "[2 redacted]") {
		t.Errorf("Config = %s", s)
	}
}

func TestFormatNil(t *testing.T) {
	var v *webhook.Verifier
	var e *webhook.Endpoint
	var s *clerktest.WebhookSigner
	for _, val := range []any{v, e, s} {
		for _, verb := range verbs {
			_ = fmt.Sprintf(verb, val) // must not panic
		}
		var buf bytes.Buffer
		slog.New(slog.NewTextHandler(&buf, nil)).Info("nil", "v", val)
		if strings.Contains(buf.String(), "PANIC") || strings.Contains(buf.String(), "panicked") {
			t.Errorf("slog of a nil %T: %s", val, buf.String())
		}
	}
	if s.Secret() != "" || s.Secrets() != nil {
		t.Error("nil signer has secrets")
	}
}
