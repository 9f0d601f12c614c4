package authtest

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/clerkgo/clerk/core"
	"github.com/clerkgo/clerk/core/clerktest"
)

// setEnv replaces the Clerk environment for the rest of the test.
func setEnv(t *testing.T, env map[string]string) {
	for _, k := range core.EnvNames() {
		t.Setenv(k, env[k])
	}
}

// panicMessage runs fn and returns what it panicked with ("" for none).
func panicMessage(fn func()) (msg string) {
	defer func() {
		if r := recover(); r != nil {
			msg = fmt.Sprint(r)
		}
	}()
	fn()
	return ""
}

// runConfig checks that every configuration error surfaces at construction
// (New returns it; Middleware panics with it), names the setting at fault,
// and never shows a secret; and that a client built from the environment
// serves requests.
func runConfig(t *testing.T, target Target) {
	const secret = "TOPSECRET0123456789"
	jwtOnly := NewFake(t)
	pemClient, err := core.New(core.Config{JWTKey: jwtOnly.Server.PublicKeyPEM(), Now: jwtOnly.Clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pemClient.Close() })
	good := NewFake(t)

	tests := []struct {
		name    string
		env     map[string]string
		setup   Setup
		wantErr error  // matched with errors.Is when non-nil
		inMsg   string // the error and the panic name the problem
	}{
		{name: "empty environment", setup: Setup{FetchUser: true}, wantErr: core.ErrNoKeySource, inMsg: core.EnvSecretKey},
		{name: "malformed secret key", env: map[string]string{core.EnvSecretKey: "sk_prod_" + secret}, setup: Setup{FetchUser: true}, inMsg: core.EnvSecretKey},
		{name: "malformed publishable key", env: map[string]string{core.EnvPublishableKey: "pk_test_" + secret}, inMsg: core.EnvPublishableKey},
		{name: "insecure API URL", env: map[string]string{core.EnvSecretKey: "sk_test_" + secret, core.EnvAPIURL: "http://api.example.com"}, inMsg: core.EnvAPIURL},
		{name: "malformed JWT key", env: map[string]string{core.EnvJWTKey: secret}, inMsg: core.EnvJWTKey},
		{name: "publishable key only, user fetch on", env: map[string]string{core.EnvPublishableKey: "pk_test_ZXhhbXBsZS5jbGVyay5hY2NvdW50cy5kZXYk"}, setup: Setup{FetchUser: true}, wantErr: core.ErrFetchUserNeedsSecretKey, inMsg: "FetchUser"},
		{name: "JWT-key-only client, user fetch on", setup: Setup{Client: pemClient, FetchUser: true}, wantErr: core.ErrFetchUserNeedsSecretKey, inMsg: "FetchUser"},
		{name: "invalid session cookie name", setup: Setup{Client: good.Client, SessionKey: "bad name;"}, inMsg: "SessionKey"},
		{name: "browser pages without a publishable key", setup: Setup{Client: good.Client, BrowserPages: true}, wantErr: core.ErrBrowserPagesNeedKeys, inMsg: "BrowserPages"},
		{name: "browser pages with TokenFrom", setup: Setup{Client: good.Client, BrowserPages: true, TokenFrom: []core.Extractor{core.FromCookie("__session")}}, inMsg: "BrowserPages"},
		{name: "browser pages on a machine-only route", setup: Setup{Client: good.Client, BrowserPages: true, AcceptsToken: kinds(core.APIKey)}, inMsg: "BrowserPages"},
		{name: "organization sync without browser pages", setup: Setup{Client: good.Client, OrganizationSync: &core.OrganizationSync{OrganizationPatterns: []string{"/orgs/:slug"}}}, inMsg: "OrganizationSync"},
		{name: "organization sync with a bad pattern", setup: Setup{Client: good.Client, BrowserPages: true, OrganizationSync: &core.OrganizationSync{OrganizationPatterns: []string{"/orgs/(?=x)"}}}, inMsg: "OrganizationSync"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			setEnv(t, tt.env)
			err := target.New(tt.setup)
			if err == nil {
				t.Fatal("New accepted the configuration")
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("New: %v, want %v", err, tt.wantErr)
			}
			msg := panicMessage(func() { target.Middleware(tt.setup) })
			prefix := target.Package + ": invalid configuration: "
			if !strings.HasPrefix(msg, prefix) || !strings.Contains(msg, tt.inMsg) || !strings.Contains(err.Error(), tt.inMsg) {
				t.Errorf("New: %q; Middleware panicked with %q; want the prefix %q and %q in both", err, msg, prefix, tt.inMsg)
			}
			if strings.Contains(msg, secret) || strings.Contains(err.Error(), secret) {
				t.Errorf("the error or the panic shows the secret: %q", msg)
			}
		})
	}

	t.Run("client from the environment serves", func(t *testing.T) {
		s := clerktest.New(clerktest.WithKey(keys()[0])) // the real clock, as the environment's client
		t.Cleanup(s.Close)
		setEnv(t, map[string]string{core.EnvSecretKey: s.SecretKey(), core.EnvAPIURL: s.URL, core.EnvProxyURL: s.URL})
		do := target.Build(t, Setup{FetchUser: true}) // no client: the environment
		tok := s.Token()
		a := serve(t, "env", do, newRequest(request{auth: "Bearer " + tok}))
		if a != nil {
			checkAnswer(t, "env", a, ok(true, true), s.DefaultUserID(), []string{tok, s.SecretKey()})
		}
	})

	t.Run("JWT-key-only client verifies without a network call", func(t *testing.T) {
		do := target.Build(t, Setup{Client: pemClient})
		tok := jwtOnly.Server.Token()
		a := serve(t, "jwt", do, newRequest(request{auth: "Bearer " + tok}))
		if a != nil {
			checkAnswer(t, "jwt", a, ok(false, true), jwtOnly.Server.DefaultUserID(), []string{tok})
		}
		if n := jwtOnly.Server.Requests(clerktest.AnyEndpoint); n != 0 {
			t.Errorf("%d requests to Clerk, want none", n)
		}
	})
}
