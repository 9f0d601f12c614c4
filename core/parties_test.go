package core_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/clerkgo/clerk/core"
	"github.com/clerkgo/clerk/core/clerktest"
)

// authorizedPartyCases are entries of AuthorizedParties: valid origins, and
// the mistakes a newcomer makes with the hint each gets. Before the check,
// every invalid one but the empty entry started without a word, and then
// every real session token was 401 token-invalid-authorized-party.
var authorizedPartyCases = []struct {
	entry string
	hint  string // "" means valid
}{
	{"http://localhost:3000", ""},
	{"https://app.example.com", ""},
	{"https://app.example.com:8443", ""},
	{"http://127.0.0.1:8080", ""},
	{"http://[::1]:3000", ""},
	{"https://[2001:db8::1]", ""},
	{"http://localhost:3000/", "drop the trailing slash: http://localhost:3000"},
	{"https://app.example.com/", "drop the trailing slash: https://app.example.com"},
	{"localhost:3000", "add the scheme: https://localhost:3000"},
	{"app.example.com", "add the scheme: https://app.example.com"},
	{"https://a.example/path", "an origin has no path; use https://a.example"},
	{"https://a.example/sign-in?x=1", "an origin has no query; use https://a.example"},
	{"https://a.example?", "an origin has no query; use https://a.example"},
	{"https://a.example#top", "an origin has no fragment; use https://a.example"},
	{"https://user:pw@a.example", "no user name or password"},
	{"https://a.example:443", "drop the default port: https://a.example"},
	{"http://a.example:80", "drop the default port: http://a.example"},
	{"https://a.example:0443", "drop the default port: https://a.example"},
	{"http://localhost:03000", "write it as browsers send it: http://localhost:3000"},
	{"HTTPS://app.example.com", "write it as browsers send it: https://app.example.com"},
	{"https://App.Example.com", "write it as browsers send it: https://app.example.com"},
	{"http://[0:0:0:0:0:0:0:1]:3000", "write it as browsers send it: http://[::1]:3000"},
	{"http://[::1%25eth0]:3000", "not an IPv6 address"},
	{"http://[127.0.0.1]", "scheme://host[:port]"},
	{"https://a.example:99999", "from 1 to 65535"},
	{"https://a.example:", "the port is empty"},
	{"https://bücher.example", "punycode"},
	{"https://a*.example", "the host contains '*'"},
	{"ftp://a.example", "the scheme must be http or https"},
	{"chrome-extension://abcdef", "the scheme must be http or https"},
	{"https://", "scheme://host[:port]"},
	{"https:///path", "scheme://host[:port]"},
	{"garbage!", "scheme://host[:port]"},
	{"*", "scheme://host[:port]"},
	{"https://a.example, https://b.example", "spaces"},
	{" https://a.example", "spaces"},
	{"https://a.example\t", "spaces"},
	{"https://a.example\x00", "control characters"},
	{"", "an entry is empty"},
	{"https://" + strings.Repeat("a", 3000) + ".example", "longer than 2048 bytes"},
}

func TestAuthorizedPartiesValidated(t *testing.T) {
	for _, tt := range authorizedPartyCases {
		t.Run(tt.entry, func(t *testing.T) {
			c, err := core.New(core.Config{SecretKey: secret, Name: "shop", AuthorizedParties: []string{"https://ok.example", tt.entry}})
			if tt.hint == "" {
				if err != nil {
					t.Fatalf("New refused a valid origin: %v", err)
				}
				c.Close()
				return
			}
			if err == nil {
				c.Close()
				t.Fatal("New accepted it")
			}
			var ce *core.ConfigError
			if !errors.As(err, &ce) || ce.Field != "AuthorizedParties" || ce.Instance != "shop" {
				t.Fatalf("err = %#v, want a *ConfigError for AuthorizedParties of shop", err)
			}
			if !strings.Contains(ce.Problem, tt.hint) {
				t.Errorf("problem %q, want it to say %q", ce.Problem, tt.hint)
			}
			if tt.entry != "" && len(tt.entry) < 2048 && !strings.Contains(err.Error(), tt.entry) && !strings.ContainsAny(tt.entry, "\x00\t") {
				t.Errorf("error %q does not quote the entry", err)
			}
			if strings.Contains(err.Error(), "SuperSecretValue") {
				t.Fatalf("error leaks the secret key: %v", err)
			}
		})
	}
}

// From the environment, the error names the variable (with its suffix) and
// the entry; empty entries (a trailing comma) are skipped there.
func TestAuthorizedPartiesFromEnv(t *testing.T) {
	for _, tt := range []struct {
		suffix, value, field, hint string
	}{
		{"", "http://localhost:3000/", "CLERK_AUTHORIZED_PARTIES", "drop the trailing slash: http://localhost:3000"},
		{"", "localhost:3000", "CLERK_AUTHORIZED_PARTIES", "add the scheme: https://localhost:3000"},
		{"_A", "https://a.example, https://b.example/app", "CLERK_AUTHORIZED_PARTIES_A", `"https://b.example/app"`},
		{"_A", "https://a.example, garbage", "CLERK_AUTHORIZED_PARTIES_A", "add the scheme: https://garbage"},
		{"", "https://a.example,, http://[::1]:3000,", "", ""},
	} {
		t.Run(tt.suffix+" "+tt.value, func(t *testing.T) {
			t.Setenv("CLERK_SECRET_KEY"+tt.suffix, secret)
			t.Setenv("CLERK_AUTHORIZED_PARTIES"+tt.suffix, tt.value)
			cfg, err := core.ConfigFromEnvSuffix(tt.suffix)
			if tt.field == "" {
				if err != nil || len(cfg.AuthorizedParties) != 2 || cfg.AuthorizedParties[1] != "http://[::1]:3000" {
					t.Fatalf("%q, %v", cfg.AuthorizedParties, err)
				}
				return
			}
			var ce *core.ConfigError
			if !errors.As(err, &ce) || ce.Field != tt.field {
				t.Fatalf("err = %v, want a *ConfigError for %s", err, tt.field)
			}
			if !strings.Contains(err.Error(), tt.hint) || !strings.Contains(err.Error(), tt.field) {
				t.Errorf("error %q, want it to name %s and say %q", err, tt.field, tt.hint)
			}
		})
	}
}

// A valid entry still works end to end: the fake Clerk's azp is accepted,
// compared exactly.
func TestAuthorizedPartyAccepted(t *testing.T) {
	clk := newClock()
	s := newFake(t, clk)
	cfg := fakeConfig(s, clk)
	cfg.AuthorizedParties = []string{"https://app.example.com", s.AuthorizedParty()}
	c := newClient(t, cfg)
	if _, err := c.VerifyToken(context.Background(), s.Token()); err != nil {
		t.Fatalf("azp %q: %v", s.AuthorizedParty(), err)
	}
	if _, err := c.VerifyToken(context.Background(), s.Token(clerktest.WithAuthorizedPartyClaim(s.AuthorizedParty()+"/"))); core.ReasonOf(err) != core.ReasonTokenInvalidAuthorizedParty {
		t.Fatalf("azp with a trailing slash: %v", err)
	}
}

// FuzzAuthorizedParty: any entry gets a clean verdict, never a panic; an
// accepted entry is a lower-case scheme://host form without a trailing
// slash, and a refused one is a *ConfigError for AuthorizedParties.
func FuzzAuthorizedParty(f *testing.F) {
	for _, tt := range authorizedPartyCases {
		f.Add(tt.entry)
	}
	f.Fuzz(func(t *testing.T, entry string) {
		c, err := core.New(core.Config{SecretKey: secret, AuthorizedParties: []string{entry}})
		if err == nil {
			c.Close()
			if strings.ToLower(entry) != entry || strings.HasSuffix(entry, "/") || !strings.Contains(entry, "://") {
				t.Fatalf("accepted %q", entry)
			}
			return
		}
		var ce *core.ConfigError
		if !errors.As(err, &ce) || ce.Field != "AuthorizedParties" {
			t.Fatalf("%q: %v", entry, err)
		}
	})
}

// TestNoClockSkew: ClockSkew 0 is the 5 s default; core.NoClockSkew (and
// CLERK_CLOCK_SKEW=0) asks for none, so a token whose exp is exactly now is
// expired, and one with nbf or iat a second ahead is refused. Other
// negative values stay refused. Before, no setting gave a zero skew.
func TestNoClockSkew(t *testing.T) {
	clk := newClock()
	s := newFake(t, clk)
	now := clk.Now()
	tests := []struct {
		name  string
		skew  time.Duration
		token string
		want  core.Reason
	}{
		{"none: exp exactly now", core.NoClockSkew, s.Token(clerktest.WithExpiry(now)), core.ReasonTokenExpired},
		{"none: exp 1s ahead", core.NoClockSkew, s.Token(clerktest.WithExpiry(now.Add(time.Second))), ""},
		{"none: exp 1s ago", core.NoClockSkew, s.Token(clerktest.WithExpiry(now.Add(-time.Second))), core.ReasonTokenExpired},
		{"none: nbf exactly now", core.NoClockSkew, s.Token(clerktest.WithNotBefore(now)), ""},
		{"none: nbf 1s ahead", core.NoClockSkew, s.Token(clerktest.WithNotBefore(now.Add(time.Second))), core.ReasonTokenNotActiveYet},
		{"none: iat 1s ahead", core.NoClockSkew, s.Token(clerktest.WithIssuedAt(now.Add(time.Second))), core.ReasonTokenIATInTheFuture},
		{"default: exp exactly now", 0, s.Token(clerktest.WithExpiry(now)), ""},
		{"default: exp 4s ago", 0, s.Token(clerktest.WithExpiry(now.Add(-4 * time.Second))), ""},
		{"default: exp 5s ago", 0, s.Token(clerktest.WithExpiry(now.Add(-5 * time.Second))), core.ReasonTokenExpired},
		{"default: nbf 1s ahead", 0, s.Token(clerktest.WithNotBefore(now.Add(time.Second))), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := fakeConfig(s, clk)
			cfg.ClockSkew = tt.skew
			c := newClient(t, cfg)
			_, err := c.VerifyToken(context.Background(), tt.token)
			if got := core.ReasonOf(err); got != tt.want {
				t.Fatalf("reason = %q (%v), want %q", got, err, tt.want)
			}
		})
	}
	for _, bad := range []time.Duration{-2, -time.Second} {
		_, err := core.New(core.Config{SecretKey: secret, ClockSkew: bad})
		var ce *core.ConfigError
		if !errors.As(err, &ce) || ce.Field != "ClockSkew" {
			t.Errorf("ClockSkew %v: %v", bad, err)
		}
	}
}

func TestClockSkewFromEnv(t *testing.T) {
	for _, tt := range []struct {
		value string
		want  time.Duration
		err   bool
	}{
		{"", 0, false}, // unset: the default
		{"0", core.NoClockSkew, false},
		{"0s", core.NoClockSkew, false},
		{"2s", 2 * time.Second, false},
		{"-1s", 0, true},
		{"soon", 0, true},
	} {
		t.Run(tt.value, func(t *testing.T) {
			t.Setenv("CLERK_SECRET_KEY_B", secret)
			t.Setenv("CLERK_CLOCK_SKEW_B", tt.value)
			cfg, err := core.ConfigFromEnvSuffix("_B")
			var ce *core.ConfigError
			if tt.err {
				if !errors.As(err, &ce) || ce.Field != "CLERK_CLOCK_SKEW_B" {
					t.Fatalf("err = %v", err)
				}
				return
			}
			if err != nil || cfg.ClockSkew != tt.want {
				t.Fatalf("ClockSkew %v, %v; want %v", cfg.ClockSkew, err, tt.want)
			}
		})
	}
}
