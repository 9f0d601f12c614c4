package demo_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/clerkgo/clerk/core"
	"github.com/clerkgo/clerk/core/clerktest"
	"github.com/clerkgo/clerk/examples/internal/demo"
	"github.com/clerkgo/clerk/examples/internal/demotest"
)

func TestSetupFallsBackToTheFakeOnlyWithoutAKeySource(t *testing.T) {
	demotest.ClearEnv(t)
	t.Setenv("PORT", "")
	app, err := demo.Setup()
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	if app.Fake == nil || !app.FetchUser() || app.Port != demo.DefaultPort {
		t.Fatalf("no config: fake %v, fetch user %v, port %q", app.Fake != nil, app.FetchUser(), app.Port)
	}

	// A publishable key alone names an instance: no fake, no user fetch.
	t.Setenv(core.EnvPublishableKey, app.Fake.PublishableKey())
	inst, err := demo.Setup()
	if err != nil {
		t.Fatal(err)
	}
	defer inst.Close()
	if inst.Fake != nil || inst.FetchUser() {
		t.Errorf("publishable key: fake %v, fetch user %v", inst.Fake != nil, inst.FetchUser())
	}
	if _, err := inst.Token(""); !errors.Is(err, demo.ErrNoFake) {
		t.Errorf("Token with a real instance: %v, want ErrNoFake", err)
	}

	// An invalid setting is an error, never a silent fallback.
	t.Setenv(core.EnvPublishableKey, "")
	t.Setenv(core.EnvSecretKey, "not-a-key")
	if app, err := demo.Setup(); err == nil {
		app.Close()
		t.Fatal("invalid CLERK_SECRET_KEY accepted")
	} else if strings.Contains(err.Error(), "not-a-key") || !strings.Contains(err.Error(), core.EnvSecretKey) {
		t.Errorf("error %q should name the variable, not its value", err)
	}
}

func TestSetupTenantReadsItsOwnVariables(t *testing.T) {
	demotest.ClearEnv(t)
	fake := clerktest.New()
	defer fake.Close()
	t.Setenv("CLERK_SECRET_KEY_X", fake.SecretKey())
	t.Setenv("CLERK_API_URL_X", fake.URL)
	t.Setenv("CLERK_AUTHORIZED_PARTIES_X", "")
	t.Setenv("CLERK_SECRET_KEY_Y", "")
	t.Setenv("CLERK_PUBLISHABLE_KEY_Y", "")
	t.Setenv("CLERK_JWT_KEY_Y", "")
	x, err := demo.SetupTenant("x")
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	if x.Fake != nil || x.Client.Name() != "x" || !x.FetchUser() {
		t.Errorf("tenant x: fake %v, name %q", x.Fake != nil, x.Client.Name())
	}
	y, err := demo.SetupTenant("y")
	if err != nil {
		t.Fatal(err)
	}
	defer y.Close()
	if y.Fake == nil {
		t.Error("unconfigured tenant y has no fake")
	}
}

func TestToken(t *testing.T) {
	demotest.ClearEnv(t)
	app, err := demo.Setup()
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	a, err := core.NewAuthenticator(core.Options{Client: app.Client})
	if err != nil {
		t.Fatal(err)
	}
	for role, want := range map[string]string{"": "", "member": "org:member", "admin": "org:admin"} {
		tok, err := app.Token(role)
		if err != nil {
			t.Fatalf("Token(%q): %v", role, err)
		}
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Header.Set("Authorization", "Bearer "+tok)
		auth, err := a.Authenticate(t.Context(), core.HTTPRequest(r))
		if err != nil {
			t.Fatalf("Token(%q) does not verify: %v", role, err)
		}
		s := auth.Session
		if got := s.Expiry.Sub(s.IssuedAt); got != demo.TokenTTL {
			t.Errorf("Token(%q) lives %s, want %s", role, got, demo.TokenTTL)
		}
		var gotRole string
		if s.Org != nil {
			gotRole = s.Org.Role
			if s.Org.ID != demo.OrgID {
				t.Errorf("Token(%q): org %q", role, s.Org.ID)
			}
		}
		if gotRole != want {
			t.Errorf("Token(%q): role %q, want %q", role, gotRole, want)
		}
	}
	if _, err := app.Token("owner"); !errors.Is(err, demo.ErrUnknownRole) {
		t.Errorf("Token(owner): %v", err)
	}
}

func TestPrintBannerRealInstance(t *testing.T) {
	demotest.ClearEnv(t)
	fake := clerktest.New()
	defer fake.Close()
	t.Setenv(core.EnvJWTKey, fake.PublicKeyPEM())
	app, err := demo.Setup()
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	var b strings.Builder
	app.PrintBanner(&b, "test", &net.TCPAddr{Port: 1234})
	out := b.String()
	for _, want := range []string{
		"clerkgo demo (test) listening on http://localhost:1234\n",
		"Clerk instance from the environment",
		"TOKEN=<paste a session token>",
		`curl -H "Authorization: Bearer $TOKEN" localhost:1234/me`,
		`"user": null`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("banner lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "/demo/token") {
		t.Errorf("banner of a real instance offers /demo/token:\n%s", out)
	}
}

func TestBodiesOfSignedOutRequests(t *testing.T) {
	if got := demo.OptionalOf(nil); got != (demo.OptionalResponse{}) {
		t.Errorf("OptionalOf(nil) = %+v", got)
	}
	if got := demo.AdminOf(nil); got != (demo.AdminResponse{}) {
		t.Errorf("AdminOf(nil) = %+v", got)
	}
	b, err := json.Marshal(demo.Me(nil, nil))
	if err != nil || string(b) != `{"user":null,"session":null}` {
		t.Errorf("Me(nil, nil) = %s, %v", b, err)
	}
}

// The route bodies are plain values that each framework renders as JSON.
func ExampleOptionalOf() {
	signedOut, _ := json.Marshal(demo.OptionalOf(nil))
	fmt.Println(string(signedOut))
	health, _ := json.Marshal(demo.Health())
	fmt.Println(string(health))
	// Output:
	// {"signed_in":false,"user_id":""}
	// {"status":"ok"}
}
