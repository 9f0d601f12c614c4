package webhook_test

import (
	"sync"
	"testing"
	"time"

	"github.com/clerkgo/clerk/core/clerktest"
	"github.com/clerkgo/clerk/core/webhook"
)

// clock is a settable clock for the verifier.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: time.Unix(1716883200, 0)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// fixture is a signer and a verifier that share a secret and a clock.
type fixture struct {
	clk    *clock
	signer *clerktest.WebhookSigner
	v      *webhook.Verifier
}

func newFixture(t testing.TB, tweak ...func(*webhook.Config)) *fixture {
	t.Helper()
	signer, err := clerktest.NewWebhookSigner()
	if err != nil {
		t.Fatal(err)
	}
	clk := newClock()
	cfg := webhook.Config{Secrets: webhook.Secrets(signer.Secret()), Now: clk.Now}
	for _, f := range tweak {
		f(&cfg)
	}
	v, err := webhook.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{clk: clk, signer: signer, v: v}
}

// sample returns the signed sample delivery of an event type, signed now
// on the fixture's clock.
func (f *fixture) sample(t testing.TB, eventType string) clerktest.WebhookDelivery {
	t.Helper()
	data, ok := clerktest.SampleWebhookData(eventType)
	if !ok {
		t.Fatalf("no sample for %s", eventType)
	}
	body, err := clerktest.WebhookPayload(eventType, data)
	if err != nil {
		t.Fatal(err)
	}
	return f.signer.SignAt("msg_2sampleMessage000000000000", f.clk.Now(), body)
}
