package oauth2clerk_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"go.uber.org/goleak"
	"golang.org/x/oauth2"

	"github.com/clerkgo/clerk/core"
	"github.com/clerkgo/clerk/core/clerktest"
	"github.com/clerkgo/clerk/oauth2clerk"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// clock is an injected clock shared by the fake Clerk and the client.
type clock struct{ t time.Time }

func (c *clock) Now() time.Time { return c.t }

func newSource(t *testing.T, fake *clerktest.Server, clk *clock, opts core.M2MTokenOptions) *core.M2MTokenSource {
	t.Helper()
	c, err := core.New(core.Config{
		MachineSecretKey: fake.MachineSecretKey(), APIURL: fake.URL, HTTPClient: fake.Client(),
		Now: clk.Now, MaxRetries: -1,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	src, err := c.M2MTokenSource(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = src.Close() })
	return src
}

func TestTokenSource(t *testing.T) {
	tests := []struct {
		name   string
		fail   int // status of the fake's mint endpoint; 0: healthy
		format core.M2MTokenFormat
	}{
		{"opaque", 0, core.M2MOpaque},
		{"jwt", 0, core.M2MJWT},
		{"Clerk failing", http.StatusBadGateway, core.M2MOpaque},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := &clock{t: time.Unix(1_800_000_000, 0)}
			fake := clerktest.New(clerktest.WithClock(clk.Now))
			t.Cleanup(fake.Close)
			if tt.fail != 0 {
				fake.Fail(clerktest.EndpointCreateM2MToken, tt.fail)
			}
			ts := oauth2clerk.TokenSource(context.Background(), newSource(t, fake, clk, core.M2MTokenOptions{Format: tt.format, TTL: time.Hour}))

			// Through x/oauth2's own transport, as a library taking a
			// TokenSource would use it.
			var got string
			api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				got = r.Header.Get("Authorization")
			}))
			t.Cleanup(api.Close)
			hc := &http.Client{Transport: &oauth2.Transport{Source: ts, Base: api.Client().Transport}}
			resp, err := hc.Get(api.URL)
			if tt.fail != 0 {
				if !errors.Is(err, core.ErrUnavailable) {
					t.Fatalf("err = %v, want core.ErrUnavailable", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			_ = resp.Body.Close()
			tok, err := ts.Token()
			if err != nil {
				t.Fatal(err)
			}
			if got != "Bearer "+tok.AccessToken || tok.TokenType != "Bearer" ||
				!tok.Expiry.Equal(clk.Now().Add(time.Hour).Truncate(time.Second)) || !tok.Valid() {
				t.Fatalf("token %s %v, header sent: %t", tok.TokenType, tok.Expiry, got != "")
			}
			if n := fake.Requests(clerktest.EndpointCreateM2MToken); n != 1 {
				t.Fatalf("mints = %d, want 1", n)
			}
		})
	}
}
