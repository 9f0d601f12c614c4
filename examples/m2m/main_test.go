package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/clerkgo/clerk/core"
	"github.com/clerkgo/clerk/core/clerktest"
)

func TestRun(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), &out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`billing (granted)        200 {"caller":"mch_`,
		`stranger (not granted)   401 {"status":401,"reason":"token-not-found"`,
		`anonymous (no token)     401 {"status":401,"reason":"token-missing"`,
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

// clock is an injected clock shared by the fake Clerk and the clients.
type clock struct{ t time.Time }

func (c *clock) Now() time.Time { return c.t }

func TestReceiver(t *testing.T) {
	clk := &clock{t: time.Unix(1_800_000_000, 0)}
	fake := clerktest.New(clerktest.WithClock(clk.Now))
	defer fake.Close()
	reports, billing := fake.NewMachine(), fake.NewMachine()
	fake.GrantMachineAccess(billing.ID, reports.ID)
	granted := fake.NewM2MToken(clerktest.MachineTokenParams{Subject: billing.ID, Scopes: []string{reports.ID}, TTL: time.Hour})
	other := fake.NewM2MToken(clerktest.MachineTokenParams{Subject: billing.ID, Scopes: []string{"mch_2other0000000000000000000"}, TTL: time.Hour})
	expired := fake.NewM2MToken(clerktest.MachineTokenParams{Subject: billing.ID, Scopes: []string{reports.ID}, TTL: -time.Minute})
	apiKey := fake.NewAPIKey(clerktest.MachineTokenParams{Scopes: []string{reports.ID}})

	tests := []struct {
		name   string
		key    func() core.Config // the receiver's credentials
		token  string
		status int
		reason string
	}{
		{"machine key: granted", machineKey(reports), granted.Token, http.StatusOK, ""},
		{"machine key: not granted", machineKey(reports), other.Token, http.StatusUnauthorized, "token-not-found"},
		{"machine key: expired", machineKey(reports), expired.Token, http.StatusUnauthorized, "token-expired"},
		{"machine key: an API key", machineKey(reports), apiKey.Token, http.StatusUnauthorized, "token-type-not-accepted"},
		{"machine key: no token", machineKey(reports), "", http.StatusUnauthorized, "token-missing"},
		// With the instance secret key Clerk answers for every token: the
		// route's core.Scope check refuses the ones not granted.
		{"secret key: granted", secretKey(fake), granted.Token, http.StatusOK, ""},
		{"secret key: not granted", secretKey(fake), other.Token, http.StatusForbidden, "missing-scope"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := tt.key()
			cfg.APIURL, cfg.HTTPClient, cfg.Now = fake.URL, fake.Client(), clk.Now
			rc, err := core.New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer rc.Close()
			srv := httptest.NewServer(receiver(rc, reports.ID))
			defer srv.Close()
			req, _ := http.NewRequest(http.MethodGet, srv.URL+"/reports", nil)
			if tt.token != "" {
				req.Header.Set("Authorization", "Bearer "+tt.token)
			}
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var body bytes.Buffer
			_, _ = body.ReadFrom(resp.Body)
			if resp.StatusCode != tt.status || !strings.Contains(body.String(), tt.reason) {
				t.Fatalf("%d %s, want %d %s", resp.StatusCode, body.String(), tt.status, tt.reason)
			}
			if tt.status == http.StatusOK && !strings.Contains(body.String(), `"caller":"`+billing.ID+`"`) {
				t.Fatalf("body %s", body.String())
			}
		})
	}
}

func machineKey(m clerktest.Machine) func() core.Config {
	return func() core.Config { return core.Config{MachineSecretKey: m.SecretKey} }
}

func secretKey(fake *clerktest.Server) func() core.Config {
	return func() core.Config { return core.Config{SecretKey: fake.SecretKey()} }
}
