package bapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// calls of each HTTP method, for the retry tests.
var byMethod = map[string]func(c *Client) error{
	http.MethodGet: func(c *Client) error {
		_, _, err := c.Users.Get(context.Background(), "user_1")
		return err
	},
	http.MethodPut: func(c *Client) error {
		_, _, err := c.Users.ReplaceMetadata(context.Background(), "user_1", nil)
		return err
	},
	http.MethodDelete: func(c *Client) error {
		_, _, err := c.Users.Delete(context.Background(), "user_1")
		return err
	},
	http.MethodPost: func(c *Client) error {
		_, _, err := c.Users.Ban(context.Background(), "user_1")
		return err
	},
	http.MethodPatch: func(c *Client) error {
		_, _, err := c.Users.Update(context.Background(), "user_1", &UpdateUserParams{FirstName: Value("Ada")})
		return err
	},
}

func TestRetries(t *testing.T) {
	tests := []struct {
		method   string
		status   int
		attempts int // with WithMaxRetries(2)
	}{
		{http.MethodGet, 429, 3},
		{http.MethodGet, 502, 3},
		{http.MethodGet, 503, 3},
		{http.MethodGet, 504, 3},
		{http.MethodGet, 500, 1},
		{http.MethodGet, 400, 1},
		{http.MethodGet, 401, 1},
		{http.MethodGet, 404, 1},
		{http.MethodPut, 503, 3},
		{http.MethodDelete, 429, 3},
		{http.MethodPost, 503, 1},
		{http.MethodPost, 429, 1},
		{http.MethodPatch, 502, 1},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s %d", tt.method, tt.status), func(t *testing.T) {
			var n atomic.Int32
			c, w := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
				n.Add(1)
				if r.Method != tt.method {
					t.Errorf("method = %s", r.Method)
				}
				writeJSON(w, tt.status, map[string]any{"errors": []any{map[string]any{"code": "x", "message": "m"}}})
			}, WithMaxRetries(2))
			err := byMethod[tt.method](c)
			if StatusCode(err) != tt.status {
				t.Fatalf("err = %v, want status %d", err, tt.status)
			}
			if got := int(n.Load()); got != tt.attempts {
				t.Errorf("attempts = %d, want %d", got, tt.attempts)
			}
			if got := len(w.all()); got != tt.attempts-1 {
				t.Errorf("waits = %d, want %d", got, tt.attempts-1)
			}
		})
	}
}

func TestRetryThenSuccess(t *testing.T) {
	var n atomic.Int32
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) < 3 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		writeJSON(w, 200, map[string]any{"id": "user_1"})
	})
	u, resp, err := c.Users.Get(context.Background(), "user_1")
	if err != nil || u.ID != "user_1" || resp.StatusCode != 200 || n.Load() != 3 {
		t.Fatalf("u=%v resp=%v err=%v attempts=%d", u, resp, err, n.Load())
	}
}

func TestBackoffDelays(t *testing.T) {
	tests := []struct {
		name    string
		jitter  float64
		maxWait time.Duration
		want    []time.Duration
	}{
		{"no jitter", 0, time.Minute, []time.Duration{50 * time.Millisecond, 100 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond}},
		{"full jitter", 0.5, time.Minute, []time.Duration{75 * time.Millisecond, 150 * time.Millisecond, 300 * time.Millisecond, 600 * time.Millisecond}},
		{"capped", 0.5, 250 * time.Millisecond, []time.Duration{75 * time.Millisecond, 150 * time.Millisecond, 250 * time.Millisecond, 250 * time.Millisecond}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, w := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(http.StatusBadGateway)
			}, WithMaxRetries(4), WithRetryBackoff(100*time.Millisecond), WithMaxRetryWait(tt.maxWait), WithJitter(func() float64 { return tt.jitter }))
			_, _, err := c.JWKS.Get(context.Background())
			if StatusCode(err) != 502 {
				t.Fatalf("err = %v", err)
			}
			got := w.all()
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("waits = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestRetryAfter(t *testing.T) {
	tests := []struct {
		name       string
		header     func() string
		min, max   time.Duration
		wantNoWait bool
	}{
		{name: "seconds", header: func() string { return "3" }, min: 3 * time.Second, max: 3 * time.Second},
		{name: "http date", header: func() string { return time.Now().Add(10 * time.Second).UTC().Format(http.TimeFormat) }, min: 8 * time.Second, max: 10 * time.Second},
		{name: "past date falls back to backoff", header: func() string { return "Mon, 02 Jan 2006 15:04:05 GMT" }, min: 50 * time.Millisecond, max: 50 * time.Millisecond},
		{name: "garbage falls back to backoff", header: func() string { return "soon" }, min: 50 * time.Millisecond, max: 50 * time.Millisecond},
		{name: "longer than max wait gives up", header: func() string { return "120" }, wantNoWait: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var n atomic.Int32
			c, w := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Retry-After", tt.header())
				if n.Add(1) > 1 {
					writeJSON(w, 200, map[string]any{"keys": []any{}})
					return
				}
				writeJSON(w, 429, map[string]any{"errors": []any{map[string]any{"code": "too_many_requests", "message": "slow down"}}})
			}, WithRetryBackoff(100*time.Millisecond), WithMaxRetryWait(time.Minute))
			_, _, err := c.JWKS.Get(context.Background())
			waits := w.all()
			if tt.wantNoWait {
				if !IsRateLimited(err) || len(waits) != 0 || n.Load() != 1 {
					t.Fatalf("err=%v waits=%v attempts=%d", err, waits, n.Load())
				}
				var e *Error
				if !errors.As(err, &e) || e.RetryAfter != 120*time.Second {
					t.Errorf("RetryAfter not reported: %+v", e)
				}
				return
			}
			if err != nil || len(waits) != 1 {
				t.Fatalf("err=%v waits=%v", err, waits)
			}
			if waits[0] < tt.min || waits[0] > tt.max {
				t.Errorf("wait = %v, want between %v and %v", waits[0], tt.min, tt.max)
			}
		})
	}
}

// closingServer accepts connections and closes them without answering.
func closingServer(t *testing.T, hits *atomic.Int32) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			hits.Add(1)
			buf := make([]byte, 4096)
			_, _ = conn.Read(buf)
			conn.Close()
		}
	}()
	return "http://" + ln.Addr().String()
}

func TestConnectionErrors(t *testing.T) {
	for _, tt := range []struct {
		method   string
		attempts int32
	}{{http.MethodGet, 3}, {http.MethodDelete, 3}, {http.MethodPost, 1}, {http.MethodPatch, 1}} {
		t.Run(tt.method, func(t *testing.T) {
			var hits atomic.Int32
			w := &waits{}
			c, err := NewClient(testKey, WithBaseURL(closingServer(t, &hits)), WithWaitFunc(w.wait), WithMaxRetries(2))
			if err != nil {
				t.Fatal(err)
			}
			err = byMethod[tt.method](c)
			if err == nil || StatusCode(err) != 0 {
				t.Fatalf("err = %v", err)
			}
			if hits.Load() != tt.attempts {
				t.Errorf("attempts = %d, want %d", hits.Load(), tt.attempts)
			}
			if strings.Contains(err.Error(), testKey) {
				t.Errorf("error leaks the key: %v", err)
			}
		})
	}
}

func TestContextCancelStopsRetrying(t *testing.T) {
	t.Run("during backoff", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		var n atomic.Int32
		waiting := make(chan time.Duration, 1)
		// The real wait with an hour of backoff: only the context can end it.
		wait := func(ctx context.Context, d time.Duration) error {
			waiting <- d
			return sleepContext(ctx, d)
		}
		c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
			n.Add(1)
			w.WriteHeader(http.StatusServiceUnavailable)
		}, WithRetryBackoff(time.Hour), WithMaxRetryWait(2*time.Hour), WithWaitFunc(wait))
		done := make(chan error, 1)
		go func() {
			_, _, err := c.Users.Get(ctx, "user_1")
			done <- err
		}()
		if d := <-waiting; d < 30*time.Minute {
			t.Errorf("backoff = %v", d)
		}
		cancel()
		select {
		case err := <-done:
			if !errors.Is(err, context.Canceled) {
				t.Errorf("err = %v, want context.Canceled", err)
			}
			if StatusCode(err) != http.StatusServiceUnavailable {
				t.Errorf("the last API error is lost: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("call did not return after its context was canceled")
		}
		if n.Load() != 1 {
			t.Errorf("attempts = %d, want 1", n.Load())
		}
	})
	t.Run("during a request", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		var n atomic.Int32
		c, w := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
			n.Add(1)
			cancel()
			<-r.Context().Done()
		})
		_, _, err := c.Users.Get(ctx, "user_1")
		if !errors.Is(err, context.Canceled) || n.Load() != 1 || len(w.all()) != 0 {
			t.Errorf("err=%v attempts=%d waits=%v", err, n.Load(), w.all())
		}
	})
}

func TestSleepContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := sleepContext(ctx, time.Hour); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v", err)
	}
	if err := sleepContext(context.Background(), time.Millisecond); err != nil {
		t.Errorf("err = %v", err)
	}
	if err := sleepContext(context.Background(), 0); err != nil {
		t.Errorf("err = %v", err)
	}
}

func TestCanceledContextSendsNothing(t *testing.T) {
	var n atomic.Int32
	c, w := newTestClient(t, func(w http.ResponseWriter, r *http.Request) { n.Add(1) })
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, _, err := c.Users.Get(ctx, "user_1")
	if !errors.Is(err, context.Canceled) || n.Load() != 0 || len(w.all()) != 0 {
		t.Errorf("err=%v attempts=%d waits=%v", err, n.Load(), w.all())
	}
}

func TestPerAttemptTimeout(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	var n atomic.Int32
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}, WithTimeout(50*time.Millisecond), WithMaxRetries(1))
	_, _, err := c.Users.Get(context.Background(), "user_1")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want a deadline error", err)
	}
	if n.Load() != 2 {
		t.Errorf("attempts = %d, want 2 (a timed-out GET is retried)", n.Load())
	}
}

func TestResponseCap(t *testing.T) {
	tests := []struct {
		name   string
		status int
		size   int
		tooBig bool
	}{
		{"at the cap", 200, 1024, false},
		{"over the cap", 200, 1025, true},
		{"error body over the cap keeps its status", 503, 4096, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(tt.status)
				body := `{"id":"user_1","first_name":"` + strings.Repeat("a", tt.size-len(`{"id":"user_1","first_name":""}`)) + `"}`
				io.WriteString(w, body)
			}, WithMaxResponseBytes(1024), WithMaxRetries(-1))
			u, _, err := c.Users.Get(context.Background(), "user_1")
			if tt.status != 200 {
				if StatusCode(err) != tt.status || u != nil {
					t.Fatalf("err = %v, want status %d", err, tt.status)
				}
				return
			}
			if tt.tooBig {
				if !errors.Is(err, ErrResponseTooLarge) || u != nil {
					t.Fatalf("err = %v, want ErrResponseTooLarge", err)
				}
				return
			}
			if err != nil || u.ID != "user_1" {
				t.Fatalf("u=%v err=%v", u, err)
			}
		})
	}
}

func TestSecretNeverInErrors(t *testing.T) {
	handlers := map[string]http.HandlerFunc{
		"echoed in error": func(w http.ResponseWriter, r *http.Request) {
			auth := r.Header.Get("Authorization")
			writeJSON(w, 401, map[string]any{"errors": []any{map[string]any{"code": "bad " + auth, "message": auth, "long_message": "key " + auth, "meta": map[string]any{"h": auth, "l": []any{auth}}}}, "clerk_trace_id": auth, "meta": map[string]any{"auth": map[string]any{"v": auth}}})
		},
		"non-JSON error": func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(502)
			io.WriteString(w, "<html>"+r.Header.Get("Authorization")+"</html>")
		},
		"bad JSON success": func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, `{"id": 12`)
		},
		"too large": func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, strings.Repeat(" ", 2048))
		},
	}
	for name, h := range handlers {
		t.Run(name, func(t *testing.T) {
			c, _ := newTestClient(t, h, WithMaxResponseBytes(1024), WithMaxRetries(-1))
			_, _, err := c.Users.Get(context.Background(), "user_1")
			if err == nil {
				t.Fatal("no error")
			}
			if strings.Contains(err.Error(), "supersecret") || strings.Contains(fmt.Sprintf("%+v", err), "supersecret") {
				t.Errorf("error leaks the key: %v", err)
			}
			var e *Error
			if errors.As(err, &e) {
				fields, _ := json.Marshal([]any{e.Errors, e.Meta, e.TraceID})
				if strings.Contains(string(fields), "supersecret") {
					t.Errorf("the fields of the error hold the key: %s", fields)
				}
			}
		})
	}
	// Connection refused: the URL is in the error, the key is not.
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()
	c, _ := NewClient(testKey, WithBaseURL("http://"+addr), WithMaxRetries(-1))
	_, _, err := c.Users.Get(context.Background(), "user_1")
	if err == nil || strings.Contains(err.Error(), "supersecret") {
		t.Errorf("err = %v", err)
	}
}

func TestDecodeError(t *testing.T) {
	tests := []struct {
		name      string
		status    int
		header    http.Header
		body      string
		wantCodes []string
		wantTrace string
		wantRetry time.Duration
		wantText  string
	}{
		{
			name: "clerk errors", status: 422,
			body:      `{"errors":[{"code":"form_param_missing","message":"missing","long_message":"name is missing","meta":{"param_name":"name"}},{"code":"other","message":"m"}],"clerk_trace_id":"t-1"}`,
			wantCodes: []string{"form_param_missing", "other"}, wantTrace: "t-1",
			wantText: "bapi: GET /x: 422 Unprocessable Entity: form_param_missing (and 1 more) [trace t-1]",
		},
		{
			name: "html body keeps status", status: 502, body: "<html>bad gateway</html>",
			header:    http.Header{"X-Clerk-Trace-Id": {"t-h"}},
			wantTrace: "t-h", wantText: "bapi: GET /x: 502 Bad Gateway [trace t-h]",
		},
		{name: "empty body", status: 503, header: http.Header{"Retry-After": {"7"}}, wantRetry: 7 * time.Second, wantText: "bapi: GET /x: 503 Service Unavailable"},
		{name: "body trace wins over header", status: 404, body: `{"errors":[],"clerk_trace_id":"body"}`, header: http.Header{"X-Clerk-Trace-Id": {"hdr"}}, wantTrace: "body"},
		{name: "errors of the wrong type", status: 400, body: `{"errors":"nope"}`, wantText: "bapi: GET /x: 400 Bad Request"},
		{
			name: "odd codes and trace are left out", status: 400,
			body:      `{"errors":[{"code":"has space"},{"code":"` + strings.Repeat("a", 65) + `"}],"clerk_trace_id":"t\u0000x"}`,
			wantCodes: []string{"has space", strings.Repeat("a", 65)}, wantTrace: "t\x00x",
			wantText: "bapi: GET /x: 400 Bad Request (and 1 more)",
		},
		{
			name: "a redirect", status: 302, header: http.Header{"Location": {"https://evil.example/?k=v"}},
			wantText: "bapi: GET /x: 302 Found (redirect refused)",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := decodeError("GET", "/x", tt.status, tt.header, []byte(tt.body))
			if e.StatusCode != tt.status {
				t.Errorf("status = %d", e.StatusCode)
			}
			var codes []string
			for _, d := range e.Errors {
				codes = append(codes, d.Code)
			}
			if fmt.Sprint(codes) != fmt.Sprint(tt.wantCodes) {
				t.Errorf("codes = %v, want %v", codes, tt.wantCodes)
			}
			if e.TraceID != tt.wantTrace || e.RetryAfter != tt.wantRetry {
				t.Errorf("trace = %q retry = %v", e.TraceID, e.RetryAfter)
			}
			if tt.wantText != "" && e.Error() != tt.wantText {
				t.Errorf("Error() = %q, want %q", e.Error(), tt.wantText)
			}
		})
	}
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 5, 12, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"", 0},
		{"0", 0},
		{"-5", 0},
		{"12", 12 * time.Second},
		{" 3 ", 3 * time.Second},
		{"99999999999", 24 * time.Hour},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second},
		{now.Add(-time.Minute).Format(http.TimeFormat), 0},
		{"later", 0},
		{"Fri, 31 Dec 9999 23:59:59 GMT", 24 * time.Hour},
	}
	for _, tt := range tests {
		if got := parseRetryAfter(tt.in, now); got != tt.want {
			t.Errorf("parseRetryAfter(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func FuzzDecodeError(f *testing.F) {
	f.Add(429, `{"errors":[{"code":"c","message":"m","long_message":"l","meta":{"a":1}}],"clerk_trace_id":"t"}`, "3")
	f.Add(502, "<html>oops</html>", "Wed, 21 Oct 2015 07:28:00 GMT")
	f.Add(404, `{"errors":null,"meta":[]}`, "")
	f.Add(500, `{"errors":[{"code":{"x":1}}]}`, "-1")
	f.Add(400, "\x00\xff{", "1e9")
	f.Add(400, `{"errors":[{"code":"tok_0123456789","message":"tok_0123456789 is bad","meta":{"v":"tok_0123456789"}}],"meta":{"t":"x"},"clerk_trace_id":"tok_0123456789"}`, "tok_0123456789")
	f.Fuzz(func(t *testing.T, status int, body, retryAfter string) {
		h := http.Header{}
		h.Set("Retry-After", retryAfter)
		e := decodeError("GET", "/users", status, h, []byte(body))
		if e.StatusCode != status {
			t.Fatalf("status %d became %d", status, e.StatusCode)
		}
		if e.RetryAfter < 0 || e.RetryAfter > 24*time.Hour {
			t.Fatalf("retry after %v", e.RetryAfter)
		}
		if !strings.HasPrefix(e.Error(), "bapi: GET /users: ") {
			t.Fatalf("Error() = %q", e.Error())
		}
		// A bounded summary: prefix, status text, one code, a count, a trace.
		if n := len(e.Error()); n > 200+maxPrintedCode+maxPrintedTrace {
			t.Fatalf("Error() is %d bytes long: %q", n, e.Error())
		}
		// The printed forms depend on nothing but the summary: blanking
		// Clerk's messages and meta changes none of them.
		e.markEchoes([]string{body, retryAfter})
		blank := *e
		blank.Meta = nil
		blank.Errors = append([]ErrorDetail(nil), e.Errors...)
		for i := range blank.Errors {
			blank.Errors[i] = ErrorDetail{Code: e.Errors[i].Code}
		}
		for _, verb := range []string{"%v", "%+v", "%#v", "%q", "%x"} {
			if got, want := fmt.Sprintf(verb, e), fmt.Sprintf(verb, &blank); got != want {
				t.Fatalf("%s depends on messages or meta:\n%s\n%s", verb, got, want)
			}
		}
		if got, _ := json.Marshal(e); string(got) != string(must(json.Marshal(&blank))) {
			t.Fatalf("MarshalJSON depends on messages or meta: %s", got)
		}
		e.redact(testKey)
		var target *Error
		if !errors.As(fmt.Errorf("wrapped: %w", e), &target) || StatusCode(target) != status {
			t.Fatal("errors.As lost the error")
		}
	})
}
