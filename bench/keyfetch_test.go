package bench

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	clerkhttp "github.com/clerk/clerk-sdk-go/v2/http"

	"github.com/clerkgo/clerk/chiclerk"
	"github.com/clerkgo/clerk/core"
	"github.com/clerkgo/clerk/core/authtest"
	"github.com/clerkgo/clerk/core/clerktest"
)

// Key-fetch behaviour: how many upstream JWKS requests a verifier makes
// (a) for a burst of concurrent requests on a cold key cache and (b) for
// forged tokens carrying random kids. The counts come from the fake Clerk's
// own request counter. The tests assert ours; they only log the official
// SDK's, which the benchmarks report as the "fetches" metric.

const (
	burst     = 1000                  // concurrent requests on a cold cache
	forged    = 1000                  // requests with random kids
	rounds    = 20                    // forged/rounds concurrent requests per round
	roundStep = 15 * time.Second      // clock advance between two rounds
	jwksDelay = 50 * time.Millisecond // upstream latency of the JWKS endpoint
)

// verifier builds the middleware under test for fake s on clock clk, with
// hc as its HTTP client to Clerk.
type verifier struct {
	name  string
	build func(s *clerktest.Server, clk *authtest.Clock, hc *http.Client) (http.Handler, error)
}

var (
	ours = verifier{"clerkgo", func(s *clerktest.Server, clk *authtest.Clock, hc *http.Client) (http.Handler, error) {
		cfg := ourConfig(s)
		cfg.HTTPClient = hc
		cfg.Now = clk.Now
		cfg.KeyCooldown = core.DefaultKeyCooldown
		c, err := core.New(cfg)
		if err != nil {
			return nil, err
		}
		mw, err := chiclerk.New(chiclerk.WithClient(c), chiclerk.FetchUser(false))
		if err != nil {
			return nil, err
		}
		return chiRouter(mw), nil
	}}
	official = verifier{"clerk-sdk-go", func(s *clerktest.Server, clk *authtest.Clock, hc *http.Client) (http.Handler, error) {
		return chiRouter(clerkhttp.RequireHeaderAuthorization(
			clerkhttp.JWKSClient(sdkJWKSClient(s, hc)),
			clerkhttp.AuthorizedPartyMatches(s.AuthorizedParty()),
			clerkhttp.Clock(clk),
		)), nil
	}}
)

// fetchLog records the clock reading of every JWKS request a verifier
// sends, to check the spacing of fetches.
type fetchLog struct {
	base http.RoundTripper
	clk  *authtest.Clock
	mu   sync.Mutex
	at   []time.Time
}

func (l *fetchLog) RoundTrip(r *http.Request) (*http.Response, error) {
	if strings.HasSuffix(r.URL.Path, "/jwks") {
		l.mu.Lock()
		l.at = append(l.at, l.clk.Now())
		l.mu.Unlock()
	}
	return l.base.RoundTrip(r)
}

func (l *fetchLog) times() []time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]time.Time(nil), l.at...)
}

// setup starts a fake on a manual clock and the verifier against it.
func setup(tb testing.TB, v verifier) (*clerktest.Server, *authtest.Clock, *fetchLog, http.Handler) {
	tb.Helper()
	clk := authtest.NewClock(authtest.Epoch)
	s := newFake(clerktest.WithClock(clk.Now))
	tb.Cleanup(s.Close)
	log := &fetchLog{base: s.Client().Transport, clk: clk}
	h, err := v.build(s, clk, &http.Client{Transport: log, Timeout: 30 * time.Second})
	if err != nil {
		tb.Fatal(err)
	}
	return s, clk, log, h
}

func get(h http.Handler, token string) int {
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w.Code
}

// coldBurst sends burst concurrent requests with one valid token to a
// verifier whose key cache is cold, the JWKS endpoint answering after
// jwksDelay, and returns the upstream JWKS requests. Every request must
// succeed.
func coldBurst(tb testing.TB, v verifier) int {
	tb.Helper()
	s, _, _, h := setup(tb, v)
	s.SetLatency(clerktest.EndpointJWKS, jwksDelay)
	token := mint(s)
	var (
		wg    sync.WaitGroup
		start = make(chan struct{})
		codes = make([]int, burst)
	)
	for i := range codes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			codes[i] = get(h, token)
		}()
	}
	close(start)
	wg.Wait()
	for i, c := range codes {
		if c != http.StatusOK {
			tb.Fatalf("%s: request %d answered %d, want 200", v.name, i, c)
		}
	}
	return s.Requests(clerktest.EndpointJWKS)
}

// randomKids warms the verifier's key cache with a valid token, then sends
// forged tokens with random kids in rounds of concurrent requests, the
// clock advancing roundStep between rounds (rounds*roundStep in all; it
// stands still within a round, so a fetch's recorded time is the time it
// was decided). It returns the JWKS requests the forged tokens caused and
// the clock readings of every fetch, the warm-up's included. Every forged
// token must get 401.
func randomKids(tb testing.TB, v verifier) (int, []time.Time) {
	tb.Helper()
	s, clk, log, h := setup(tb, v)
	if c := get(h, mint(s)); c != http.StatusOK {
		tb.Fatalf("%s: warm-up answered %d, want 200", v.name, c)
	}
	warm := s.Requests(clerktest.EndpointJWKS)
	tokens := forgeKids(tb, mint(s), forged)
	per := forged / rounds
	for r := range rounds {
		var wg sync.WaitGroup
		codes := make([]int, per)
		for i := range codes {
			wg.Add(1)
			go func() {
				defer wg.Done()
				codes[i] = get(h, tokens[r*per+i])
			}()
		}
		wg.Wait()
		for _, c := range codes {
			// clerkgo answers an unknown kid it has not checked yet 503
			// jwks-refresh-pending (Retry-After) while the cooldown runs,
			// and 401 once a fetch settled it; never 200.
			if c != http.StatusUnauthorized && (v.name != ours.name || c != http.StatusServiceUnavailable) {
				tb.Fatalf("%s: a forged token was answered %d, want 401 (or clerkgo's 503 in the cooldown)", v.name, c)
			}
		}
		clk.Advance(roundStep)
	}
	return s.Requests(clerktest.EndpointJWKS) - warm, log.times()
}

// forgeKids returns n copies of token whose header names a random kid (the
// signature no longer matches, as an attacker's tokens would not; a kid
// lookup comes before any signature check).
func forgeKids(tb testing.TB, token string, n int) []string {
	tb.Helper()
	_, rest, _ := strings.Cut(token, ".")
	out := make([]string, n)
	for i := range out {
		kid := make([]byte, 12)
		if _, err := rand.Read(kid); err != nil {
			tb.Fatal(err)
		}
		h, err := json.Marshal(map[string]string{
			"alg": "RS256", "cat": clerktest.SessionTokenCategory, "typ": "JWT",
			"kid": "ins_forged" + base64.RawURLEncoding.EncodeToString(kid),
		})
		if err != nil {
			tb.Fatal(err)
		}
		out[i] = base64.RawURLEncoding.EncodeToString(h) + "." + rest
	}
	return out
}

// TestColdCacheOneFetch: a burst of concurrent requests on a cold cache
// makes exactly one upstream JWKS request, and every request succeeds.
func TestColdCacheOneFetch(t *testing.T) {
	if n := coldBurst(t, ours); n != 1 {
		t.Fatalf("%d concurrent requests on a cold cache made %d JWKS requests, want exactly 1", burst, n)
	}
}

// TestRandomKidsAtMostOneFetchPerCooldown: forged tokens with unknown kids
// cause at most one upstream JWKS request per cooldown, fetches are never
// closer than the cooldown, and no forged token is accepted.
func TestRandomKidsAtMostOneFetchPerCooldown(t *testing.T) {
	n, at := randomKids(t, ours)
	span := rounds * roundStep
	limit := int(span / core.DefaultKeyCooldown)
	if n > limit {
		t.Errorf("%d random-kid requests over %v made %d JWKS requests, want at most %d (one per %v cooldown)",
			forged, span, n, limit, core.DefaultKeyCooldown)
	}
	for i := 1; i < len(at); i++ {
		if gap := at[i].Sub(at[i-1]); gap < core.DefaultKeyCooldown {
			t.Errorf("JWKS requests %d and %d were %v apart, less than the %v cooldown", i-1, i, gap, core.DefaultKeyCooldown)
		}
	}
	t.Logf("clerkgo: %d JWKS requests for %d random kids over %v", n, forged, span)
}

// TestOfficialSDKKeyFetches runs the same scenarios against the official
// SDK and logs what it does; its numbers are facts about a peer, not
// assertions, beyond every request being answered as expected.
func TestOfficialSDKKeyFetches(t *testing.T) {
	cold := coldBurst(t, official)
	kids, _ := randomKids(t, official)
	t.Logf("clerk-sdk-go v2.7.0: %d JWKS requests for %d concurrent requests on a cold cache; %d for %d random kids",
		cold, burst, kids, forged)
}

// BenchmarkKeyFetch reports the upstream JWKS requests ("fetches") of both
// scenarios for ours and the official SDK. Run it with -benchtime=1x: one
// iteration is a whole scenario; ns/op is its duration.
func BenchmarkKeyFetch(b *testing.B) {
	for _, v := range []verifier{ours, official} {
		b.Run("cold-cache-1000-concurrent/"+v.name, func(b *testing.B) {
			total := 0
			for i := 0; i < b.N; i++ {
				total += coldBurst(b, v)
			}
			b.ReportMetric(float64(total)/float64(b.N), "fetches")
		})
		b.Run("random-kids-1000/"+v.name, func(b *testing.B) {
			total := 0
			for i := 0; i < b.N; i++ {
				n, _ := randomKids(b, v)
				total += n
			}
			b.ReportMetric(float64(total)/float64(b.N), "fetches")
			// The simulated time the forged tokens span, in cooldowns: the
			// most fetches "one per cooldown" allows.
			b.ReportMetric(float64(rounds*roundStep/core.DefaultKeyCooldown), "cooldowns")
		})
	}
}
