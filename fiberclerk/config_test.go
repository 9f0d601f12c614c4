package fiberclerk_test

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/clerkgo/clerk/core"
	"github.com/clerkgo/clerk/core/clerktest"
	"github.com/clerkgo/clerk/fiberclerk"
)

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

func TestConfigFromEnvironment(t *testing.T) {
	const secret = "TOPSECRET0123456789"
	tests := []struct {
		name    string
		env     map[string]string
		wantErr error  // matched with errors.Is, when non-nil
		inMsg   string // the panic message names the problem
	}{
		{name: "empty environment", wantErr: core.ErrNoKeySource, inMsg: "CLERK_SECRET_KEY"},
		{name: "malformed secret key", env: map[string]string{core.EnvSecretKey: "sk_prod_" + secret}, inMsg: "CLERK_SECRET_KEY"},
		{name: "malformed publishable key", env: map[string]string{core.EnvPublishableKey: "pk_test_" + secret}, inMsg: "CLERK_PUBLISHABLE_KEY"},
		{name: "insecure API URL", env: map[string]string{core.EnvSecretKey: "sk_test_" + secret, core.EnvAPIURL: "http://api.example.com"}, inMsg: "CLERK_API_URL"},
		{name: "publishable key only, user fetch on", env: map[string]string{core.EnvPublishableKey: "pk_test_ZXhhbXBsZS5jbGVyay5hY2NvdW50cy5kZXYk"}, wantErr: core.ErrFetchUserNeedsSecretKey, inMsg: "FetchUser"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clearEnv(t)
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			mw, err := fiberclerk.New()
			if err == nil || mw != nil {
				t.Fatalf("New() = %v, %v; want an error", mw != nil, err)
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("New() error %v, want %v", err, tt.wantErr)
			}
			msg := panicMessage(func() { fiberclerk.Middleware() })
			if !strings.HasPrefix(msg, "fiberclerk: invalid configuration: ") || !strings.Contains(msg, tt.inMsg) {
				t.Errorf("panic %q, want the fiberclerk prefix and %q", msg, tt.inMsg)
			}
			if strings.Contains(msg, secret) || strings.Contains(err.Error(), secret) {
				t.Errorf("panic %q or error %q shows the secret", msg, err)
			}
		})
	}
}

func TestConfigFromEnvironmentServes(t *testing.T) {
	s := clerktest.New(clerktest.WithKey(signingKey())) // real clock, as the env client's
	defer s.Close()
	clearEnv(t)
	t.Setenv(core.EnvSecretKey, s.SecretKey())
	t.Setenv(core.EnvAPIURL, s.URL)
	app := newApp(t) // no WithClient: the environment
	r := serve(app, "/protected", bearer(s.Token()))
	if r.status != http.StatusOK || r.identity(t).UserID != s.DefaultUserID() {
		t.Fatalf("got %d %s, want 200 for the default user", r.status, r.body)
	}
}

func TestJWTKeyOnlyClient(t *testing.T) {
	s := clerktest.New(clerktest.WithKey(signingKey()))
	defer s.Close()
	c, err := core.New(core.Config{JWTKey: s.PublicKeyPEM()})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()

	for _, opts := range [][]fiberclerk.Option{
		{fiberclerk.WithClient(c)},
		{fiberclerk.WithClient(c), fiberclerk.FetchUser(true)},
	} {
		if _, err := fiberclerk.New(opts...); !errors.Is(err, core.ErrFetchUserNeedsSecretKey) {
			t.Errorf("New: %v, want ErrFetchUserNeedsSecretKey", err)
		}
		if msg := panicMessage(func() { fiberclerk.Middleware(opts...) }); !strings.Contains(msg, "FetchUser needs a secret key") {
			t.Errorf("Middleware panic %q", msg)
		}
	}

	// Without the user fetch it verifies with no network call at all.
	app := newApp(t, fiberclerk.WithClient(c), fiberclerk.FetchUser(false))
	r := serve(app, "/protected", bearer(s.Token()))
	if r.status != http.StatusOK || r.identity(t).SessionSub != s.DefaultUserID() {
		t.Fatalf("got %d %s", r.status, r.body)
	}
	if n := s.Requests(clerktest.AnyEndpoint); n != 0 {
		t.Errorf("%d requests to Clerk, want 0", n)
	}
}

func TestInvalidOptions(t *testing.T) {
	f := newFake(t)
	if _, err := fiberclerk.New(fiberclerk.WithClient(f.c), fiberclerk.SessionKey("bad name;")); err == nil {
		t.Error("New accepted an invalid session key")
	}
	msg := panicMessage(func() { fiberclerk.Middleware(fiberclerk.WithClient(f.c), fiberclerk.SessionKey("a=b")) })
	if !strings.Contains(msg, "SessionKey") {
		t.Errorf("panic %q, want it to name SessionKey", msg)
	}
	if msg := panicMessage(func() { fiberclerk.Require(core.Role("org:admin"), nil) }); msg != "clerk: check 2 of 2 is nil" {
		t.Errorf("Require(nil) panic %q", msg)
	}
}
