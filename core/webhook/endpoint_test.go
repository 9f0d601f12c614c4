package webhook_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/clerkgo/clerk/core/clerktest"
	"github.com/clerkgo/clerk/core/webhook"
)

// recorder is a handler that records the events it gets and fails on
// demand.
type recorder struct {
	mu     sync.Mutex
	events []*webhook.Event
	fail   error
}

func (r *recorder) handle(ctx context.Context, ev *webhook.Event) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if ctx == nil {
		panic("no context")
	}
	r.events = append(r.events, ev)
	return r.fail
}

func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.events)
}

// post sends a request through a real mux to the endpoint.
func post(t *testing.T, h http.Handler, method string, header http.Header, body []byte) *httptest.ResponseRecorder {
	t.Helper()
	mux := http.NewServeMux()
	mux.Handle("/webhooks/clerk", h)
	req := httptest.NewRequest(method, "/webhooks/clerk", bytes.NewReader(body))
	for k, v := range header {
		req.Header[k] = v
	}
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, req)
	return rec
}

type answer struct {
	Status    int    `json:"status"`
	Reason    string `json:"reason"`
	Message   string `json:"message"`
	Received  bool   `json:"received"`
	Duplicate bool   `json:"duplicate"`
}

func decodeAnswer(t *testing.T, rec *httptest.ResponseRecorder) answer {
	t.Helper()
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type %q", ct)
	}
	if cc := rec.Header().Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control %q", cc)
	}
	var a answer
	if err := json.Unmarshal(rec.Body.Bytes(), &a); err != nil {
		t.Fatalf("body %q: %v", rec.Body, err)
	}
	if a.Status != rec.Code {
		t.Errorf("body status %d, HTTP status %d", a.Status, rec.Code)
	}
	return a
}

func TestEndpointAnswers(t *testing.T) {
	f := newFixture(t, func(c *webhook.Config) { c.MaxBodySize = 4096 })
	rec := &recorder{}
	e, err := webhook.NewEndpoint(rec.handle, webhook.WithVerifier(f.v))
	if err != nil {
		t.Fatal(err)
	}
	d := f.sample(t, webhook.UserCreated)
	stale := f.signer.SignAt(d.ID, f.clk.Now().Add(-time.Hour), d.Body)
	big := f.signer.SignAt(d.ID, f.clk.Now(), bytes.Repeat([]byte(" "), 5000))
	notEvent := f.signer.SignAt(d.ID, f.clk.Now(), []byte(`{"hello":"world"}`))
	badSig := d.Header()
	badSig.Set("svix-signature", "v1,"+strings.Repeat("A", 43)+"=")
	for _, tt := range []struct {
		name    string
		method  string
		header  http.Header
		body    []byte
		status  int
		reason  string
		handled bool
	}{
		{"delivered", http.MethodPost, d.Header(), d.Body, 200, "", true},
		{"GET", http.MethodGet, d.Header(), nil, 405, "method-not-allowed", false},
		{"PUT", http.MethodPut, d.Header(), d.Body, 405, "method-not-allowed", false},
		{"no headers", http.MethodPost, nil, d.Body, 401, "headers-missing", false},
		{"bad signature", http.MethodPost, badSig, d.Body, 401, "signature-mismatch", false},
		{"stale", http.MethodPost, stale.Header(), stale.Body, 401, "timestamp-too-old", false},
		{"malformed signature", http.MethodPost, mutate(d, func(h http.Header) { h.Set("svix-signature", "garbage") }), d.Body, 400, "signature-malformed", false},
		{"bad timestamp", http.MethodPost, mutate(d, func(h http.Header) { h.Set("svix-timestamp", "soon") }), d.Body, 400, "timestamp-invalid", false},
		{"too large", http.MethodPost, big.Header(), big.Body, 400, "body-too-large", false},
		{"not an event", http.MethodPost, notEvent.Header(), notEvent.Body, 400, "payload-invalid", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before := rec.count()
			resp := post(t, e, tt.method, tt.header, tt.body)
			if resp.Code != tt.status {
				t.Fatalf("status %d, want %d: %s", resp.Code, tt.status, resp.Body)
			}
			a := decodeAnswer(t, resp)
			if a.Reason != tt.reason || (tt.reason == "") != a.Received {
				t.Errorf("body %s", resp.Body)
			}
			if tt.reason != "" && a.Message == "" {
				t.Errorf("no message: %s", resp.Body)
			}
			if allow := resp.Header().Get("Allow"); (tt.status == 405) != (allow == "POST") {
				t.Errorf("Allow %q with status %d", allow, tt.status)
			}
			if handled := rec.count() > before; handled != tt.handled {
				t.Errorf("handler called: %v, want %v", handled, tt.handled)
			}
		})
	}
	if got := rec.events[0]; got.Type != webhook.UserCreated || got.MessageID != d.ID {
		t.Errorf("handler got %+v", got)
	}
}

func TestEndpointHandlerError(t *testing.T) {
	f := newFixture(t)
	rec := &recorder{fail: errors.New("database is down: password=hunter2")}
	e := webhook.Handler(rec.handle, webhook.WithVerifier(f.v), webhook.Dedup(0))
	d := f.sample(t, webhook.UserCreated)
	for i := 0; i < 2; i++ { // a failed event is not remembered: the retry runs again
		resp := post(t, e, http.MethodPost, d.Header(), d.Body)
		if resp.Code != 500 || strings.Contains(resp.Body.String(), "hunter2") || strings.Contains(resp.Body.String(), "database") {
			t.Fatalf("status %d body %s", resp.Code, resp.Body)
		}
		if a := decodeAnswer(t, resp); a.Reason != "handler-failed" {
			t.Errorf("reason %q", a.Reason)
		}
	}
	if rec.count() != 2 {
		t.Errorf("handler called %d times, want 2", rec.count())
	}
	rec.fail = nil
	if resp := post(t, e, http.MethodPost, d.Header(), d.Body); resp.Code != 200 || decodeAnswer(t, resp).Duplicate {
		t.Fatalf("retry after a failure: %d %s", resp.Code, resp.Body)
	}
	if resp := post(t, e, http.MethodPost, d.Header(), d.Body); !decodeAnswer(t, resp).Duplicate {
		t.Fatalf("second success is not a duplicate: %s", resp.Body)
	}
}

func TestEndpointDedup(t *testing.T) {
	f := newFixture(t)
	rec := &recorder{}
	e, err := webhook.NewEndpoint(rec.handle, webhook.WithVerifier(f.v), webhook.Dedup(2))
	if err != nil {
		t.Fatal(err)
	}
	first := f.sample(t, webhook.UserCreated)
	mustPost := func(d clerktest.WebhookDelivery, duplicate bool) {
		t.Helper()
		resp := post(t, e, http.MethodPost, d.Header(), d.Body)
		a := decodeAnswer(t, resp)
		if resp.Code != 200 || a.Duplicate != duplicate || !a.Received {
			t.Fatalf("status %d body %s, want duplicate %v", resp.Code, resp.Body, duplicate)
		}
	}
	mustPost(first, false)
	mustPost(first, true) // a replay
	// Svix's retry of the same message: same id, new timestamp and signature.
	f.clk.Advance(time.Minute)
	retry := f.signer.SignAt(first.ID, f.clk.Now(), first.Body)
	mustPost(retry, true)
	if rec.count() != 1 {
		t.Fatalf("handler ran %d times for one message", rec.count())
	}
	// Once the tolerance window of the last delivery seen (the retry) has
	// passed, the id is forgotten: a manual resend runs the handler again.
	f.clk.Advance(webhook.DefaultTolerance + time.Second)
	again := f.signer.SignAt(first.ID, f.clk.Now(), first.Body)
	mustPost(again, false)
	if rec.count() != 2 {
		t.Fatalf("handler ran %d times, want 2", rec.count())
	}
	// The set is bounded: with room for 2, a third id pushes out the oldest.
	for _, id := range []string{"msg_a", "msg_b"} {
		mustPost(f.signer.SignAt(id, f.clk.Now(), first.Body), false)
	}
	mustPost(f.signer.SignAt("msg_b", f.clk.Now(), first.Body), true)
	mustPost(f.signer.SignAt(first.ID, f.clk.Now(), first.Body), false) // evicted by msg_a and msg_b
	// Without Dedup, nothing is remembered.
	plain := webhook.Handler(rec.handle, webhook.WithVerifier(f.v))
	n := rec.count()
	for i := 0; i < 2; i++ {
		if resp := post(t, plain, http.MethodPost, first.Header(), first.Body); resp.Code != 401 { // stale by now
			t.Fatalf("status %d", resp.Code)
		}
		fresh := f.signer.SignAt("msg_plain", f.clk.Now(), first.Body)
		if resp := post(t, plain, http.MethodPost, fresh.Header(), fresh.Body); decodeAnswer(t, resp).Duplicate {
			t.Fatal("duplicate without Dedup")
		}
	}
	if rec.count() != n+2 {
		t.Errorf("handler ran %d times without Dedup, want 2", rec.count()-n)
	}
}

func TestEndpointConcurrent(t *testing.T) {
	f := newFixture(t)
	var calls atomic.Int64
	e := webhook.Handler(func(ctx context.Context, ev *webhook.Event) error {
		calls.Add(1)
		return nil
	}, webhook.WithVerifier(f.v), webhook.Dedup(16))
	deliveries := make([]clerktest.WebhookDelivery, 32)
	for i := range deliveries {
		deliveries[i] = f.signer.SignAt("msg_"+strconv.Itoa(i), f.clk.Now(), f.sample(t, webhook.UserCreated).Body)
	}
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, d := range deliveries {
				if resp := post(t, e, http.MethodPost, d.Header(), d.Body); resp.Code != 200 {
					t.Errorf("status %d", resp.Code)
				}
			}
		}()
	}
	wg.Wait()
	if n := calls.Load(); n < int64(len(deliveries)) || n > int64(8*len(deliveries)) {
		t.Errorf("%d handler calls for %d messages", n, len(deliveries))
	}
}

func TestEndpointHandle(t *testing.T) {
	f := newFixture(t)
	rec := &recorder{}
	e := webhook.Handler(rec.handle, webhook.WithVerifier(f.v))
	d := f.sample(t, webhook.SessionCreated)
	if r := e.Handle(context.Background(), http.MethodPost, d.Header().Get, d.Body); r.Status != 200 || r.Reason != "" || r.Allow != "" || len(r.Body) == 0 {
		t.Errorf("Handle: %+v", r)
	}
	if r := e.Handle(context.Background(), http.MethodGet, d.Header().Get, d.Body); r.Status != 405 || r.Allow != http.MethodPost || r.Reason != webhook.ReasonMethodNotAllowed {
		t.Errorf("Handle GET: %+v", r)
	}
	if r := e.Handle(context.Background(), http.MethodPost, http.Header{}.Get, d.Body); r.Status != 401 || r.Reason != webhook.ReasonHeadersMissing {
		t.Errorf("Handle without headers: %+v", r)
	}
	if e.Verifier() != f.v {
		t.Error("Verifier()")
	}
	var nilEndpoint *webhook.Endpoint
	if r := nilEndpoint.Handle(context.Background(), http.MethodPost, d.Header().Get, d.Body); r.Status != 500 {
		t.Errorf("nil endpoint: %+v", r)
	}
	if resp := post(t, nilEndpoint, http.MethodPost, d.Header(), d.Body); resp.Code != 500 {
		t.Errorf("nil endpoint over HTTP: %d", resp.Code)
	}
	if nilEndpoint.Verifier() != nil {
		t.Error("nil endpoint has a verifier")
	}
}

func TestNewEndpointErrors(t *testing.T) {
	f := newFixture(t)
	var ce *webhook.ConfigError
	if _, err := webhook.NewEndpoint(nil, webhook.WithVerifier(f.v)); !errors.As(err, &ce) || ce.Field != "handler" {
		t.Errorf("nil handler: %v", err)
	}
	if _, err := webhook.NewEndpoint((&recorder{}).handle, webhook.WithVerifier(f.v), webhook.Dedup(-1)); !errors.As(err, &ce) || ce.Field != "Dedup" {
		t.Errorf("negative dedup: %v", err)
	}
	t.Setenv(webhook.EnvSigningSecret, "")
	if _, err := webhook.NewEndpoint((&recorder{}).handle); !errors.Is(err, webhook.ErrNoSecret) {
		t.Errorf("no verifier and no environment: %v", err)
	}
	t.Setenv(webhook.EnvSigningSecret, f.signer.Secret())
	e, err := webhook.NewEndpoint((&recorder{}).handle, nil)
	if err != nil {
		t.Fatalf("verifier from the environment: %v", err)
	}
	d := f.signer.Sign(f.sample(t, webhook.UserCreated).Body)
	if resp := post(t, e, http.MethodPost, d.Header(), d.Body); resp.Code != 200 {
		t.Errorf("endpoint from the environment: %d %s", resp.Code, resp.Body)
	}
	t.Setenv(webhook.EnvSigningSecret, "whsec_!!")
	func() {
		defer func() {
			msg, _ := recover().(string)
			if !strings.Contains(msg, webhook.EnvSigningSecret) || strings.Contains(msg, "!!") {
				t.Errorf("panic %q", msg)
			}
		}()
		webhook.Handler((&recorder{}).handle)
		t.Error("Handler did not panic")
	}()
}

// TestEndpointDedupWindowEdge: with Dedup, the id of a handled delivery is
// remembered for exactly as long as the verifier accepts a replay of it, up
// to signing time + tolerance included; one instant later the replay fails
// the timestamp check. Before the two windows agreed, a replay at exactly
// signing time + tolerance ran the handler a second time.
func TestEndpointDedupWindowEdge(t *testing.T) {
	for _, tc := range []struct {
		name      string
		tolerance time.Duration
		after     time.Duration // replayed this long after signing
		status    int
		duplicate bool
	}{
		{"1s before the edge", 0, webhook.DefaultTolerance - time.Second, 200, true},
		{"1ns before the edge", 0, webhook.DefaultTolerance - time.Nanosecond, 200, true},
		{"exactly at the edge", 0, webhook.DefaultTolerance, 200, true},
		{"1ns after the edge", 0, webhook.DefaultTolerance + time.Nanosecond, 401, false},
		{"1s after the edge", 0, webhook.DefaultTolerance + time.Second, 401, false},
		{"exactly at the edge, 1s tolerance", time.Second, time.Second, 200, true},
		{"1ns after the edge, 1s tolerance", time.Second, time.Second + time.Nanosecond, 401, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, func(c *webhook.Config) { c.Tolerance = tc.tolerance })
			rec := &recorder{}
			e := webhook.Handler(rec.handle, webhook.WithVerifier(f.v), webhook.Dedup(0))
			d := f.sample(t, webhook.UserCreated)
			if resp := post(t, e, http.MethodPost, d.Header(), d.Body); resp.Code != 200 {
				t.Fatalf("first delivery: %d %s", resp.Code, resp.Body)
			}
			f.clk.Advance(tc.after)
			resp := post(t, e, http.MethodPost, d.Header(), d.Body)
			a := decodeAnswer(t, resp)
			if resp.Code != tc.status || a.Duplicate != tc.duplicate {
				t.Fatalf("replay: %d %s, want %d duplicate %v", resp.Code, resp.Body, tc.status, tc.duplicate)
			}
			if tc.status == 401 && a.Reason != "timestamp-too-old" {
				t.Errorf("reason %q", a.Reason)
			}
			if rec.count() != 1 {
				t.Fatalf("handler ran %d times for one delivery", rec.count())
			}
		})
	}
}

// TestEndpointDedupRetryExtends: Svix retries a message under the same id
// with a newer timestamp, which the verifier accepts for longer than the
// first delivery. A replay of that retry at its own edge is still a
// duplicate.
func TestEndpointDedupRetryExtends(t *testing.T) {
	f := newFixture(t)
	rec := &recorder{}
	e := webhook.Handler(rec.handle, webhook.WithVerifier(f.v), webhook.Dedup(0))
	first := f.sample(t, webhook.UserCreated)
	if resp := post(t, e, http.MethodPost, first.Header(), first.Body); resp.Code != 200 {
		t.Fatalf("first: %d %s", resp.Code, resp.Body)
	}
	f.clk.Advance(time.Minute)
	retry := f.signer.SignAt(first.ID, f.clk.Now(), first.Body)
	for _, after := range []time.Duration{0, webhook.DefaultTolerance} { // the retry, then its replay at its edge
		f.clk.Advance(after)
		resp := post(t, e, http.MethodPost, retry.Header(), retry.Body)
		if a := decodeAnswer(t, resp); resp.Code != 200 || !a.Duplicate {
			t.Fatalf("%v after the retry: %d %s", after, resp.Code, resp.Body)
		}
	}
	if rec.count() != 1 {
		t.Fatalf("handler ran %d times for one message", rec.count())
	}
}
