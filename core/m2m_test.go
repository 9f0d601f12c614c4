package core_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/clerkgo/clerk/core"
	"github.com/clerkgo/clerk/core/bapi"
	"github.com/clerkgo/clerk/core/clerktest"
)

// machineConfig is the config of an M2M-only client of the fake: the
// machine secret key alone.
func machineConfig(s *clerktest.Server, clk *fakeClock, key string) core.Config {
	return core.Config{
		MachineSecretKey: key,
		APIURL:           s.URL,
		Now:              clk.Now,
		HTTPClient:       s.Client(),
		MaxRetries:       -1,
	}
}

// newSource returns a token source of c, closed (and checked for leaked
// mints) at the end of the test.
func newSource(t *testing.T, c *core.Client, opts core.M2MTokenOptions) *core.M2MTokenSource {
	t.Helper()
	src, err := c.M2MTokenSource(opts)
	if err != nil {
		t.Fatalf("M2MTokenSource: %v", err)
	}
	t.Cleanup(func() {
		_ = src.Close()
		assertNoMintGoroutines(t)
	})
	return src
}

// assertNoMintGoroutines fails if a mint goroutine outlives its closed
// source.
func assertNoMintGoroutines(t *testing.T) {
	t.Helper()
	for try := 0; try < 100; try++ {
		buf := make([]byte, 1<<20)
		buf = buf[:runtime.Stack(buf, true)]
		if !bytes.Contains(buf, []byte("clerk/core.(*M2MTokenSource).run")) {
			return
		}
		runtime.Gosched()
		if try > 10 {
			time.Sleep(time.Millisecond) // a finished goroutine still unwinding, as goleak allows
		}
	}
	t.Error("a mint goroutine outlived Close")
}

func TestM2MTokenSourceConcurrentCallersShareOneMint(t *testing.T) {
	for _, format := range []core.M2MTokenFormat{core.M2MOpaque, core.M2MJWT} {
		t.Run(string(format), func(t *testing.T) {
			clk := newClock()
			fake := newFake(t, clk)
			c := newClient(t, machineConfig(fake, clk, fake.MachineSecretKey()))
			src := newSource(t, c, core.M2MTokenOptions{Format: format, TTL: time.Hour, Claims: map[string]any{"job": "sync"}})

			release := fake.Block(clerktest.EndpointCreateM2MToken)
			const n = 16
			var wg sync.WaitGroup
			toks := make([]core.MintedToken, n)
			errs := make([]error, n)
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					toks[i], errs[i] = src.Token(context.Background())
				}()
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := fake.AwaitWaiting(ctx, clerktest.EndpointCreateM2MToken, 1); err != nil {
				t.Fatal(err)
			}
			release()
			wg.Wait()
			for i := range n {
				if errs[i] != nil {
					t.Fatalf("caller %d: %v", i, errs[i])
				}
				if toks[i].Value() != toks[0].Value() {
					t.Fatalf("caller %d got another token", i)
				}
			}
			if got := fake.Requests(clerktest.EndpointCreateM2MToken); got != 1 {
				t.Fatalf("mints = %d, want 1", got)
			}
			tok := toks[0]
			if tok.Subject != fake.MachineID() || tok.TokenFormat != format || !tok.Expiry.Equal(clk.Now().Add(time.Hour)) {
				t.Fatalf("token = %v", tok)
			}
			// The minted token verifies at a receiver with the secret key,
			// claims and all.
			rc := newClient(t, fakeConfig(fake, clk))
			a, err := rc.VerifyMachineToken(context.Background(), tok.Value(), core.M2MToken)
			if err != nil {
				t.Fatalf("verify minted token: %v", err)
			}
			if a.Subject != fake.MachineID() || a.Claims["job"] != "sync" {
				t.Fatalf("auth = %+v", a)
			}
		})
	}
}

func TestM2MTokenSourceRenewsBeforeExpiry(t *testing.T) {
	// TTL 10m, MinRemainingTTL 30s: handed out until 30s before expiry,
	// renewed in the background from 60s before it.
	type step struct {
		advance  time.Duration
		newToken bool // another token than the previous step's
		mints    int  // mints so far, once the step's token is in hand
	}
	tests := []struct {
		name  string
		ttl   time.Duration
		steps []step
	}{
		{"reused while fresh, background renewal, never under 30s", 10 * time.Minute, []step{
			{0, true, 1},
			{8 * time.Minute, false, 1},
			{time.Minute, false, 2}, // 60s left: the old one, a new one minted beside
			{31 * time.Second, true, 2},
			{9 * time.Minute, true, 3}, // 29s left: replaced, callers wait
		}},
		{"short-lived tokens use a quarter of their lifetime", 40 * time.Second, []step{
			{0, true, 1},
			{19 * time.Second, false, 1},
			{time.Second, false, 2},     // 20s left (half of 40s): renewed beside
			{10 * time.Second, true, 2}, // 10s left (a quarter): the new one
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := newClock()
			fake := newFake(t, clk)
			c := newClient(t, machineConfig(fake, clk, fake.MachineSecretKey()))
			src := newSource(t, c, core.M2MTokenOptions{TTL: tt.ttl})
			prev := ""
			for i, st := range tt.steps {
				clk.Advance(st.advance)
				tok, err := src.Token(context.Background())
				if err != nil {
					t.Fatalf("step %d: %v", i, err)
				}
				if (tok.Value() != prev) != st.newToken {
					t.Fatalf("step %d: new token = %t, want %t", i, tok.Value() != prev, st.newToken)
				}
				if left := tok.Expiry.Sub(clk.Now()); left < tt.ttl/4 && left < 30*time.Second {
					t.Fatalf("step %d: handed out a token with %v left", i, left)
				}
				src.AwaitIdle() // a background renewal's outcome, before the clock moves on
				if n := fake.Requests(clerktest.EndpointCreateM2MToken); n != st.mints {
					t.Fatalf("step %d: mints = %d, want %d", i, n, st.mints)
				}
				prev = tok.Value()
			}
		})
	}
}

func TestM2MTokenSourceFailures(t *testing.T) {
	tests := []struct {
		name    string
		setup   func(fake *clerktest.Server) (key string)
		ctx     func() (context.Context, context.CancelFunc)
		status  int // of a *bapi.Error cause; 0: none
		isCause error
	}{
		{"Clerk failing", func(f *clerktest.Server) string {
			f.Fail(clerktest.EndpointCreateM2MToken, http.StatusInternalServerError)
			return f.MachineSecretKey()
		}, nil, http.StatusInternalServerError, nil},
		{"rate limited", func(f *clerktest.Server) string {
			f.Fail(clerktest.EndpointCreateM2MToken, http.StatusTooManyRequests)
			return f.MachineSecretKey()
		}, nil, http.StatusTooManyRequests, nil},
		{"unknown machine secret key", func(*clerktest.Server) string { return "ak_" + strings.Repeat("0", 48) },
			nil, http.StatusUnauthorized, nil},
		{"the instance secret key is not a machine's", func(f *clerktest.Server) string { return "ak_" + f.SecretKey() },
			nil, http.StatusUnauthorized, nil},
		{"caller's deadline while Clerk hangs", func(f *clerktest.Server) string {
			f.Block(clerktest.EndpointCreateM2MToken) // released by the fake's Close
			return f.MachineSecretKey()
		}, func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), 50*time.Millisecond)
		}, 0, context.DeadlineExceeded},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := newClock()
			fake := newFake(t, clk)
			key := tt.setup(fake)
			c := newClient(t, machineConfig(fake, clk, key))
			src := newSource(t, c, core.M2MTokenOptions{})
			ctx, cancel := context.Background(), context.CancelFunc(func() {})
			if tt.ctx != nil {
				ctx, cancel = tt.ctx()
			}
			defer cancel()
			_, err := src.Token(ctx)
			var ce *core.Error
			if !errors.Is(err, core.ErrUnavailable) || !errors.As(err, &ce) || ce.Reason != core.ReasonM2MTokenUnavailable {
				t.Fatalf("err = %v, want %s (unavailable)", err, core.ReasonM2MTokenUnavailable)
			}
			if tt.status != 0 && bapi.StatusCode(err) != tt.status {
				t.Fatalf("status = %d, want %d (%v)", bapi.StatusCode(err), tt.status, err)
			}
			if tt.isCause != nil && !errors.Is(err, tt.isCause) {
				t.Fatalf("err = %v, want it to match %v", err, tt.isCause)
			}
			if strings.Contains(err.Error(), key) || strings.Contains(fmt.Sprintf("%+v", err), key) {
				t.Fatal("the error shows the machine secret key")
			}
		})
	}
}

func TestM2MTokenSourceFailureIsNotRetriedAtOnce(t *testing.T) {
	clk := newClock()
	fake := newFake(t, clk)
	c := newClient(t, machineConfig(fake, clk, fake.MachineSecretKey()))
	src := newSource(t, c, core.M2MTokenOptions{})
	fake.FailNext(clerktest.EndpointCreateM2MToken, http.StatusServiceUnavailable, 1)
	for range 3 {
		if _, err := src.Token(context.Background()); !errors.Is(err, core.ErrUnavailable) {
			t.Fatalf("err = %v, want unavailable", err)
		}
	}
	if got := fake.Requests(clerktest.EndpointCreateM2MToken); got != 1 {
		t.Fatalf("mints = %d, want 1 within a second of the failure", got)
	}
	clk.Advance(time.Second)
	if _, err := src.Token(context.Background()); err != nil {
		t.Fatalf("after the pause: %v", err)
	}
}

func TestM2MTokenSourceClose(t *testing.T) {
	clk := newClock()
	fake := newFake(t, clk)
	c := newClient(t, machineConfig(fake, clk, fake.MachineSecretKey()))
	src := newSource(t, c, core.M2MTokenOptions{})
	fake.Block(clerktest.EndpointCreateM2MToken) // released by the fake's Close
	errc := make(chan error, 1)
	go func() {
		_, err := src.Token(context.Background())
		errc <- err
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := fake.AwaitWaiting(ctx, clerktest.EndpointCreateM2MToken, 1); err != nil {
		t.Fatal(err)
	}
	_ = src.Close() // cancels the mint in flight and waits for it
	assertNoMintGoroutines(t)
	if err := <-errc; !errors.Is(err, core.ErrSourceClosed) || !errors.Is(err, core.ErrUnavailable) {
		t.Fatalf("waiting caller: err = %v, want ErrSourceClosed", err)
	}
	if _, err := src.Token(context.Background()); !errors.Is(err, core.ErrSourceClosed) {
		t.Fatalf("after Close: err = %v, want ErrSourceClosed", err)
	}
	_ = src.Close() // idempotent
}

func TestM2MTokenSourceOptions(t *testing.T) {
	clk := newClock()
	fake := newFake(t, clk)
	sc := newClient(t, fakeConfig(fake, clk)) // no machine secret key
	if _, err := sc.M2MTokenSource(core.M2MTokenOptions{}); !errors.Is(err, core.ErrNoMachineSecretKey) {
		t.Fatalf("without a machine secret key: err = %v", err)
	}
	c := newClient(t, machineConfig(fake, clk, fake.MachineSecretKey()))
	var zero *core.M2MTokenSource
	if _, err := zero.Token(context.Background()); err == nil || zero.Close() != nil || zero.String() == "" {
		t.Fatal("a nil source is not inert")
	}
	if _, err := zero.Transport(nil, "a"); err == nil {
		t.Fatal("a nil source made a transport")
	}
	//nolint:staticcheck // a nil context on purpose
	if _, err := newSource(t, c, core.M2MTokenOptions{}).Token(nil); err != nil {
		t.Fatalf("nil context: %v", err)
	}
	for _, opts := range []core.M2MTokenOptions{
		{Format: "paseto"},
		{TTL: -time.Second},
		{TTL: time.Millisecond},
		{MinRemainingTTL: -1},
		{Timeout: -1},
	} {
		var ce *core.ConfigError
		if _, err := c.M2MTokenSource(opts); !errors.As(err, &ce) {
			t.Errorf("%+v: err = %v, want a *ConfigError", opts, err)
		}
	}
}

// recordingTransport answers 200 and records the Authorization header of
// each request it sees.
type recordingTransport struct {
	mu   sync.Mutex
	seen map[string]string // URL -> Authorization
}

func (rt *recordingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	rt.mu.Lock()
	rt.seen[r.URL.String()] = r.Header.Get("Authorization")
	rt.mu.Unlock()
	return &http.Response{StatusCode: http.StatusOK, Body: io.NopCloser(strings.NewReader("")), Request: r}, nil
}

func TestM2MTransportAddsTokenOnlyForItsHosts(t *testing.T) {
	clk := newClock()
	fake := newFake(t, clk)
	c := newClient(t, machineConfig(fake, clk, fake.MachineSecretKey()))
	src := newSource(t, c, core.M2MTokenOptions{})
	tok, err := src.Token(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	rt := &recordingTransport{seen: map[string]string{}}
	tr, err := src.Transport(rt, "api.internal", "Billing.Internal:8443", "127.0.0.1:9000")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		url     string
		want    bool
		wantErr error
	}{
		{"https://api.internal/v1/x", true, nil},
		{"https://API.internal:443/v1/x", true, nil},
		{"https://api.internal:8443/v1/x", false, nil}, // another port
		{"https://billing.internal:8443/", true, nil},
		{"https://billing.internal/", false, nil}, // default port, not 8443
		{"http://127.0.0.1:9000/", true, nil},     // plain http to loopback
		{"https://evil.example/", false, nil},
		{"https://api.internal.evil.example/", false, nil},
		{"https://evil.example/?h=api.internal", false, nil},
		{"http://api.internal/v1/x", false, core.ErrM2MInsecureRequest},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, tt.url, nil)
			req.RequestURI = ""
			resp, err := tr.RoundTrip(req)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			_ = resp.Body.Close()
			rt.mu.Lock()
			got := rt.seen[tt.url]
			rt.mu.Unlock()
			if want := "Bearer " + tok.Value(); (got == want) != tt.want || (!tt.want && got != "") {
				t.Fatalf("Authorization sent = %t, want %t", got != "", tt.want)
			}
			if req.Header.Get("Authorization") != "" {
				t.Fatal("the caller's request was modified")
			}
		})
	}
	for _, bad := range [][]string{nil, {""}, {"https://api.internal"}, {"api.internal/path"}, {"user@api.internal"}} {
		if _, err := src.Transport(nil, bad...); err == nil {
			t.Errorf("Transport(%q) accepted", bad)
		}
	}
}

func TestM2MTransportRedirectToAnotherHostDropsToken(t *testing.T) {
	clk := newClock()
	fake := newFake(t, clk)
	c := newClient(t, machineConfig(fake, clk, fake.MachineSecretKey()))
	src := newSource(t, c, core.M2MTokenOptions{})

	var mu sync.Mutex
	got := map[string]string{}
	record := func(name string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			got[name] = r.Header.Get("Authorization")
			mu.Unlock()
		}
	}
	other := httptest.NewServer(record("other"))
	defer other.Close()
	listed := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		record("listed"+r.URL.Path)(w, r)
		if r.URL.Path == "/same" {
			http.Redirect(w, r, "/final", http.StatusFound)
			return
		}
		if r.URL.Path == "/away" {
			http.Redirect(w, r, other.URL+"/stolen", http.StatusTemporaryRedirect)
		}
	}))
	defer listed.Close()

	hc, err := src.HTTPClient(strings.TrimPrefix(listed.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/away", "/same"} {
		resp, err := hc.Get(listed.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
	}
	mu.Lock()
	defer mu.Unlock()
	for _, path := range []string{"/away", "/same", "/final"} { // /final: a redirect on the listed host
		if !strings.HasPrefix(got["listed"+path], "Bearer mt_") {
			t.Fatalf("listed host %s: token sent = %t", path, got["listed"+path] != "")
		}
	}
	if a, ok := got["other"]; !ok || a != "" {
		t.Fatalf("redirect target: reached = %t, Authorization sent = %t", ok, a != "")
	}
}

func TestMintedTokenRedaction(t *testing.T) {
	clk := newClock()
	fake := newFake(t, clk)
	key := fake.MachineSecretKey()
	cfg := machineConfig(fake, clk, key)
	var clientLogs bytes.Buffer
	cfg.Logger = slog.New(slog.NewJSONHandler(&clientLogs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c := newClient(t, cfg)
	src := newSource(t, c, core.M2MTokenOptions{TTL: time.Minute})
	tok, err := src.Token(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&logs, nil))
	log.Info("minted", "token", tok, "config", cfg, "source", src, "client", c)
	js, err := json.Marshal(struct {
		T core.MintedToken
		C core.Config
	}{tok, cfg})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.VerifyMachineToken(context.Background(), "mt_unknown", core.M2MToken); err == nil {
		t.Fatal("an unknown token verified")
	}
	fake.Fail(clerktest.EndpointCreateM2MToken, http.StatusInternalServerError)
	clk.Advance(time.Hour) // the token is gone: a failing mint, logged as a warning
	if _, err := src.Token(context.Background()); err == nil {
		t.Fatal("no error from a failing mint")
	}
	if !strings.Contains(clientLogs.String(), "create_m2m_token") {
		t.Errorf("the failing mint was not logged: %s", clientLogs.String())
	}
	outputs := map[string]string{"slog": logs.String(), "json": string(js), "client logs": clientLogs.String()}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d"} {
		outputs[verb] = fmt.Sprintf(verb+" "+verb+" "+verb+" "+verb, tok, &tok, cfg, src)
	}
	for name, out := range outputs {
		if strings.Contains(out, tok.Value()) || strings.Contains(out, key) {
			t.Errorf("%s shows a secret: %s", name, out)
		}
	}
	if !strings.Contains(outputs["%v"], tok.ID) {
		t.Errorf("%%v lost the token ID: %s", outputs["%v"])
	}
}

func TestMachineSecretKeyAloneVerifiesGrantedM2MTokens(t *testing.T) {
	clk := newClock()
	fake := newFake(t, clk)
	receiver := fake.NewMachine()
	caller := fake.NewMachine(receiver.ID)
	stranger := fake.NewMachine()
	rc := newClient(t, machineConfig(fake, clk, receiver.SecretKey))

	granted := fake.NewM2MToken(clerktest.MachineTokenParams{Subject: caller.ID, Scopes: caller.Scopes, TTL: time.Hour})
	notGranted := fake.NewM2MToken(clerktest.MachineTokenParams{Subject: stranger.ID, TTL: time.Hour})
	jwt := fake.NewM2MJWT(clerktest.MachineTokenParams{Subject: caller.ID, Scopes: caller.Scopes})
	apiKey := fake.NewAPIKey(clerktest.MachineTokenParams{})
	tests := []struct {
		name   string
		token  string
		accept core.TokenKind
		reason core.Reason // "" for success
	}{
		{"granted to this machine", granted.Token, core.M2MToken, ""},
		{"not granted to this machine", notGranted.Token, core.M2MToken, core.ReasonTokenNotFound},
		{"JWT form without instance keys", jwt.Token, core.M2MToken, core.ReasonTokenUnknownKID},
		{"API key without the secret key", apiKey.Token, core.APIKey, core.ReasonTokenVerificationUnavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := rc.VerifyMachineToken(context.Background(), tt.token, tt.accept)
			if tt.reason == "" {
				if err != nil || a.Subject != caller.ID {
					t.Fatalf("auth = %+v, err = %v", a, err)
				}
				return
			}
			var ce *core.Error
			if !errors.As(err, &ce) || ce.Reason != tt.reason {
				t.Fatalf("err = %v, want %s", err, tt.reason)
			}
		})
	}
	if h := fake.LastHeader(clerktest.EndpointVerifyM2MToken).Get("Authorization"); h != "Bearer "+receiver.SecretKey {
		t.Fatal("M2M verification did not use the machine secret key")
	}
}

func TestMachineSecretKeyConfig(t *testing.T) {
	tests := []struct {
		name  string
		key   string
		valid bool
	}{
		{"machine key", "ak_0123456789abcdef", true},
		{"secret key", "sk_test_abc", false},
		{"prefix only", "ak_", false},
		{"whitespace", "ak_abc def", false},
		{"non-ASCII", "ak_abcé", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(core.EnvMachineSecretKey, tt.key)
			t.Setenv(core.EnvSecretKey, "")
			t.Setenv(core.EnvAPIKey, "")
			t.Setenv(core.EnvPublishableKey, "")
			t.Setenv(core.EnvJWTKey, "")
			t.Setenv(core.EnvDomain, "")
			t.Setenv(core.EnvProxyURL, "")
			cfg, err := core.ConfigFromEnv()
			if tt.valid {
				if err != nil || cfg.MachineSecretKey != tt.key {
					t.Fatalf("err = %v", err)
				}
				return
			}
			var ce *core.ConfigError
			if !errors.As(err, &ce) || ce.Field != core.EnvMachineSecretKey {
				t.Fatalf("err = %v, want a *ConfigError on %s", err, core.EnvMachineSecretKey)
			}
			if len(tt.key) > 3 && strings.Contains(err.Error(), tt.key[3:]) {
				t.Fatal("the error shows the key")
			}
		})
	}
}

// FuzzM2MTransportHosts: whatever the request URL, the token goes only to
// the listed host (on its default port), over https or to loopback, and
// nothing panics.
func FuzzM2MTransportHosts(f *testing.F) {
	for _, s := range []string{
		"https://api.internal/x", "https://API.INTERNAL:443/", "http://api.internal/", "https://api.internal:8443/",
		"https://api.internal.evil/", "https://evil/api.internal", "https://user@api.internal/", "https://[::1]:443/",
		"https://api.internal./", "https://%61pi.internal/", "https://xn--api-internal/",
	} {
		f.Add(s)
	}
	clk := newClock()
	fake := clerktest.New(clerktest.WithClock(clk.Now), clerktest.WithKey(key(0)))
	defer fake.Close()
	c, err := core.New(machineConfig(fake, clk, fake.MachineSecretKey()))
	if err != nil {
		f.Fatal(err)
	}
	defer c.Close()
	src, err := c.M2MTokenSource(core.M2MTokenOptions{})
	if err != nil {
		f.Fatal(err)
	}
	defer src.Close()
	if _, err := src.Token(context.Background()); err != nil {
		f.Fatal(err)
	}
	rt := &recordingTransport{seen: map[string]string{}}
	tr, err := src.Transport(rt, "api.internal")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		u, err := url.Parse(raw)
		if err != nil {
			return
		}
		resp, err := tr.RoundTrip(&http.Request{Method: http.MethodGet, URL: u, Header: http.Header{}})
		if err != nil {
			return
		}
		_ = resp.Body.Close()
		rt.mu.Lock()
		auth := rt.seen[u.String()]
		rt.mu.Unlock()
		if auth == "" {
			return
		}
		if !strings.EqualFold(u.Hostname(), "api.internal") || u.Scheme != "https" || (u.Port() != "" && u.Port() != "443") {
			t.Fatalf("token sent to %q", raw)
		}
	})
}

// Two machines of one instance share a cache (Config.Cache): a verdict one
// machine's key obtained must not let the other accept a token that was
// not granted to it.
func TestMachineVerdictsSharedCacheIsPerMachine(t *testing.T) {
	clk := newClock()
	fake := newFake(t, clk)
	a, b := fake.NewMachine(), fake.NewMachine()
	caller := fake.NewMachine(a.ID)
	tok := fake.NewM2MToken(clerktest.MachineTokenParams{Subject: caller.ID, Scopes: caller.Scopes, TTL: time.Hour})
	shared := newMapCache(clk.Now)
	verify := func(m clerktest.Machine, secretKey string) error {
		cfg := machineConfig(fake, clk, m.SecretKey)
		cfg.SecretKey, cfg.Cache = secretKey, shared
		_, err := newClient(t, cfg).VerifyMachineToken(context.Background(), tok.Token, core.M2MToken)
		return err
	}
	for _, sk := range []string{"", fake.SecretKey()} { // machine keys alone, and beside the instance's secret key
		if err := verify(a, sk); err != nil {
			t.Fatalf("granted machine: %v", err)
		}
		var ce *core.Error
		if err := verify(b, sk); !errors.As(err, &ce) || ce.Reason != core.ReasonTokenNotFound {
			t.Fatalf("other machine with a shared cache: err = %v, want %s", err, core.ReasonTokenNotFound)
		}
	}
}

// BenchmarkM2MTokenSourceToken is the cost of a token already in hand (no
// mint), in parallel callers.
func BenchmarkM2MTokenSourceToken(b *testing.B) {
	clk := newClock()
	fake := clerktest.New(clerktest.WithClock(clk.Now), clerktest.WithKey(key(0)))
	defer fake.Close()
	c, err := core.New(machineConfig(fake, clk, fake.MachineSecretKey()))
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	src, err := c.M2MTokenSource(core.M2MTokenOptions{TTL: time.Hour})
	if err != nil {
		b.Fatal(err)
	}
	defer src.Close()
	ctx := context.Background()
	if _, err := src.Token(ctx); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := src.Token(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// A failing background renewal leaves the current token in use until it
// nears its expiry; then callers get the failure, and recover with Clerk.
func TestM2MTokenSourceRenewalFailureKeepsCurrentToken(t *testing.T) {
	clk := newClock()
	fake := newFake(t, clk)
	c := newClient(t, machineConfig(fake, clk, fake.MachineSecretKey()))
	src := newSource(t, c, core.M2MTokenOptions{TTL: 10 * time.Minute})
	first, err := src.Token(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	fake.Fail(clerktest.EndpointCreateM2MToken, http.StatusServiceUnavailable)
	steps := []struct {
		advance time.Duration
		ok      bool // the first token handed out; else an unavailable error
		mints   int
	}{
		{9 * time.Minute, true, 2},         // renewal due: started, fails in the background
		{0, true, 2},                       // within a second of the failure: no new attempt
		{time.Second, true, 3},             // another background attempt
		{30 * time.Second, false, 4},       // 29s left: not handed out; the wait sees the failure
		{500 * time.Millisecond, false, 4}, // answered from memory
	}
	for i, st := range steps {
		clk.Advance(st.advance)
		tok, err := src.Token(context.Background())
		if st.ok && (err != nil || tok.Value() != first.Value()) {
			t.Fatalf("step %d: err = %v, same token = %t", i, err, tok.Value() == first.Value())
		}
		if !st.ok && (!errors.Is(err, core.ErrUnavailable) || bapi.StatusCode(err) != http.StatusServiceUnavailable) {
			t.Fatalf("step %d: err = %v, want Clerk's 503 as unavailable", i, err)
		}
		src.AwaitIdle()
		if n := fake.Requests(clerktest.EndpointCreateM2MToken); n != st.mints {
			t.Fatalf("step %d: mints = %d, want %d", i, n, st.mints)
		}
	}
	fake.Recover(clerktest.EndpointCreateM2MToken)
	clk.Advance(time.Second)
	if tok, err := src.Token(context.Background()); err != nil || tok.Value() == first.Value() {
		t.Fatalf("after recovery: err = %v", err)
	}
}
