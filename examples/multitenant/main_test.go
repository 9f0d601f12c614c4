package main

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/clerkgo/clerk/core"
	"github.com/clerkgo/clerk/core/clerktest"
	"github.com/clerkgo/clerk/examples/internal/demotest"
)

// clearTenantEnv empties the per-tenant variables for the test.
func clearTenantEnv(t *testing.T) {
	demotest.ClearEnv(t)
	for _, name := range tenants {
		for _, v := range []string{core.EnvSecretKey, core.EnvPublishableKey, core.EnvJWTKey, core.EnvAPIURL, core.EnvAuthorizedParties} {
			t.Setenv(v+"_"+strings.ToUpper(name), "")
		}
	}
}

// checkTenants checks that each tenant accepts its own token and rejects
// the other's with 401 invalid_token, and that nothing passes unsigned.
// It returns the user id each tenant saw.
func checkTenants(t *testing.T, s *demotest.Server, tokens map[string]string) map[string]string {
	t.Helper()
	users := map[string]string{}
	for _, name := range tenants {
		for _, at := range tenants {
			r := s.Get(t, "/"+at+"/me", tokens[name])
			if name != at {
				if r.Status != http.StatusUnauthorized || r.Header.Get("WWW-Authenticate") != `Bearer error="invalid_token"` {
					t.Errorf("token of %s at /%s/me: %d %q %s, want 401 invalid_token", name, at, r.Status, r.Header.Get("WWW-Authenticate"), r.Body)
				}
				continue
			}
			var body struct {
				Tenant string `json:"tenant"`
				User   struct {
					ID string `json:"id"`
				} `json:"user"`
				Session struct {
					Sub string `json:"sub"`
				} `json:"session"`
			}
			if r.Status != http.StatusOK || json.Unmarshal(r.Body, &body) != nil {
				t.Fatalf("token of %s at /%s/me: %d %s", name, at, r.Status, r.Body)
			}
			if body.Tenant != at || body.User.ID == "" || body.User.ID != body.Session.Sub {
				t.Errorf("/%s/me: %s", at, r.Body)
			}
			users[name] = body.User.ID
		}
		r := s.Get(t, "/"+name+"/me", "")
		if r.Status != http.StatusUnauthorized || r.Header.Get("WWW-Authenticate") != "Bearer" {
			t.Errorf("/%s/me without a token: %d %q", name, r.Status, r.Header.Get("WWW-Authenticate"))
		}
	}
	if users["a"] == users["b"] {
		t.Errorf("both tenants saw user %q; want two instances", users["a"])
	}
	return users
}

func TestFakeTenants(t *testing.T) {
	clearTenantEnv(t)
	s := demotest.Start(t, run)
	tokens := map[string]string{}
	for _, name := range tenants {
		cmd := "TOKEN_" + strings.ToUpper(name) + "=$(curl -s " + s.Host + "/" + name + "/demo/token)"
		if !strings.Contains(s.Banner, cmd) {
			t.Errorf("banner lacks %q:\n%s", cmd, s.Banner)
		}
		r := s.Get(t, "/"+name+"/demo/token", "")
		if r.Status != http.StatusOK {
			t.Fatalf("GET /%s/demo/token: %d %s", name, r.Status, r.Body)
		}
		tokens[name] = strings.TrimSpace(string(r.Body))
	}
	if !strings.Contains(s.Banner, `curl -i -H "Authorization: Bearer $TOKEN_A" `+s.Host+`/b/me   # 401`) {
		t.Errorf("banner lacks the cross-tenant curl command:\n%s", s.Banner)
	}
	checkTenants(t, s, tokens)
	if err := s.Stop(); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
}

func TestEnvTenants(t *testing.T) {
	clearTenantEnv(t)
	fakes := map[string]*clerktest.Server{}
	tokens := map[string]string{}
	for _, name := range tenants {
		f := clerktest.New()
		t.Cleanup(f.Close)
		fakes[name] = f
		t.Setenv(core.EnvSecretKey+"_"+strings.ToUpper(name), f.SecretKey())
		t.Setenv(core.EnvAPIURL+"_"+strings.ToUpper(name), f.URL)
		tokens[name] = f.Token(clerktest.WithTTL(time.Hour))
	}
	s := demotest.Start(t, run)
	if strings.Contains(s.Banner, "/demo/token") {
		t.Errorf("banner offers tokens with real instances:\n%s", s.Banner)
	}
	users := checkTenants(t, s, tokens)
	for _, name := range tenants {
		if users[name] != fakes[name].DefaultUserID() {
			t.Errorf("tenant %s saw user %q, want %q", name, users[name], fakes[name].DefaultUserID())
		}
		if n := fakes[name].Requests(clerktest.EndpointGetUser); n != 1 {
			t.Errorf("tenant %s: %d user fetches at its instance, want 1", name, n)
		}
	}
}
