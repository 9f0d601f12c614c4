package demo_test

import (
	"context"
	"net"
	"strings"
	"testing"

	"github.com/clerkgo/clerk/core"
	"github.com/clerkgo/clerk/core/clerktest"
	"github.com/clerkgo/clerk/core/webhook"
	"github.com/clerkgo/clerk/examples/internal/demo"
	"github.com/clerkgo/clerk/examples/internal/demotest"
)

func TestSetupWebhooks(t *testing.T) {
	demotest.ClearEnv(t)

	// Fake mode without a secret: one is generated, and the banner signs
	// a sample with it.
	app, err := demo.Setup()
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	if app.Webhooks == nil || app.WebhookSigner == nil {
		t.Fatal("fake mode has no webhook verifier or signer")
	}
	curl, err := app.SampleWebhookCurl("localhost:1")
	if err != nil || !strings.Contains(curl, "svix-signature: v1,") || !strings.HasSuffix(curl, "'\n") {
		t.Errorf("sample curl %q, %v", curl, err)
	}
	if strings.Contains(curl, app.WebhookSigner.Secret()[6:]) {
		t.Error("the sample shows the secret")
	}

	// A inst instance without the variable: no webhook route.
	fake := clerktest.New()
	defer fake.Close()
	t.Setenv(core.EnvJWTKey, fake.PublicKeyPEM())
	inst, err := demo.Setup()
	if err != nil {
		t.Fatal(err)
	}
	defer inst.Close()
	if inst.Webhooks != nil || inst.WebhookSigner != nil {
		t.Error("a inst instance without a secret serves webhooks")
	}
	if _, err := inst.SampleWebhookCurl("localhost:1"); err == nil {
		t.Error("a sample without a signer")
	}
	var b strings.Builder
	inst.PrintBanner(&b, "test", &net.TCPAddr{Port: 1})
	if !strings.Contains(b.String(), "No "+webhook.EnvSigningSecret) {
		t.Errorf("banner:\n%s", b.String())
	}

	// With the variable: that secret, and no signer.
	signer, _ := clerktest.NewWebhookSigner()
	t.Setenv(webhook.EnvSigningSecret, signer.Secret())
	withSecret, err := demo.Setup()
	if err != nil {
		t.Fatal(err)
	}
	defer withSecret.Close()
	d, _ := signer.SignEvent(webhook.UserCreated, map[string]string{"id": "user_1"})
	if withSecret.WebhookSigner != nil {
		t.Error("a signer for a secret the demo did not choose")
	}
	if _, err := withSecret.Webhooks.Verify(d.Header().Get, d.Body); err != nil {
		t.Errorf("the configured secret: %v", err)
	}
	if err := withSecret.OnWebhook(context.Background(), &webhook.Event{Type: "x", Data: []byte(`[`)}); err != nil {
		t.Errorf("OnWebhook: %v", err)
	}

	// An invalid value is an error naming the variable, not its value.
	t.Setenv(webhook.EnvSigningSecret, "whsec_bm9wZQ==")
	if app, err := demo.Setup(); err == nil {
		app.Close()
		t.Fatal("invalid secret accepted")
	} else if !strings.Contains(err.Error(), webhook.EnvSigningSecret) || strings.Contains(err.Error(), "bm9wZQ") {
		t.Errorf("error %q", err)
	}
}
