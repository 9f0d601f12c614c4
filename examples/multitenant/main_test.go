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

// clearTenantEnv empties the variables of both tenants for the test.
func clearTenantEnv(t *testing.T) {
	var suffixes []string
	for _, name := range tenants {
		suffixes = append(suffixes, "_"+strings.ToUpper(name))
	}
	demotest.ClearEnv(t, suffixes...)
}

// tenantMe is the body of GET /me of a tenant.
type tenantMe struct {
	Tenant string `json:"tenant"`
	User   struct {
		ID string `json:"id"`
	} `json:"user"`
	Session struct {
		Sub string `json:"sub"`
	} `json:"session"`
}

// checkTenants checks that each tenant, by route group (/a/me) and by host
// (a.localhost/me), accepts its own token and rejects the other's with 401
// invalid_token, that nothing passes unsigned, and that a host of no tenant
// is 404 unknown-tenant. It returns the user id each tenant saw.
func checkTenants(t *testing.T, s *demotest.Server, tokens map[string]string) map[string]string {
	t.Helper()
	users := map[string]string{}
	type route struct {
		what, path string
		header     []string
	}
	routesOf := func(at string) []route {
		return []route{
			{"/" + at + "/me", "/" + at + "/me", nil},
			{at + ".localhost/me", "/me", []string{"Host: " + at + ".localhost"}},
			{at + ".localhost:port/me", "/me", []string{"Host: " + strings.ToUpper(at) + ".localhost:" + strings.TrimPrefix(s.Host, "localhost:")}},
		}
	}
	for _, name := range tenants {
		for _, at := range tenants {
			for _, rt := range routesOf(at) {
				r := s.Get(t, rt.path, tokens[name], rt.header...)
				if name != at {
					if r.Status != http.StatusUnauthorized || r.Header.Get("WWW-Authenticate") != `Bearer error="invalid_token"` {
						t.Errorf("token of %s at %s: %d %q %s, want 401 invalid_token", name, rt.what, r.Status, r.Header.Get("WWW-Authenticate"), r.Body)
					}
					continue
				}
				var body tenantMe
				if r.Status != http.StatusOK || json.Unmarshal(r.Body, &body) != nil {
					t.Fatalf("token of %s at %s: %d %s", name, rt.what, r.Status, r.Body)
				}
				if body.Tenant != at || body.User.ID == "" || body.User.ID != body.Session.Sub {
					t.Errorf("%s: %s", rt.what, r.Body)
				}
				if users[name] != "" && users[name] != body.User.ID {
					t.Errorf("tenant %s: user %q at %s, %q elsewhere", name, body.User.ID, rt.what, users[name])
				}
				users[name] = body.User.ID
			}
		}
		for _, rt := range routesOf(name) {
			r := s.Get(t, rt.path, "", rt.header...)
			if r.Status != http.StatusUnauthorized || r.Header.Get("WWW-Authenticate") != "Bearer" {
				t.Errorf("%s without a token: %d %q", rt.what, r.Status, r.Header.Get("WWW-Authenticate"))
			}
		}
	}
	if users["a"] == users["b"] {
		t.Errorf("both tenants saw user %q; want two instances", users["a"])
	}

	// A host of no tenant: 404 unknown-tenant, with or without a token.
	for _, host := range []string{"", "c.localhost", "a.localhost.evil.example", "localhost", "a.example.com", "xa.localhost"} {
		var header []string
		if host != "" {
			header = []string{"Host: " + host}
		}
		for _, tok := range []string{"", tokens["a"]} {
			r := s.Get(t, "/me", tok, header...)
			var body struct {
				Reason string `json:"reason"`
			}
			if r.Status != http.StatusNotFound || json.Unmarshal(r.Body, &body) != nil || body.Reason != string(core.ReasonUnknownTenant) || r.Header.Get("WWW-Authenticate") != "" {
				t.Errorf("GET /me on host %q: %d %q %s, want 404 unknown-tenant", host, r.Status, r.Header.Get("WWW-Authenticate"), r.Body)
			}
		}
	}
	return users
}

func TestHostTenant(t *testing.T) {
	for host, want := range map[string]string{
		"a.localhost": "a", "b.localhost:8080": "b", "A.LOCALHOST": "a", "a.localhost.": "a", "[::1]:80": "",
		"localhost": "", "c.localhost": "", ".localhost": "", "a.b.localhost": "", "a.localhost.example": "", "": "",
	} {
		if got := hostTenant(host); got != want {
			t.Errorf("hostTenant(%q) = %q, want %q", host, got, want)
		}
	}
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
	for _, cmd := range []string{
		`curl -i -H "Authorization: Bearer $TOKEN_A" ` + s.Host + `/b/me   # 401: a token of another instance`,
		`curl -i -H "Host: b.localhost" -H "Authorization: Bearer $TOKEN_A" ` + s.Host + `/me   # 401: a token of another instance`,
		`curl -i -H "Host: a.localhost" -H "Authorization: Bearer $TOKEN_A" ` + s.Host + `/me`,
		`curl -i -H "Authorization: Bearer $TOKEN_A" ` + s.Host + `/me   # 404: no tenant serves host localhost`,
	} {
		if !strings.Contains(s.Banner, "  "+cmd+"\n") {
			t.Errorf("banner lacks %q:\n%s", cmd, s.Banner)
		}
	}
	vars := demotest.RunBanner(t, s, nil)
	if vars["TOKEN_A"] == "" || vars["TOKEN_A"] == vars["TOKEN_B"] {
		t.Error("the banner's commands set no distinct TOKEN_A and TOKEN_B")
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
		// The instance's issuer (here the fake's URL, as a proxy URL; in
		// production the publishable key) tells another instance's token
		// from one of a key just rotated in: 401 at once, not 503 during
		// the key refetch cooldown.
		t.Setenv(core.EnvProxyURL+"_"+strings.ToUpper(name), f.URL)
		tokens[name] = f.Token(clerktest.WithTTL(time.Hour))
	}
	s := demotest.Start(t, run)
	if strings.Contains(s.Banner, "/demo/token") {
		t.Errorf("banner offers tokens with real instances:\n%s", s.Banner)
	}
	demotest.RunBanner(t, s, map[string]string{"TOKEN_A": tokens["a"], "TOKEN_B": tokens["b"]})
	users := checkTenants(t, s, tokens)
	for _, name := range tenants {
		if users[name] != fakes[name].DefaultUserID() {
			t.Errorf("tenant %s saw user %q, want %q", name, users[name], fakes[name].DefaultUserID())
		}
		if n := fakes[name].Requests(clerktest.EndpointGetUser); n == 0 {
			t.Errorf("tenant %s: no user fetch at its instance", name)
		}
	}
}
