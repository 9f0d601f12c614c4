// Package webhooktest is the contract suite of the adapters' webhook
// endpoints (ginclerk.Webhook, echoclerk.Webhook, chiclerk.Webhook,
// fiberclerk.Webhook, and webhook.Handler itself): one table of deliveries
// and expected answers, run by each adapter's tests against its real router,
// with deliveries signed by [github.com/clerkgo/clerk/core/clerktest].
//
//	func TestWebhookContract(t *testing.T) {
//		webhooktest.Run(t, webhooktest.Target{Name: "chi", Package: "chiclerk", Build: build, ...})
//	}
//
// Every row checks the status, the Allow header, the JSON body and its
// reason, the Content-Type and Cache-Control headers, whether the handler
// ran, and that neither the secret nor a signature appears in the answer.
//
// The package uses only the standard library, core/webhook and clerktest.
package webhooktest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/clerkgo/clerk/core/clerktest"
	"github.com/clerkgo/clerk/core/webhook"
)

// Path is where [Target.Build] mounts the endpoint.
const Path = "/webhooks/clerk"

// Target is an adapter under test.
type Target struct {
	// Name names the adapter in failure messages.
	Name string
	// Package is the adapter's package name ("chiclerk"): its Webhook
	// panics with a message that starts with "<Package>: ".
	Package string
	// Build returns a function that serves one request through the
	// adapter's REAL router, with the adapter's Webhook(fn, opts...)
	// mounted at [Path] for every method (so that the endpoint, not the
	// router, answers other methods). The function must be safe for
	// concurrent use.
	Build func(t *testing.T, fn webhook.HandlerFunc, opts ...webhook.Option) func(*http.Request) (*http.Response, error)
	// New calls the adapter's NewWebhook and returns its error.
	New func(fn webhook.HandlerFunc, opts ...webhook.Option) error
	// Webhook calls the adapter's Webhook (which panics on a bad
	// configuration).
	Webhook func(fn webhook.HandlerFunc, opts ...webhook.Option)
}

// env is one endpoint under test.
type env struct {
	t       *testing.T
	now     time.Time
	mu      sync.Mutex
	signer  *clerktest.WebhookSigner
	v       *webhook.Verifier
	do      func(*http.Request) (*http.Response, error)
	calls   []*webhook.Event
	failing bool
}

func (e *env) clock() time.Time {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.now
}

func (e *env) advance(d time.Duration) {
	e.mu.Lock()
	e.now = e.now.Add(d)
	e.mu.Unlock()
}

func (e *env) handle(ctx context.Context, ev *webhook.Event) error {
	if ctx == nil {
		return errors.New("no context")
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.calls = append(e.calls, ev)
	if e.failing {
		return errors.New("database unreachable: token=" + e.signer.Secret())
	}
	return nil
}

func (e *env) handled() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return len(e.calls)
}

func newEnv(t *testing.T, target Target, opts ...webhook.Option) *env {
	t.Helper()
	signer, err := clerktest.NewWebhookSigner()
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, now: time.Unix(1716883200, 0), signer: signer}
	e.v, err = webhook.New(webhook.Config{Secrets: webhook.Secrets(signer.Secret()), MaxBodySize: 8 << 10, Now: e.clock})
	if err != nil {
		t.Fatal(err)
	}
	e.do = target.Build(t, e.handle, append([]webhook.Option{webhook.WithVerifier(e.v)}, opts...)...)
	return e
}

// delivery signs the sample of an event type with id at the env's clock.
func (e *env) delivery(typ, id string) clerktest.WebhookDelivery {
	data, ok := clerktest.SampleWebhookData(typ)
	if !ok {
		e.t.Fatalf("no sample for %s", typ)
	}
	body, err := clerktest.WebhookPayload(typ, data)
	if err != nil {
		e.t.Fatal(err)
	}
	return e.signer.SignAt(id, e.clock(), body)
}

// Answer is a response read in full.
type answer struct {
	status int
	header http.Header
	body   []byte
	reason string
	dup    bool
}

func (e *env) send(label, method string, h http.Header, body []byte) answer {
	e.t.Helper()
	req, err := http.NewRequest(method, "http://example.com"+Path, bytes.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	for k, v := range h {
		req.Header[k] = v
	}
	resp, err := e.do(req)
	if err != nil {
		e.t.Fatalf("%s: %v", label, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatalf("%s: reading the body: %v", label, err)
	}
	a := answer{status: resp.StatusCode, header: resp.Header, body: b}
	var parsed struct {
		Status    int    `json:"status"`
		Reason    string `json:"reason"`
		Message   string `json:"message"`
		Received  bool   `json:"received"`
		Duplicate bool   `json:"duplicate"`
	}
	if err := json.Unmarshal(b, &parsed); err != nil {
		e.t.Errorf("%s: body %q is not JSON: %v", label, b, err)
	}
	if parsed.Status != a.status || (parsed.Reason == "") != parsed.Received || (parsed.Reason != "") != (parsed.Message != "") {
		e.t.Errorf("%s: body %s does not fit status %d", label, b, a.status)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		e.t.Errorf("%s: Content-Type %q", label, ct)
	}
	if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
		e.t.Errorf("%s: Cache-Control %q", label, cc)
	}
	secret := strings.TrimPrefix(e.signer.Secret(), "whsec_")
	all := fmt.Sprint(resp.Header) + string(b)
	if strings.Contains(all, secret) || strings.Contains(all, "database") {
		e.t.Errorf("%s: the answer shows the secret or the handler's error: %s", label, all)
	}
	for _, sig := range strings.Fields(h.Get("svix-signature")) {
		if v := strings.TrimPrefix(sig, "v1,"); len(v) > 8 && strings.Contains(all, v) {
			e.t.Errorf("%s: the answer shows a signature", label)
		}
	}
	a.reason, a.dup = parsed.Reason, parsed.Duplicate
	return a
}

// Run runs the contract against target.
func Run(t *testing.T, target Target) {
	t.Run("answers", func(t *testing.T) { testAnswers(t, target) })
	t.Run("handler error", func(t *testing.T) { testHandlerError(t, target) })
	t.Run("dedup", func(t *testing.T) { testDedup(t, target) })
	t.Run("concurrent", func(t *testing.T) { testConcurrent(t, target) })
	t.Run("config", func(t *testing.T) { testConfig(t, target) })
}

func testAnswers(t *testing.T, target Target) {
	e := newEnv(t, target)
	d := e.delivery(webhook.UserCreated, "msg_2contract00000000000000000")
	stale := e.signer.SignAt(d.ID, e.clock().Add(-time.Hour), d.Body)
	early := e.signer.SignAt(d.ID, e.clock().Add(time.Hour), d.Body)
	big := e.signer.SignAt(d.ID, e.clock(), bytes.Repeat([]byte(" "), 9<<10))
	notEvent := e.signer.SignAt(d.ID, e.clock(), []byte(`{"hello":"world"}`))
	other, _ := clerktest.NewWebhookSigner()
	forged := other.SignAt(d.ID, e.clock(), d.Body)
	with := func(k, v string) http.Header { h := d.Header(); h.Set(k, v); return h }
	for _, row := range []struct {
		name    string
		method  string
		header  http.Header
		body    []byte
		status  int
		reason  string
		handled bool
	}{
		{"delivered", http.MethodPost, d.Header(), d.Body, 200, "", true},
		{"standard webhooks names", http.MethodPost, d.StandardHeader(), d.Body, 200, "", true},
		{"GET", http.MethodGet, d.Header(), nil, 405, "method-not-allowed", false},
		{"PUT", http.MethodPut, d.Header(), d.Body, 405, "method-not-allowed", false},
		{"no signature headers", http.MethodPost, http.Header{"Content-Type": {"application/json"}}, d.Body, 401, "headers-missing", false},
		{"signed with another secret", http.MethodPost, forged.Header(), forged.Body, 401, "signature-mismatch", false},
		{"tampered body", http.MethodPost, d.Header(), bytes.Replace(d.Body, []byte("Ada"), []byte("Eve"), 1), 401, "signature-mismatch", false},
		{"tampered id", http.MethodPost, with("svix-id", "msg_other"), d.Body, 401, "signature-mismatch", false},
		{"an hour old", http.MethodPost, stale.Header(), stale.Body, 401, "timestamp-too-old", false},
		{"an hour early", http.MethodPost, early.Header(), early.Body, 401, "timestamp-too-new", false},
		{"timestamp not a number", http.MethodPost, with("svix-timestamp", "yesterday"), d.Body, 400, "timestamp-invalid", false},
		{"malformed signature", http.MethodPost, with("svix-signature", "sha256=abc"), d.Body, 400, "signature-malformed", false},
		{"invalid id", http.MethodPost, with("svix-id", strings.Repeat("x", 300)), d.Body, 400, "id-invalid", false},
		{"body over the limit", http.MethodPost, big.Header(), big.Body, 400, "body-too-large", false},
		{"signed body that is no event", http.MethodPost, notEvent.Header(), notEvent.Body, 400, "payload-invalid", false},
	} {
		label := target.Name + ": " + row.name
		before := e.handled()
		a := e.send(label, row.method, row.header, row.body)
		if a.status != row.status || a.reason != row.reason {
			t.Errorf("%s: %d %s, want %d %q", label, a.status, a.body, row.status, row.reason)
		}
		if allow := a.header.Get("Allow"); (row.status == 405) != (allow == http.MethodPost) {
			t.Errorf("%s: Allow %q", label, allow)
		}
		if got := e.handled() > before; got != row.handled {
			t.Errorf("%s: handler ran %v, want %v", label, got, row.handled)
		}
	}
	if e.handled() != 2 {
		t.Fatalf("%s: %d events handled, want 2", target.Name, e.handled())
	}
	ev := e.calls[0]
	if ev.Type != webhook.UserCreated || ev.MessageID != d.ID || !ev.SignedAt.Equal(e.clock()) {
		t.Errorf("%s: handler got %+v", target.Name, ev)
	}
	if data, err := ev.Decode(); err != nil || data == nil {
		t.Errorf("%s: decoding the handled event: %v", target.Name, err)
	}
}

func testHandlerError(t *testing.T, target Target) {
	e := newEnv(t, target, webhook.Dedup(0))
	e.failing = true
	d := e.delivery(webhook.OrganizationCreated, "msg_2failing000000000000000000")
	for i := 0; i < 2; i++ {
		if a := e.send(target.Name+": failing handler", http.MethodPost, d.Header(), d.Body); a.status != 500 || a.reason != "handler-failed" {
			t.Errorf("%s: failing handler: %d %s", target.Name, a.status, a.body)
		}
	}
	e.mu.Lock()
	e.failing = false
	e.mu.Unlock()
	// The failed event was not remembered: Svix's retry runs it.
	e.advance(5 * time.Second)
	retry := e.signer.SignAt(d.ID, e.clock(), d.Body)
	if a := e.send(target.Name+": retry", http.MethodPost, retry.Header(), retry.Body); a.status != 200 || a.dup {
		t.Errorf("%s: retry after a failure: %d %s", target.Name, a.status, a.body)
	}
	if e.handled() != 3 {
		t.Errorf("%s: handler ran %d times, want 3", target.Name, e.handled())
	}
}

func testDedup(t *testing.T, target Target) {
	e := newEnv(t, target, webhook.Dedup(8))
	a := e.delivery(webhook.UserCreated, "msg_2dedupA0000000000000000000")
	b := e.delivery(webhook.UserUpdated, "msg_2dedupB0000000000000000000")
	post := func(label string, d clerktest.WebhookDelivery, dup bool) {
		t.Helper()
		ans := e.send(target.Name+": "+label, http.MethodPost, d.Header(), d.Body)
		if ans.status != 200 || ans.dup != dup {
			t.Errorf("%s: %s: %d %s, want duplicate %v", target.Name, label, ans.status, ans.body, dup)
		}
	}
	post("first A", a, false)
	post("first B", b, false) // reuses the framework's buffers
	post("replay of A", a, true)
	e.advance(time.Minute)
	post("Svix retry of B", e.signer.SignAt(b.ID, e.clock(), b.Body), true)
	if e.handled() != 2 {
		t.Errorf("%s: handler ran %d times for two messages", target.Name, e.handled())
	}
	e.advance(webhook.DefaultTolerance)
	post("resend of A after its window", e.signer.SignAt(a.ID, e.clock(), a.Body), false)
	if e.handled() != 3 {
		t.Errorf("%s: handler ran %d times, want 3", target.Name, e.handled())
	}
}

func testConcurrent(t *testing.T, target Target) {
	e := newEnv(t, target, webhook.Dedup(64))
	ds := make([]clerktest.WebhookDelivery, 16)
	for i := range ds {
		ds[i] = e.delivery(webhook.SessionCreated, fmt.Sprintf("msg_2concurrent%014d", i))
	}
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, d := range ds {
				req, _ := http.NewRequest(http.MethodPost, "http://example.com"+Path, bytes.NewReader(d.Body))
				req.Header = d.Header()
				resp, err := e.do(req)
				if err != nil {
					t.Errorf("%s: %v", target.Name, err)
					return
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					t.Errorf("%s: concurrent delivery: %d", target.Name, resp.StatusCode)
				}
			}
		}()
	}
	wg.Wait()
	ids := map[string]bool{}
	e.mu.Lock()
	for _, ev := range e.calls {
		ids[ev.MessageID] = true
	}
	e.mu.Unlock()
	if len(ids) != len(ds) {
		t.Errorf("%s: %d distinct ids handled, want %d (a message id was corrupted or lost)", target.Name, len(ids), len(ds))
	}
}

func testConfig(t *testing.T, target Target) {
	signer, _ := clerktest.NewWebhookSigner()
	v, _ := webhook.New(webhook.Config{Secrets: webhook.Secrets(signer.Secret())})
	fn := func(context.Context, *webhook.Event) error { return nil }
	if err := target.New(nil, webhook.WithVerifier(v)); err == nil {
		t.Errorf("%s: NewWebhook accepted a nil handler", target.Name)
	}
	if err := target.New(fn, webhook.WithVerifier(v)); err != nil {
		t.Errorf("%s: NewWebhook: %v", target.Name, err)
	}
	t.Setenv(webhook.EnvSigningSecret, "")
	if err := target.New(fn); !errors.Is(err, webhook.ErrNoSecret) {
		t.Errorf("%s: NewWebhook without a secret: %v", target.Name, err)
	}
	t.Setenv(webhook.EnvSigningSecret, "whsec_tooShort")
	msg := panicMessage(func() { target.Webhook(fn) })
	if !strings.HasPrefix(msg, target.Package+": ") || !strings.Contains(msg, webhook.EnvSigningSecret) || strings.Contains(msg, "tooShort") {
		t.Errorf("%s: Webhook with a bad secret panics with %q", target.Name, msg)
	}
	t.Setenv(webhook.EnvSigningSecret, signer.Secret())
	if msg := panicMessage(func() { target.Webhook(fn) }); msg != "" {
		t.Errorf("%s: Webhook from the environment panics: %s", target.Name, msg)
	}
}

// panicMessage runs fn and returns what it panicked with, or "".
func panicMessage(fn func()) (msg string) {
	defer func() {
		if r := recover(); r != nil {
			msg = fmt.Sprint(r)
		}
	}()
	fn()
	return ""
}
