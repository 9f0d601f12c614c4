package otelclerk_test

import (
	"context"
	"net/http"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/clerkgo/clerk/core"
	"github.com/clerkgo/clerk/core/clerktest"
)

// tenant is the attribute of the harness's instance, as keys spell it.
const tenant = "clerk.instance=" + instance

// A real client and authenticator against the fake Clerk: the decision, the
// calls to Clerk and the spans each request leaves behind.
func TestAuthentication(t *testing.T) {
	tests := []struct {
		name     string
		optional bool
		fail     string // a fake endpoint answering 500
		method   string
		header   func(*clerktest.Server) string
		wantErr  core.Reason // "" for no error

		decision string           // attributes of the one decision
		calls    map[string]int64 // clerk.calls by attributes
		spans    []spanSummary    // clerk.* spans, by name
	}{
		{
			name:     "accepted",
			header:   func(s *clerktest.Server) string { return "Bearer " + s.Token() },
			decision: tenant + ",clerk.outcome=accepted,clerk.token.kind=session_token",
			calls: map[string]int64{
				tenant + ",clerk.op=jwks,clerk.outcome=ok": 1,
				tenant + ",clerk.op=user,clerk.outcome=ok": 1,
			},
			spans: []spanSummary{
				{Name: "clerk.jwks", Kind: "client", Status: "Unset", Attrs: tenant + ",clerk.op=jwks"},
				{Name: "clerk.user", Kind: "client", Status: "Unset", Attrs: tenant + ",clerk.op=user"},
			},
		},
		{
			name:     "no token",
			wantErr:  core.ReasonTokenMissing,
			decision: tenant + ",clerk.outcome=refused,clerk.reason=token-missing",
		},
		{
			name:     "malformed token",
			header:   func(*clerktest.Server) string { return "Bearer not-a-token" },
			wantErr:  core.ReasonTokenMalformed,
			decision: tenant + ",clerk.outcome=refused,clerk.reason=token-malformed",
		},
		{
			name:     "expired token",
			header:   func(s *clerktest.Server) string { return "Bearer " + s.Token(clerktest.WithTTL(-time.Minute)) },
			wantErr:  core.ReasonTokenExpired,
			decision: tenant + ",clerk.outcome=refused,clerk.reason=token-expired,clerk.token.kind=session_token",
			calls:    map[string]int64{tenant + ",clerk.op=jwks,clerk.outcome=ok": 1},
			spans:    []spanSummary{{Name: "clerk.jwks", Kind: "client", Status: "Unset", Attrs: tenant + ",clerk.op=jwks"}},
		},
		{
			name:     "machine token on a session route",
			header:   func(*clerktest.Server) string { return "Bearer ak_0123456789abcdefghijklmnopqrstuv" },
			wantErr:  core.ReasonTokenTypeNotAccepted,
			decision: tenant + ",clerk.outcome=refused,clerk.reason=token-type-not-accepted,clerk.token.kind=api_key",
		},
		{
			name:     "optional, signed out",
			optional: true,
			decision: tenant + ",clerk.outcome=signed_out,clerk.reason=token-missing",
		},
		{
			name:     "a CORS preflight passes through with SkipOptions",
			method:   http.MethodOptions,
			header:   func(s *clerktest.Server) string { return "Bearer " + s.Token() },
			decision: tenant + ",clerk.outcome=skipped",
		},
		{
			name:     "user fetch fails",
			fail:     clerktest.EndpointGetUser,
			header:   func(s *clerktest.Server) string { return "Bearer " + s.Token() },
			wantErr:  core.ReasonUserFetchFailed,
			decision: tenant + ",clerk.outcome=refused,clerk.reason=user-fetch-failed,clerk.token.kind=session_token",
			calls: map[string]int64{
				tenant + ",clerk.op=jwks,clerk.outcome=ok":                   1,
				tenant + ",clerk.op=user,clerk.outcome=error,error.type=500": 1,
			},
			spans: []spanSummary{
				{Name: "clerk.jwks", Kind: "client", Status: "Unset", Attrs: tenant + ",clerk.op=jwks"},
				{
					Name: "clerk.user", Kind: "client", Status: "Error",
					Desc:   "clerk user call failed: Clerk answered HTTP 500 Internal Server Error",
					Attrs:  tenant + ",clerk.op=user,error.type=500",
					Events: []string{"exception{exception.message=clerk user call failed: Clerk answered HTTP 500 Internal Server Error,exception.type=*bapi.Error}"},
				},
			},
		},
		{
			name:     "key fetch fails",
			fail:     clerktest.EndpointJWKS,
			header:   func(s *clerktest.Server) string { return "Bearer " + s.Token() },
			wantErr:  core.ReasonJWKSUnavailable,
			decision: tenant + ",clerk.outcome=refused,clerk.reason=jwks-unavailable,clerk.token.kind=session_token",
			calls:    map[string]int64{tenant + ",clerk.op=jwks,clerk.outcome=error,error.type=500": 1},
			spans: []spanSummary{{
				Name: "clerk.jwks", Kind: "client", Status: "Error",
				Desc:   "clerk jwks call failed: Clerk answered HTTP 500 Internal Server Error",
				Attrs:  tenant + ",clerk.op=jwks,error.type=500",
				Events: []string{"exception{exception.message=clerk jwks call failed: Clerk answered HTTP 500 Internal Server Error,exception.type=*bapi.Error}"},
			}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, func(_ *core.Config, o *core.Options) {
				o.Optional = tt.optional
				o.SkipOptions = tt.method == http.MethodOptions
			})
			if tt.fail != "" {
				h.fake.Fail(tt.fail, http.StatusInternalServerError)
			}
			header := ""
			if tt.header != nil {
				header = tt.header(h.fake)
			}
			ctx, request := h.tp.Tracer("test").Start(context.Background(), "request")
			_, err := h.authenticate(ctx, tt.method, header)
			request.End()
			if got := core.ReasonOf(err); got != tt.wantErr || (err == nil) != (tt.wantErr == "") {
				t.Fatalf("Authenticate: %v (reason %q), want reason %q", err, got, tt.wantErr)
			}

			rm := h.collect(t)
			if got, want := counts(t, rm, "clerk.auth.decisions"), map[string]int64{tt.decision: 1}; !reflect.DeepEqual(got, want) {
				t.Errorf("clerk.auth.decisions = %v, want %v", got, want)
			}
			if got, want := histogram(t, rm, "clerk.auth.duration"), map[string]uint64{tt.decision: 1}; !reflect.DeepEqual(got, want) {
				t.Errorf("clerk.auth.duration counts = %v, want %v", got, want)
			}
			wantCalls := tt.calls
			if wantCalls == nil {
				wantCalls = map[string]int64{}
			}
			if got := counts(t, rm, "clerk.calls"); !reflect.DeepEqual(got, wantCalls) {
				t.Errorf("clerk.calls = %v, want %v", got, wantCalls)
			}
			wantTimes := map[string]uint64{}
			for k, v := range wantCalls {
				wantTimes[k] = uint64(v)
			}
			if got := histogram(t, rm, "clerk.call.duration"); !reflect.DeepEqual(got, wantTimes) {
				t.Errorf("clerk.call.duration counts = %v, want %v", got, wantTimes)
			}
			if got := h.clerkSpans(); !reflect.DeepEqual(got, tt.spans) {
				t.Errorf("spans:\n got  %+v\n want %+v", got, tt.spans)
			}

			// The decision is an event on the request's span.
			var events []string
			for _, s := range h.spans.Ended() {
				if s.Name() == "request" {
					events = summarize(s).Events
				}
			}
			if want := []string{"clerk.auth.decision{" + tt.decision + "}"}; !reflect.DeepEqual(events, want) {
				t.Errorf("request span events = %v, want %v", events, want)
			}
		})
	}
}

// The same token twice: the second request is served from the token and
// user caches, with no call to Clerk.
func TestCacheLookups(t *testing.T) {
	tests := []struct {
		name     string
		requests int
		want     map[string]int64
	}{
		{"first request misses", 1, map[string]int64{
			"clerk.cache=token,clerk.cache.hit=false,clerk.cache.layer=memory," + tenant: 1,
			"clerk.cache=user,clerk.cache.hit=false,clerk.cache.layer=memory," + tenant:  1,
		}},
		{"repeated token hits", 3, map[string]int64{
			"clerk.cache=token,clerk.cache.hit=false,clerk.cache.layer=memory," + tenant: 1,
			"clerk.cache=token,clerk.cache.hit=true,clerk.cache.layer=memory," + tenant:  2,
			"clerk.cache=user,clerk.cache.hit=false,clerk.cache.layer=memory," + tenant:  1,
			"clerk.cache=user,clerk.cache.hit=true,clerk.cache.layer=memory," + tenant:   2,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, nil)
			header := "Bearer " + h.fake.Token()
			for range tt.requests {
				if _, err := h.authenticate(context.Background(), "", header); err != nil {
					t.Fatal(err)
				}
			}
			rm := h.collect(t)
			if got := counts(t, rm, "clerk.cache.lookups"); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("clerk.cache.lookups = %v, want %v", got, tt.want)
			}
			wantCalls := map[string]int64{tenant + ",clerk.op=jwks,clerk.outcome=ok": 1, tenant + ",clerk.op=user,clerk.outcome=ok": 1}
			if got := counts(t, rm, "clerk.calls"); !reflect.DeepEqual(got, wantCalls) {
				t.Errorf("clerk.calls = %v, want %v", got, wantCalls)
			}
			want := map[string]int64{tenant + ",clerk.outcome=accepted,clerk.token.kind=session_token": int64(tt.requests)}
			if got := counts(t, rm, "clerk.auth.decisions"); !reflect.DeepEqual(got, want) {
				t.Errorf("clerk.auth.decisions = %v, want %v", got, want)
			}
		})
	}
}

// mapCache is a shared Cache in memory.
type mapCache struct {
	mu sync.Mutex
	m  map[string][]byte
}

func (c *mapCache) Get(_ context.Context, key string) ([]byte, bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.m[key]
	return v, ok, nil
}

func (c *mapCache) Set(_ context.Context, key string, value []byte, _ time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string][]byte{}
	}
	c.m[key] = value
	return nil
}

// Two replicas sharing a cache: the second finds the user in the shared
// layer and does not fetch it.
func TestSharedCacheLookups(t *testing.T) {
	shared := &mapCache{}
	first := newHarness(t, func(c *core.Config, _ *core.Options) { c.Cache = shared })
	header := "Bearer " + first.fake.Token()
	if _, err := first.authenticate(context.Background(), "", header); err != nil {
		t.Fatal(err)
	}
	second := newHarness(t, func(c *core.Config, _ *core.Options) {
		c.Cache = shared
		c.SecretKey, c.APIURL, c.ProxyURL, c.HTTPClient = first.fake.SecretKey(), first.fake.URL, first.fake.URL, first.fake.Client()
	})
	if _, err := second.authenticate(context.Background(), "", header); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		h    *harness
		want map[string]int64
	}{
		{"first replica fetches", first, map[string]int64{
			"clerk.cache=token,clerk.cache.hit=false,clerk.cache.layer=memory," + tenant: 1,
			"clerk.cache=user,clerk.cache.hit=false,clerk.cache.layer=memory," + tenant:  1,
			"clerk.cache=user,clerk.cache.hit=false,clerk.cache.layer=shared," + tenant:  1,
		}},
		{"second replica hits the shared layer", second, map[string]int64{
			"clerk.cache=token,clerk.cache.hit=false,clerk.cache.layer=memory," + tenant: 1,
			"clerk.cache=user,clerk.cache.hit=false,clerk.cache.layer=memory," + tenant:  1,
			"clerk.cache=user,clerk.cache.hit=true,clerk.cache.layer=shared," + tenant:   1,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := counts(t, tt.h.collect(t), "clerk.cache.lookups"); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("clerk.cache.lookups = %v, want %v", got, tt.want)
			}
		})
	}
	if got := counts(t, second.collect(t), "clerk.calls"); got[tenant+",clerk.op=user,clerk.outcome=ok"] != 0 {
		t.Errorf("second replica fetched the user: %v", got)
	}
}

// Concurrent requests through one observer: every decision and lookup is
// counted once (and -race finds no race).
func TestConcurrent(t *testing.T) {
	h := newHarness(t, nil)
	header := "Bearer " + h.fake.Token()
	const workers, each = 8, 25
	var wg sync.WaitGroup
	errs := make(chan error, workers*each)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range each {
				if _, err := h.authenticate(context.Background(), "", header); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	rm := h.collect(t)
	want := map[string]int64{tenant + ",clerk.outcome=accepted,clerk.token.kind=session_token": workers * each}
	if got := counts(t, rm, "clerk.auth.decisions"); !reflect.DeepEqual(got, want) {
		t.Errorf("clerk.auth.decisions = %v, want %v", got, want)
	}
	var tokenLookups int64
	for k, v := range counts(t, rm, "clerk.cache.lookups") {
		if k == "clerk.cache=token,clerk.cache.hit=false,clerk.cache.layer=memory,"+tenant || k == "clerk.cache=token,clerk.cache.hit=true,clerk.cache.layer=memory,"+tenant {
			tokenLookups += v
		}
	}
	if tokenLookups != workers*each {
		t.Errorf("token cache lookups = %d, want %d", tokenLookups, workers*each)
	}
}
