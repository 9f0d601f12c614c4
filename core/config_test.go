package core_test

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/clerkgo/clerk/core"
)

const secret = "sk_test_SuperSecretValue123"

func pk(host string) string {
	return "pk_test_" + base64.StdEncoding.EncodeToString([]byte(host+"$"))
}

func TestConfigValidation(t *testing.T) {
	tests := []struct {
		name  string
		cfg   core.Config
		field string // "" means valid
	}{
		{"secret key only", core.Config{SecretKey: secret}, ""},
		{"live secret key", core.Config{SecretKey: "sk_live_abc"}, ""},
		{"publishable key only", core.Config{PublishableKey: pk("clerk.example.com")}, ""},
		{"domain only", core.Config{Domain: "example.clerk.accounts.dev"}, ""},
		{"domain with scheme", core.Config{Domain: "https://example.clerk.accounts.dev"}, ""},
		{"nothing", core.Config{}, "keysource"},
		{"secret with bad prefix", core.Config{SecretKey: "pk_test_" + secret[8:]}, "SecretKey"},
		{"secret without body", core.Config{SecretKey: "sk_test_"}, "SecretKey"},
		{"secret with spaces", core.Config{SecretKey: secret + " x"}, "SecretKey"},
		{"secret other env", core.Config{SecretKey: "sk_prod_" + secret[8:]}, "SecretKey"},
		{"publishable not base64", core.Config{PublishableKey: "pk_test_!!!"}, "PublishableKey"},
		{"publishable without $", core.Config{PublishableKey: "pk_test_" + base64.StdEncoding.EncodeToString([]byte("host"))}, "PublishableKey"},
		{"publishable is a secret", core.Config{PublishableKey: secret}, "PublishableKey"},
		{"http API URL", core.Config{SecretKey: secret, APIURL: "http://api.example.com"}, "APIURL"},
		{"http loopback API URL", core.Config{SecretKey: secret, APIURL: "http://127.0.0.1:8080"}, ""},
		{"http localhost API URL", core.Config{SecretKey: secret, APIURL: "http://localhost:8080"}, ""},
		{"API URL with credentials", core.Config{SecretKey: secret, APIURL: "https://u:p@api.example.com"}, "APIURL"},
		{"relative API URL", core.Config{SecretKey: secret, APIURL: "/v1"}, "APIURL"},
		{"ftp proxy URL", core.Config{SecretKey: secret, ProxyURL: "ftp://x.example"}, "ProxyURL"},
		{"bad PEM", core.Config{JWTKey: "-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----"}, "JWTKey"},
		{"PEM garbage", core.Config{JWTKey: "hello world"}, "JWTKey"},
		{"domain with path", core.Config{Domain: "example.com/x"}, "Domain"},
		{"empty authorized party", core.Config{SecretKey: secret, AuthorizedParties: []string{""}}, "AuthorizedParties"},
		{"negative skew", core.Config{SecretKey: secret, ClockSkew: -time.Second}, "ClockSkew"},
		{"user cache too long", core.Config{SecretKey: secret, UserCacheTTL: 2 * time.Minute}, "UserCacheTTL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := core.New(tt.cfg)
			if tt.field == "" {
				if err != nil {
					t.Fatalf("New: %v", err)
				}
				c.Close()
				return
			}
			if err == nil {
				c.Close()
				t.Fatal("New accepted an invalid config")
			}
			if strings.Contains(err.Error(), "SuperSecretValue") {
				t.Fatalf("error leaks the secret: %v", err)
			}
			if tt.field == "keysource" {
				if !errors.Is(err, core.ErrNoKeySource) {
					t.Fatalf("err = %v, want ErrNoKeySource", err)
				}
				return
			}
			var ce *core.ConfigError
			if !errors.As(err, &ce) || ce.Field != tt.field {
				t.Fatalf("err = %v, want a ConfigError for %s", err, tt.field)
			}
		})
	}
}

func TestFrontendAPIFromPublishableKey(t *testing.T) {
	host, err := core.FrontendAPIFromPublishableKey(pk("clerk.example.com"))
	if err != nil || host != "clerk.example.com" {
		t.Fatalf("got %q, %v", host, err)
	}
	raw := "pk_live_" + base64.RawStdEncoding.EncodeToString([]byte("x.clerk.accounts.dev$"))
	if host, err := core.FrontendAPIFromPublishableKey(raw); err != nil || host != "x.clerk.accounts.dev" {
		t.Fatalf("unpadded: %q, %v", host, err)
	}
}

func TestConfigFromEnv(t *testing.T) {
	tests := []struct {
		name  string
		env   map[string]string
		check func(t *testing.T, c core.Config, err error)
	}{
		{"secret and parties", map[string]string{"CLERK_SECRET_KEY": secret, "CLERK_AUTHORIZED_PARTIES": " https://a.example , https://b.example,"}, func(t *testing.T, c core.Config, err error) {
			if err != nil || c.SecretKey != secret || len(c.AuthorizedParties) != 2 || c.AuthorizedParties[1] != "https://b.example" {
				t.Fatalf("%+v %v", c, err)
			}
		}},
		{"CLERK_API_KEY alias", map[string]string{"CLERK_API_KEY": secret}, func(t *testing.T, c core.Config, err error) {
			if err != nil || c.SecretKey != secret {
				t.Fatalf("%v %v", c, err)
			}
		}},
		{"conflicting aliases", map[string]string{"CLERK_API_KEY": secret, "CLERK_SECRET_KEY": "sk_test_other"}, func(t *testing.T, c core.Config, err error) {
			var ce *core.ConfigError
			if !errors.As(err, &ce) || ce.Field != "CLERK_API_KEY" {
				t.Fatalf("%v", err)
			}
		}},
		{"bad secret names the variable", map[string]string{"CLERK_SECRET_KEY": "nope_SuperSecretValue"}, func(t *testing.T, c core.Config, err error) {
			var ce *core.ConfigError
			if !errors.As(err, &ce) || ce.Field != "CLERK_SECRET_KEY" || strings.Contains(err.Error(), "SuperSecret") {
				t.Fatalf("%v", err)
			}
		}},
		{"publishable key and API URL", map[string]string{"CLERK_PUBLISHABLE_KEY": pk("c.example.com"), "CLERK_API_URL": "https://api.example.com"}, func(t *testing.T, c core.Config, err error) {
			if err != nil || c.APIURL != "https://api.example.com" {
				t.Fatalf("%v %v", c, err)
			}
		}},
		{"user cache TTL", map[string]string{"CLERK_SECRET_KEY": secret, "CLERK_USER_CACHE_TTL": "30s"}, func(t *testing.T, c core.Config, err error) {
			if err != nil || c.UserCacheTTL != 30*time.Second {
				t.Fatalf("%v %v", c.UserCacheTTL, err)
			}
		}},
		{"user cache disabled", map[string]string{"CLERK_SECRET_KEY": secret, "CLERK_USER_CACHE_TTL": "0"}, func(t *testing.T, c core.Config, err error) {
			if err != nil || c.UserCacheTTL >= 0 {
				t.Fatalf("%v %v", c.UserCacheTTL, err)
			}
		}},
		{"user cache TTL garbage", map[string]string{"CLERK_SECRET_KEY": secret, "CLERK_USER_CACHE_TTL": "soon"}, func(t *testing.T, c core.Config, err error) {
			var ce *core.ConfigError
			if !errors.As(err, &ce) || ce.Field != "CLERK_USER_CACHE_TTL" {
				t.Fatalf("%v", err)
			}
		}},
		{"nothing set", map[string]string{}, func(t *testing.T, c core.Config, err error) {
			if !errors.Is(err, core.ErrNoKeySource) {
				t.Fatalf("%v", err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, k := range []string{"CLERK_SECRET_KEY", "CLERK_API_KEY", "CLERK_PUBLISHABLE_KEY", "CLERK_API_URL", "CLERK_JWT_KEY", "CLERK_AUTHORIZED_PARTIES", "CLERK_DOMAIN", "CLERK_PROXY_URL", "CLERK_USER_CACHE_TTL"} {
				t.Setenv(k, tt.env[k])
			}
			c, err := core.ConfigFromEnv()
			tt.check(t, c, err)
		})
	}
}

func TestFailureContract(t *testing.T) {
	tests := []struct {
		reason core.Reason
		status int
		www    string
	}{
		{core.ReasonTokenMissing, 401, "Bearer"},
		{core.ReasonTokenExpired, 401, `Bearer error="invalid_token"`},
		{core.ReasonTokenInvalidSignature, 401, `Bearer error="invalid_token"`},
		{core.ReasonUserNotFound, 401, `Bearer error="invalid_token"`},
		{core.ReasonMissingRole, 403, `Bearer error="insufficient_scope"`},
		{core.ReasonReverificationRequired, 403, `Bearer error="insufficient_scope"`},
		{core.ReasonJWKSUnavailable, 503, ""},
		{core.ReasonUserFetchFailed, 503, ""},
	}
	for _, tt := range tests {
		t.Run(string(tt.reason), func(t *testing.T) {
			err := fmt.Errorf("wrapped: %w", &core.Error{Reason: tt.reason, Err: errors.New("dial tcp: secret-internal-detail")})
			f := core.FailureOf(err)
			if f.Status != tt.status || f.WWWAuthenticate != tt.www || f.Reason != tt.reason {
				t.Fatalf("got %+v", f)
			}
			body := string(f.Body())
			if !strings.Contains(body, `"reason":"`+string(tt.reason)+`"`) || strings.Contains(body, "secret-internal-detail") {
				t.Fatalf("body %s", body)
			}
		})
	}
	if f := core.FailureOf(errors.New("boom")); f.Status != 500 {
		t.Fatalf("unknown error: %+v", f)
	}
}
