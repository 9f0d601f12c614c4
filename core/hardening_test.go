package core_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/clerkgo/clerk/core"
	"github.com/clerkgo/clerk/core/clerktest"
	"github.com/clerkgo/clerk/core/webhook"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// formatted renders v with every fmt verb, through slog's text and JSON
// handlers, and through encoding/json.
func formatted(v any) []string {
	var out []string
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%d", "%q", "%x", "%X", "%T", "%10.3v"} {
		out = append(out, fmt.Sprintf(verb, v))
	}
	out = append(out, fmt.Sprint(v), fmt.Sprintln(v), fmt.Sprintf("%v", []any{v}), fmt.Sprintf("%+v", struct{ V any }{v}))
	for _, h := range []func(*bytes.Buffer) slog.Handler{
		func(b *bytes.Buffer) slog.Handler { return slog.NewTextHandler(b, nil) },
		func(b *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(b, nil) },
	} {
		var buf bytes.Buffer
		slog.New(h(&buf)).Info("msg", "value", v)
		out = append(out, buf.String())
	}
	if b, err := json.Marshal(v); err == nil {
		out = append(out, string(b))
	}
	return out
}

func TestSecretsNeverFormatted(t *testing.T) {
	clk := newClock()
	s := newFake(t, clk)
	cfg := fakeConfig(s, clk)
	cfg.Name = "tenant-a"
	cfg.MachineSecretKey = s.MachineSecretKey()
	c := newClient(t, cfg)
	const whsec = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	wcfg := webhook.Config{Secrets: webhook.Secrets(whsec, "whsec_c2Vjb25kLXNlY3JldC0wMTIzNDU2Nzg5YWJjZGVm")}
	wv, err := webhook.New(wcfg)
	if err != nil {
		t.Fatal(err)
	}
	// Every holder of a secret keeps it in internal/secret's String, so all
	// of them print the same way.
	for name, v := range map[string]any{
		"Config":            cfg,
		"*Config":           &cfg,
		"*Client":           c,
		"Config in struct":  struct{ C core.Config }{cfg},
		"*bapi.Client":      c.API(),
		"webhook.Secret":    wcfg.Secrets[0],
		"webhook.Config":    wcfg,
		"*webhook.Verifier": wv,
	} {
		for i, got := range formatted(v) {
			for _, key := range []string{s.SecretKey(), s.MachineSecretKey(), whsec} {
				if strings.Contains(got, key) || strings.Contains(got, key[8:]) || strings.Contains(got, fmt.Sprintf("%x", key[8:])) {
					t.Errorf("%s, rendering %d prints a secret: %s", name, i, got)
				}
			}
		}
	}
	if got := fmt.Sprint(cfg); !strings.Contains(got, "tenant-a") || !strings.Contains(got, "[redacted]") {
		t.Errorf("Config renders as %s, want its name and a redacted key", got)
	}
}

func TestLoadEnvFile(t *testing.T) {
	const secret = "sk_test_Secret0123456789"
	tests := []struct {
		name string
		file string
		want map[string]string // variable -> value; "" means unset
		err  string            // substring of the error ("" for none)
	}{
		// The syntax in full is tested with the parser, in internal/dotenv.
		{"plain", "K1=v1\nK2 = v2 \n", map[string]string{"K1": "v1", "K2": "v2"}, ""},
		{"double-quoted PEM over several lines", "K1=\"-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----\"\n", map[string]string{"K1": "-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----"}, ""},
		{"expansion from the file and the environment", "K1=x\nK2=${K1}-$K1-${CLERKGO_TEST_FROM_ENV}\nK3=\"$K1\"\n", map[string]string{"K2": "x-x-env", "K3": "x"}, ""},
		{"no equals sign", "K1=v\nJUSTAKEY " + secret + "\n", nil, ".env:2: expected KEY=VALUE"},
		{"unterminated quote", "K1=\"" + secret + "\n", nil, ".env:1: unterminated double-quoted value"},
	}
	t.Setenv("CLERKGO_TEST_FROM_ENV", "env")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k := range tt.want {
				t.Setenv(k, "") // restored after the test
				os.Unsetenv(k)
			}
			for _, k := range []string{"K1", "K2", "K3"} {
				t.Setenv(k, "")
				os.Unsetenv(k)
			}
			path := filepath.Join(t.TempDir(), ".env")
			if err := os.WriteFile(path, []byte(tt.file), 0o600); err != nil {
				t.Fatal(err)
			}
			err := core.LoadEnvFile(path)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want %q", err, tt.err)
				}
				if strings.Contains(err.Error(), secret) {
					t.Fatalf("error %v quotes the file", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range tt.want {
				if got, ok := os.LookupEnv(k); !ok || got != v {
					t.Errorf("%s = %q (set %v), want %q", k, got, ok, v)
				}
			}
		})
	}
	t.Run("the environment wins", func(t *testing.T) {
		t.Setenv("K1", "from-env")
		path := filepath.Join(t.TempDir(), ".env")
		_ = os.WriteFile(path, []byte("K1=from-file\n"), 0o600)
		if err := core.LoadEnvFile(path); err != nil || os.Getenv("K1") != "from-env" {
			t.Fatalf("K1 = %q (%v), want from-env", os.Getenv("K1"), err)
		}
	})
	t.Run("a missing file is no error", func(t *testing.T) {
		if err := core.LoadEnvFile(filepath.Join(t.TempDir(), "none")); err != nil {
			t.Fatal(err)
		}
	})
}

func TestEnvErrorsNameTheVariable(t *testing.T) {
	const bad = "sk_nope_0123456789abcdef"
	for _, env := range []string{"CLERK_SECRET_KEY", "CLERK_API_KEY", "CLERK_PUBLISHABLE_KEY", "CLERK_API_URL", "CLERK_JWT_KEY", "CLERK_DOMAIN", "CLERK_PROXY_URL", "CLERK_USER_CACHE_TTL", "CLERK_AUTHORIZED_PARTIES"} {
		for _, sfx := range []string{"", "_A"} {
			t.Setenv(env+sfx, "")
		}
	}
	tests := []struct {
		name, suffix string
		env          map[string]string
		want         string
	}{
		{"bad secret key", "", map[string]string{"CLERK_SECRET_KEY": bad}, "CLERK_SECRET_KEY: must start with"},
		{"bad secret key of tenant A", "_A", map[string]string{"CLERK_SECRET_KEY_A": bad}, `instance "A": CLERK_SECRET_KEY_A: must start with`},
		{"cache TTL too long", "", map[string]string{"CLERK_SECRET_KEY": "sk_test_x", "CLERK_USER_CACHE_TTL": "5m"}, "CLERK_USER_CACHE_TTL: must be at most"},
		{"cache TTL garbage", "_A", map[string]string{"CLERK_SECRET_KEY_A": "sk_test_x", "CLERK_USER_CACHE_TTL_A": "soon"}, "CLERK_USER_CACHE_TTL_A"},
		{"bad API URL", "", map[string]string{"CLERK_SECRET_KEY": "sk_test_x", "CLERK_API_URL": "http://api.example.com"}, "CLERK_API_URL: must use https"},
		{"no key source", "", nil, "CLERK_SECRET_KEY), JWTKey (CLERK_JWT_KEY), PublishableKey (CLERK_PUBLISHABLE_KEY), Domain (CLERK_DOMAIN), ProxyURL (CLERK_PROXY_URL) or, for an M2M-only service, MachineSecretKey (CLERK_MACHINE_SECRET_KEY)"},
		{"no key source of tenant A", "_A", nil, "set CLERK_SECRET_KEY_A, CLERK_JWT_KEY_A, CLERK_PUBLISHABLE_KEY_A, CLERK_DOMAIN_A, CLERK_PROXY_URL_A or CLERK_MACHINE_SECRET_KEY_A"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			_, err := core.ConfigFromEnvSuffix(tt.suffix)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want it to contain %q", err, tt.want)
			}
			if strings.HasPrefix(tt.name, "no key source") && !errors.Is(err, core.ErrNoKeySource) {
				t.Fatalf("error %v is not ErrNoKeySource", err)
			}
			if strings.Contains(err.Error(), bad) {
				t.Fatalf("error %v shows the value", err)
			}
		})
	}
	t.Run("a tenant's name is its suffix", func(t *testing.T) {
		t.Setenv("CLERK_SECRET_KEY_B", "sk_test_b")
		cfg, err := core.ConfigFromEnvSuffix("_B")
		if err != nil || cfg.Name != "B" || cfg.SecretKey != "sk_test_b" {
			t.Fatalf("config %v, %v", cfg, err)
		}
	})
}

func TestNameLabelsErrors(t *testing.T) {
	_, err := core.New(core.Config{Name: "tenant-a", SecretKey: "sk_bad"})
	var ce *core.ConfigError
	if !errors.As(err, &ce) || ce.Instance != "tenant-a" || !strings.Contains(err.Error(), `"tenant-a"`) {
		t.Fatalf("config error %v does not name the instance", err)
	}
	clk := newClock()
	s := newFake(t, clk)
	cfg := fakeConfig(s, clk)
	cfg.Name = "tenant-a"
	c := newClient(t, cfg)
	_, err = c.VerifyToken(context.Background(), s.Token(clerktest.WithTTL(-time.Minute)))
	var e *core.Error
	if !errors.As(err, &e) || e.Instance != "tenant-a" || !strings.HasPrefix(err.Error(), "clerk[tenant-a]: ") || !errors.Is(err, core.ErrInvalidCredentials) {
		t.Fatalf("verification error %v does not name the instance", err)
	}
	_, err = c.User(context.Background(), "user_2NoSuchUserNoSuchUserNoSuch")
	if !errors.As(err, &e) || e.Instance != "tenant-a" {
		t.Fatalf("user error %v does not name the instance", err)
	}
}

// TestZeroValues calls the exported methods and functions on nil and zero
// values: clear errors or zero results, never a panic.
func TestZeroValues(t *testing.T) {
	ctx := context.Background()
	for name, c := range map[string]*core.Client{"nil": nil, "zero": {}} {
		t.Run(name+" Client", func(t *testing.T) {
			if _, err := c.VerifyToken(ctx, "x.y.z"); err == nil {
				t.Error("VerifyToken: no error")
			}
			if _, err := c.VerifyMachineToken(ctx, "x.y.z", core.AnyToken); err == nil {
				t.Error("VerifyMachineToken: no error")
			}
			if _, err := c.User(ctx, "user_1"); err == nil {
				t.Error("User: no error")
			}
			if c.API() != nil || c.Name() != "" || c.HasSecretKey() || c.Close() != nil {
				t.Error("API, Name, HasSecretKey or Close of an empty client")
			}
			_ = c.String()
			_ = fmt.Sprintf("%v %+v %#v", c, c, c)
		})
	}
	var claims *core.Claims
	if claims.HasRole("org:admin") || claims.HasPermission("org:a:b") || claims.HasFeature("x") || claims.HasPlan("x") {
		t.Error("nil claims have a role, permission, feature or plan")
	}
	if claims.Raw() != nil {
		t.Error("nil claims have a payload")
	}
	if b, err := claims.MarshalJSON(); err != nil || string(b) != "null" {
		t.Errorf("MarshalJSON of nil claims: %s, %v", b, err)
	}
	if err := claims.Decode(&struct{}{}); err == nil {
		t.Error("Decode of nil claims: no error")
	}
	if _, err := core.CustomClaims[map[string]any](nil); err == nil {
		t.Error("CustomClaims(nil): no error")
	}
	for _, chk := range []core.Check{core.Role("x"), core.Permission("x"), core.Feature("x"), core.Plan("x"), core.Reverified(core.FirstFactor, time.Hour), core.All()} {
		if err := chk(nil); err == nil {
			t.Error("a check passed nil claims")
		}
	}
	//nolint:staticcheck // a nil context on purpose
	if core.SessionFromContext(nil) != nil || core.UserFromContext(nil) != nil || core.AuthFromContext(nil) != nil {
		t.Error("a nil context carries auth")
	}
	var e *core.Error
	var ce *core.ConfigError
	if e.Error() == "" || ce.Error() == "" || e.Unwrap() != nil || e.Is(core.ErrForbidden) {
		t.Error("nil errors")
	}
	if core.FailureOf(nil).Status != http.StatusInternalServerError || core.ReasonOf(nil) != "" {
		t.Error("FailureOf(nil) or ReasonOf(nil)")
	}
}

// TestCloseReleasesConnections checks that Close closes the connection pool
// a client made for itself: no keep-alive goroutine survives it.
func TestCloseReleasesConnections(t *testing.T) {
	clk := newClock()
	s := newFake(t, clk)
	before := goleak.IgnoreCurrent()
	c, err := core.New(core.Config{SecretKey: s.SecretKey(), APIURL: s.URL, ProxyURL: s.URL, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.VerifyToken(context.Background(), s.Token()); err != nil {
		t.Fatal(err)
	}
	if _, err := c.User(context.Background(), s.DefaultUserID()); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	goleak.VerifyNone(t, before)
	if err := c.Close(); err != nil {
		t.Fatal("second Close:", err)
	}
}

// TestNoFetchAfterClose: a closed client starts no user fetch.
func TestNoFetchAfterClose(t *testing.T) {
	clk := newClock()
	s := newFake(t, clk)
	c, err := core.New(fakeConfig(s, clk))
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	if _, err := c.User(context.Background(), s.DefaultUserID()); !errors.Is(err, core.ErrUnavailable) {
		t.Fatalf("User after Close: %v, want unavailable", err)
	}
	if n := s.Requests(clerktest.EndpointGetUser); n != 0 {
		t.Fatalf("%d user fetches after Close", n)
	}
}

// TestJWKSRedirects: the Frontend API key set is never fetched from another
// host than the one configured.
func TestJWKSRedirects(t *testing.T) {
	clk := newClock()
	s := newFake(t, clk)
	var elsewhere int
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		elsewhere++
		http.Redirect(w, r, s.URL+"/.well-known/jwks.json", http.StatusFound)
	}))
	defer other.Close()
	redirector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+r.URL.Path, http.StatusFound)
	}))
	defer redirector.Close()
	c := newClient(t, core.Config{ProxyURL: redirector.URL, Now: clk.Now})
	_, err := c.VerifyToken(context.Background(), s.Token())
	if core.ReasonOf(err) != core.ReasonJWKSUnavailable || elsewhere != 0 {
		t.Fatalf("redirect to another host: %v, %d requests there", err, elsewhere)
	}
}
