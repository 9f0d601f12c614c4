package ginclerk_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/clerkgo/clerk/core"
	"github.com/clerkgo/clerk/core/clerktest"
	"github.com/clerkgo/clerk/ginclerk"
)

// Activate the organization the URL names: a browser signed in with
// organization acme active that opens a page of globex is sent through
// Clerk's handshake with organization_id=globex, which activates it and
// sends the browser back (docs/browser.md). Here the instance is the fake
// from core/clerktest.
func ExampleOrganizationSync() {
	clerk := clerktest.New(clerktest.WithProductionInstance())
	defer clerk.Close()
	client, err := core.New(core.Config{SecretKey: clerk.SecretKey(), PublishableKey: clerk.PublishableKey(),
		APIURL: clerk.URL, ProxyURL: clerk.URL})
	if err != nil {
		panic(err)
	}
	defer client.Close()

	r := gin.New()
	r.Use(ginclerk.Middleware(ginclerk.WithClient(client), ginclerk.BrowserPages(true),
		ginclerk.OrganizationSync(core.OrganizationSync{
			OrganizationPatterns:    []string{"/orgs/:slug", "/orgs/:slug/(.*)"},
			PersonalAccountPatterns: []string{"/me", "/me/(.*)"},
		})))
	r.GET("/orgs/:slug/dashboard", func(c *gin.Context) {
		c.String(http.StatusOK, "organization %s", ginclerk.Session(c).Org.Slug)
	})

	token := clerk.Token(clerktest.WithOrg("org_1", "acme", "org:admin", nil)) // acme active
	for _, slug := range []string{"acme", "globex"} {
		req := httptest.NewRequest(http.MethodGet, "http://app.example/orgs/"+slug+"/dashboard", nil)
		req.Header.Set("Sec-Fetch-Dest", "document") // a browser opening the page
		req.Header.Set("Cookie", "__session="+token+"; __client_uat=1")
		rec := httptest.NewRecorder()
		r.ServeHTTP(rec, req)
		code, body, location := rec.Code, rec.Body.String(), rec.Header().Get("Location")
		if code == http.StatusTemporaryRedirect { // to Clerk's handshake
			loc, _ := url.Parse(location)
			fmt.Println(code, "organization_id="+loc.Query().Get("organization_id"))
			continue
		}
		fmt.Println(code, body)
	}
	// Output:
	// 200 organization acme
	// 307 organization_id=globex
}

// TestOrganizationSync: with OrganizationSync, a signed-in page request
// whose URL names another organization than the session's active one (or
// the personal account while one is active) is a 307 to the handshake
// with organization_id; the active organization's page, requests that are
// not page requests and URLs no pattern matches are served; without the
// option nothing changes; the option without BrowserPages is refused.
func TestOrganizationSync(t *testing.T) {
	clerk := clerktest.New(clerktest.WithProductionInstance())
	t.Cleanup(clerk.Close)
	client, err := core.New(core.Config{SecretKey: clerk.SecretKey(), PublishableKey: clerk.PublishableKey(),
		APIURL: clerk.URL, ProxyURL: clerk.URL, HTTPClient: clerk.Client()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = client.Close() })
	sync := core.OrganizationSync{OrganizationPatterns: []string{"/orgs/:slug/(.*)"}, PersonalAccountPatterns: []string{"/me"}}
	router := func(opts ...ginclerk.Option) http.Handler {
		r := gin.New()
		r.Use(ginclerk.Middleware(append([]ginclerk.Option{ginclerk.WithClient(client), ginclerk.FetchUser(false), ginclerk.BrowserPages(true)}, opts...)...))
		show := func(c *gin.Context) {
			org := ""
			if s := ginclerk.Session(c); s != nil && s.Org != nil {
				org = s.Org.Slug
			}
			c.String(http.StatusOK, "org=%s", org)
		}
		r.GET("/orgs/:slug/dashboard", show)
		r.GET("/me", show)
		r.GET("/dashboard", show)
		return r
	}
	withSync, without := router(ginclerk.OrganizationSync(sync)), router()
	acme := clerk.Token(clerktest.WithOrg("org_1", "acme", "org:admin", nil))
	personal := clerk.Token()
	tests := []struct {
		name, path, token string
		page              bool
		h                 http.Handler
		status            int
		want              string // the body, or the handshake's organization_id
	}{
		{"the active organization", "/orgs/acme/dashboard", acme, true, withSync, http.StatusOK, "org=acme"},
		{"another organization", "/orgs/globex/dashboard", acme, true, withSync, http.StatusTemporaryRedirect, "globex"},
		{"no active organization", "/orgs/acme/dashboard", personal, true, withSync, http.StatusTemporaryRedirect, "acme"},
		{"the personal account with an organization", "/me", acme, true, withSync, http.StatusTemporaryRedirect, ""},
		{"the personal account", "/me", personal, true, withSync, http.StatusOK, "org="},
		{"no pattern", "/dashboard", acme, true, withSync, http.StatusOK, "org=acme"},
		{"not a page request", "/orgs/globex/dashboard", acme, false, withSync, http.StatusOK, "org=acme"},
		{"without the option", "/orgs/globex/dashboard", acme, true, without, http.StatusOK, "org=acme"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, "http://app.example"+tt.path, nil)
			if tt.page {
				req.Header.Set("Sec-Fetch-Dest", "document")
			}
			req.Header.Set("Cookie", "__session="+tt.token+"; __client_uat=1")
			rec := httptest.NewRecorder()
			tt.h.ServeHTTP(rec, req)
			code, body, location := rec.Code, rec.Body.String(), rec.Header().Get("Location")
			if code != tt.status {
				t.Fatalf("%d %q, want %d", code, body, tt.status)
			}
			if tt.status != http.StatusTemporaryRedirect {
				if body != tt.want {
					t.Errorf("body %q, want %q", body, tt.want)
				}
				return
			}
			loc, err := url.Parse(location)
			if err != nil || loc.Path != "/v1/client/handshake" {
				t.Fatalf("Location %q", location)
			}
			q := loc.Query()
			if got, ok := q["organization_id"]; !ok || got[0] != tt.want || q.Get("__clerk_hs_reason") != "active-organization-mismatch" {
				t.Errorf("handshake query %v, want organization_id %q", q, tt.want)
			}
		})
	}

	_, err = ginclerk.New(ginclerk.WithClient(client), ginclerk.OrganizationSync(sync))
	var ce *core.ConfigError
	if !errors.As(err, &ce) || ce.Field != "OrganizationSync" {
		t.Errorf("without BrowserPages: %v, want a ConfigError of OrganizationSync", err)
	}
}
