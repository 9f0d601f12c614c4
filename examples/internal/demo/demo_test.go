package demo_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

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
	if _, err := inst.Token("", ""); !errors.Is(err, demo.ErrNoFake) {
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
	demotest.ClearEnv(t, "_X", "_Y")
	fake := clerktest.New()
	defer fake.Close()
	t.Setenv("CLERK_SECRET_KEY_X", fake.SecretKey())
	t.Setenv("CLERK_API_URL_X", fake.URL)
	x, err := demo.SetupTenant("x")
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	if x.Fake != nil || x.Client.Name() != "X" || !x.FetchUser() || !strings.Contains(x.Source, "CLERK_*_X") {
		t.Errorf("tenant x: fake %v, name %q, fetch user %v, source %q", x.Fake != nil, x.Client.Name(), x.FetchUser(), x.Source)
	}
	y, err := demo.SetupTenant("y")
	if err != nil {
		t.Fatal(err)
	}
	defer y.Close()
	if y.Fake == nil || y.Client.Name() != "Y" {
		t.Errorf("unconfigured tenant y: fake %v, name %q", y.Fake != nil, y.Client.Name())
	}

	// An invalid setting of a tenant is an error naming the tenant's
	// variable (never its value), not a fallback to a fake.
	for v, value := range map[string]string{
		"CLERK_SECRET_KEY_Y":     "not-a-key",
		"CLERK_USER_CACHE_TTL_Y": "forever",
		"CLERK_API_URL_Y":        "ftp://nope.example",
	} {
		t.Run(v, func(t *testing.T) {
			t.Setenv(v, value)
			if v != "CLERK_SECRET_KEY_Y" {
				t.Setenv("CLERK_SECRET_KEY_Y", fake.SecretKey())
			}
			app, err := demo.SetupTenant("y")
			if err == nil {
				app.Close()
				t.Fatalf("%s=%s accepted", v, value)
			}
			if !strings.Contains(err.Error(), v) || strings.Contains(err.Error(), value) {
				t.Errorf("error %q should name %s, not its value", err, v)
			}
		})
	}
}

func TestToken(t *testing.T) {
	demotest.ClearEnv(t)
	app, err := demo.Setup()
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	sessions, err := core.NewAuthenticator(core.Options{Client: app.Client, SkipUserFetch: true})
	if err != nil {
		t.Fatal(err)
	}
	authenticate := func(a *core.Authenticator, tok string) (*core.Auth, error) {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Header.Set("Authorization", "Bearer "+tok)
		return a.Authenticate(t.Context(), core.HTTPRequest(r))
	}
	for _, tt := range []struct{ kind, role, want string }{
		{"", "", ""}, {"", "member", "org:member"}, {"", "admin", "org:admin"}, {demo.KindSession, "admin", "org:admin"},
	} {
		tok, err := app.Token(tt.kind, tt.role)
		if err != nil {
			t.Fatalf("Token(%q, %q): %v", tt.kind, tt.role, err)
		}
		auth, err := authenticate(sessions, tok)
		if err != nil {
			t.Fatalf("Token(%q, %q) does not verify: %v", tt.kind, tt.role, err)
		}
		s := auth.Session
		if got := s.Expiry.Sub(s.IssuedAt); got != demo.TokenTTL {
			t.Errorf("Token(%q, %q) lives %s, want %s", tt.kind, tt.role, got, demo.TokenTTL)
		}
		var gotRole string
		if s.Org != nil {
			gotRole = s.Org.Role
			if s.Org.ID != demo.OrgID {
				t.Errorf("Token(%q, %q): org %q", tt.kind, tt.role, s.Org.ID)
			}
		}
		if gotRole != tt.want {
			t.Errorf("Token(%q, %q): role %q, want %q", tt.kind, tt.role, gotRole, tt.want)
		}
	}

	machines, err := core.NewAuthenticator(core.Options{Client: app.Client, SkipUserFetch: true, AcceptsToken: []core.TokenKind{core.AnyToken}})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		kind    string
		want    core.TokenKind
		subject string
		scopes  []string
	}{
		{demo.KindAPIKey, core.APIKey, app.Fake.DefaultUserID(), []string{"read"}},
		{demo.KindM2M, core.M2MToken, app.Fake.MachineID(), nil},
		{demo.KindM2MJWT, core.M2MToken, app.Fake.MachineID(), nil},
		{demo.KindOAuth, core.OAuthToken, app.Fake.DefaultUserID(), []string{"profile", "email"}},
	} {
		tok, err := app.Token(tt.kind, "")
		if err != nil {
			t.Fatalf("Token(%q): %v", tt.kind, err)
		}
		auth, err := authenticate(machines, tok)
		if err != nil {
			t.Fatalf("Token(%q) does not verify: %v", tt.kind, err)
		}
		if auth.Kind != tt.want || auth.Subject != tt.subject || !slices.Equal(auth.Scopes, tt.scopes) {
			t.Errorf("Token(%q): kind %q subject %q scopes %q, want %q %q %q", tt.kind, auth.Kind, auth.Subject, auth.Scopes, tt.want, tt.subject, tt.scopes)
		}
		if left := time.Until(auth.Expiry); left <= demo.TokenTTL-time.Minute || left > demo.TokenTTL {
			t.Errorf("Token(%q) expires in %s, want %s", tt.kind, left, demo.TokenTTL)
		}
	}

	for _, tt := range []struct {
		kind, role string
		want       error
	}{
		{"", "owner", demo.ErrUnknownRole},
		{"bogus", "", demo.ErrUnknownKind},
		{"bogus", "admin", demo.ErrUnknownKind},
		{"m2m_token", "", demo.ErrUnknownKind},
		{demo.KindAPIKey, "admin", demo.ErrRoleNeedsSession},
	} {
		if _, err := app.Token(tt.kind, tt.role); !errors.Is(err, tt.want) {
			t.Errorf("Token(%q, %q): %v, want %v", tt.kind, tt.role, err, tt.want)
		}
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
		`"user": null and there is no /api/ping`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("banner lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "/demo/token") || strings.Contains(out, "$KEY") {
		t.Errorf("banner of a real instance without a secret key offers /demo/token or /api/ping:\n%s", out)
	}
}

// TestPrintBannerRealInstancePages: with a secret key and a publishable
// key the banner says how to try the pages against the instance's sign-in
// page; with a secret key alone that they are not served.
func TestPrintBannerRealInstancePages(t *testing.T) {
	fake := clerktest.New()
	defer fake.Close()
	for _, pk := range []string{fake.PublishableKey(), ""} {
		demotest.ClearEnv(t)
		t.Setenv(core.EnvSecretKey, fake.SecretKey())
		t.Setenv(core.EnvAPIURL, fake.URL)
		t.Setenv(core.EnvPublishableKey, pk)
		app, err := demo.Setup()
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		app.PrintBanner(&b, "test", &net.TCPAddr{Port: 1234})
		app.Close()
		out := b.String()
		pages := strings.Contains(out, "Pages: open http://localhost:1234/dashboard in a browser: you are sent\nto your instance's sign-in page")
		notServed := strings.Contains(out, "the pages / and /dashboard are not served")
		if app.ServesPages() != (pk != "") || pages != (pk != "") || notServed != (pk == "") {
			t.Errorf("publishable key %t: ServesPages %t, banner:\n%s", pk != "", app.ServesPages(), out)
		}
	}
}

func TestBodiesOfSignedOutRequests(t *testing.T) {
	if got := demo.OptionalOf(nil); got != (demo.OptionalResponse{}) {
		t.Errorf("OptionalOf(nil) = %+v", got)
	}
	if got := demo.AdminOf(nil); got != (demo.AdminResponse{}) {
		t.Errorf("AdminOf(nil) = %+v", got)
	}
	for _, a := range []*core.Auth{nil, {Kind: core.M2MToken, Subject: "mch_1"}} {
		b, err := json.Marshal(demo.PingOf(a))
		if err != nil || !strings.HasSuffix(string(b), `"scopes":[]}`) {
			t.Errorf("PingOf(%v) = %s, %v; want scopes []", a, b, err)
		}
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

// GET /api/ping answers what the adapter's Auth getter holds.
func ExamplePingOf() {
	b, _ := json.Marshal(demo.PingOf(&core.Auth{Kind: core.APIKey, Subject: "user_123", Scopes: []string{"read"}}))
	fmt.Println(string(b))
	// Output:
	// {"kind":"api_key","subject":"user_123","scopes":["read"]}
}
