package core_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/clerkgo/clerk/core"
	"github.com/clerkgo/clerk/core/clerktest"
)

var orgSync = &core.OrganizationSync{
	OrganizationPatterns:    []string{"/orgs/:slug", "/orgs/:slug/(.*)", "/o/:id"},
	PersonalAccountPatterns: []string{"/me", "/me/(.*)"},
}

// TestOrganizationSyncDecision: a signed-in page whose URL names another
// organization than the session's active one (or the personal account
// while one is active) is handed to the handshake with organization_id,
// as Clerk's handleMaybeOrganizationSyncHandshake decides; every
// handshake of such a URL carries organization_id.
func TestOrganizationSyncDecision(t *testing.T) {
	p := newPageSetup(t, true, func(o *core.Options) { o.OrganizationSync = orgSync })
	now := p.clk.Now()
	uat := strconv.FormatInt(now.Add(-time.Minute).Unix(), 10)
	acme := p.s.Token(clerktest.WithSessionID("sess_1"), clerktest.WithOrg("org_1", "acme", "org:admin", nil))
	acmeV1 := p.s.Token(clerktest.WithSessionID("sess_1"), clerktest.WithOrgV1("org_1", "acme", "org:admin"), clerktest.WithVersion(1))
	personal := p.s.Token(clerktest.WithSessionID("sess_1"))
	expired := p.s.Token(clerktest.WithSessionID("sess_1"), clerktest.WithIssuedAt(now.Add(-2*time.Minute)), clerktest.WithExpiry(now.Add(-time.Minute)))
	jar := func(tok string, extra ...string) map[string]string {
		c := map[string]string{"__session": tok, "__client_uat": uat}
		for i := 0; i+1 < len(extra); i += 2 {
			c[extra[i]] = extra[i+1]
		}
		return c
	}
	const base = "http://app.example"
	cases := []struct {
		name   string
		req    *http.Request
		reason string // "": signed in
		org    *string
	}{
		{"the active organization", pageReq("GET", base+"/orgs/acme", jar(acme)), "", nil},
		{"the active organization, deeper, trailing slash", pageReq("GET", base+"/orgs/acme/settings/", jar(acme)), "", nil},
		{"v1 claims", pageReq("GET", base+"/orgs/acme?x=1", jar(acmeV1)), "", nil},
		{"another organization", pageReq("GET", base+"/orgs/beta", jar(acme)), "active-organization-mismatch", ptr("beta")},
		{"slugs compare exactly", pageReq("GET", base+"/ORGS/Acme", jar(acme)), "active-organization-mismatch", ptr("Acme")},
		{"percent-encoded, not decoded", pageReq("GET", base+"/orgs/a%20b", jar(acme)), "active-organization-mismatch", ptr("a%20b")},
		{"by id", pageReq("GET", base+"/o/org_2", jar(acme)), "active-organization-mismatch", ptr("org_2")},
		{"by id, active", pageReq("GET", base+"/o/org_1", jar(acme)), "", nil},
		{"no active organization", pageReq("GET", base+"/orgs/acme", jar(personal)), "active-organization-mismatch", ptr("acme")},
		{"personal account with an organization", pageReq("GET", base+"/me/profile", jar(acme)), "active-organization-mismatch", ptr("")},
		{"personal account", pageReq("GET", base+"/me", jar(personal)), "", nil},
		{"no pattern", pageReq("GET", base+"/dashboard", jar(acme)), "", nil},
		{"past the loop guard", pageReq("GET", base+"/orgs/beta", jar(acme, "__clerk_redirect_count", "3")), "", nil},
		{"fetch() call", pageReq("GET", base+"/orgs/beta", jar(acme), "Sec-Fetch-Dest", "empty"), "", nil},
		{"another handshake on an organization's URL", pageReq("GET", base+"/orgs/beta", jar(expired, "__client_uat", "1")), "session-token-expired-refresh-non-eligible-no-refresh-cookie", ptr("beta")},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := p.a.AuthenticatePage(context.Background(), core.HTTPRequest(tc.req))
			if tc.reason == "" {
				if res.Status != core.PageSignedIn || res.Redirect() {
					t.Fatalf("%q %q (%v)", res.Status, res.Reason, res.Err)
				}
				return
			}
			if res.Status != core.PageHandshake || res.Reason != tc.reason {
				t.Fatalf("%q %q, want a handshake %q", res.Status, res.Reason, tc.reason)
			}
			loc := res.Header.Get("Location")
			_, raw, _ := strings.Cut(loc, "?")
			q, err := url.ParseQuery(raw)
			if err != nil {
				t.Fatal(err)
			}
			last := raw[strings.LastIndex(raw, "&")+1:]
			if got, ok := q["organization_id"]; !ok || got[0] != *tc.org || !strings.HasPrefix(last, "organization_id=") {
				t.Errorf("organization_id in %q, want %q last", raw, *tc.org)
			}
			if q.Get("__session") == "" || q.Get("__clerk_hs_reason") != tc.reason {
				t.Errorf("handshake query %v", q)
			}
		})
	}
	if !strings.Contains(p.log.String(), "organization activation handshake loop detected") {
		t.Errorf("the loop guard logged %q", p.log.String())
	}
}

func ptr(s string) *string { return &s }

// TestOrganizationSyncConfig: bad patterns and OrganizationSync without
// BrowserPages are refused by NewAuthenticator with a *ConfigError that
// names the pattern.
func TestOrganizationSyncConfig(t *testing.T) {
	clk := newClock()
	s := newFake(t, clk)
	cfg := fakeConfig(s, clk)
	cfg.PublishableKey = s.PublishableKey()
	c := newClient(t, cfg)
	cases := []struct {
		name  string
		o     core.Options
		field string
	}{
		{"no BrowserPages", core.Options{Client: c, SkipUserFetch: true, OrganizationSync: orgSync}, "OrganizationSync"},
		{"missing parameter name", core.Options{Client: c, SkipUserFetch: true, BrowserPages: true,
			OrganizationSync: &core.OrganizationSync{OrganizationPatterns: []string{"/orgs/:"}}}, "OrganizationSync.OrganizationPatterns"},
		{"capturing group", core.Options{Client: c, SkipUserFetch: true, BrowserPages: true,
			OrganizationSync: &core.OrganizationSync{PersonalAccountPatterns: []string{"/me/((x))"}}}, "OrganizationSync.PersonalAccountPatterns"},
		{"lookahead", core.Options{Client: c, SkipUserFetch: true, BrowserPages: true,
			OrganizationSync: &core.OrganizationSync{OrganizationPatterns: []string{"/orgs/:slug((?!new)[^/]+)"}}}, "OrganizationSync.OrganizationPatterns"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := core.NewAuthenticator(tc.o)
			var ce *core.ConfigError
			if !errors.As(err, &ce) || ce.Field != tc.field {
				t.Fatalf("%v, want a ConfigError of %s", err, tc.field)
			}
		})
	}
	if _, err := core.NewAuthenticator(core.Options{Client: c, SkipUserFetch: true, BrowserPages: true, OrganizationSync: orgSync}); err != nil {
		t.Fatal(err)
	}
}

// TestOrganizationSyncRoundTrip: a browser signed in on the fake opens an
// organization's page; the handshake activates it on the fake (a member),
// and the app sees it; the personal account's page deactivates it; an
// organization the user is not a member of comes back with none.
func TestOrganizationSyncRoundTrip(t *testing.T) {
	p := newPageSetup(t, true, func(o *core.Options) { o.OrganizationSync = orgSync })
	user := p.s.DefaultUserID()
	p.s.AddOrgMembership(user, clerktest.OrgMembership{OrgID: "org_1", Slug: "acme", Role: "org:admin"})
	p.s.AddOrgMembership(user, clerktest.OrgMembership{OrgID: "org_2", Slug: "beta", Role: "org:member"})
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		res := p.a.AuthenticatePage(r.Context(), core.HTTPRequest(r))
		res.CopyHeaders(w.Header())
		switch {
		case res.Redirect():
			w.WriteHeader(http.StatusTemporaryRedirect)
		case res.Status != core.PageSignedIn:
			w.WriteHeader(http.StatusUnauthorized)
		default:
			_, _ = fmt.Fprintf(w, "org=%q", res.Auth.OrgID())
		}
	}))
	t.Cleanup(app.Close)
	b, _ := browserClient(t)
	form := url.Values{"user_id": {user}, "redirect_url": {app.URL + "/dashboard"}}
	req, _ := http.NewRequest("POST", p.s.URL+"/sign-in", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := b.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != `org=""` {
		t.Fatalf("after sign-in: %d %q", resp.StatusCode, body)
	}
	for _, step := range []struct{ path, org, hsOrg string }{
		{"/orgs/beta/settings", "org_2", "beta"},
		{"/orgs/beta", "org_2", ""},
		{"/o/org_1", "org_1", "org_1"},
		{"/me", "", "(personal)"},
		{"/orgs/acme", "org_1", "acme"},
		{"/orgs/nope", "", "nope"},
	} {
		hs := p.s.Requests(clerktest.EndpointHandshake)
		resp, body := browserGet(t, b, app.URL+step.path)
		if resp.StatusCode != http.StatusOK || body != fmt.Sprintf("org=%q", step.org) {
			t.Fatalf("%s: %d %q, want org %q", step.path, resp.StatusCode, body, step.org)
		}
		handshakes := p.s.Requests(clerktest.EndpointHandshake) - hs
		switch {
		case step.hsOrg == "" && handshakes != 0:
			t.Errorf("%s: %d handshakes", step.path, handshakes)
		case step.hsOrg != "" && handshakes != 1:
			t.Errorf("%s: %d handshakes", step.path, handshakes)
		case step.hsOrg != "":
			q := p.s.LastHandshakeQuery()
			want := step.hsOrg
			if want == "(personal)" {
				want = ""
			}
			if got, ok := q["organization_id"]; !ok || got[0] != want || q.Get("__clerk_hs_reason") != "active-organization-mismatch" {
				t.Errorf("%s: handshake query %v", step.path, q)
			}
		}
	}
}
