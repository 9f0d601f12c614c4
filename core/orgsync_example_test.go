package core_test

import (
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"

	"github.com/clerkgo/clerk/core"
	"github.com/clerkgo/clerk/core/clerktest"
)

// Organization sync: the URL names the organization a page acts for, and a
// signed-in browser whose session has another one active is sent through
// Clerk's handshake with organization_id, which activates it
// (docs/browser.md).
func ExampleOrganizationSync() {
	fake := clerktest.New(clerktest.WithProductionInstance())
	defer fake.Close()
	client, err := core.New(core.Config{SecretKey: fake.SecretKey(), APIURL: fake.URL, ProxyURL: fake.URL,
		PublishableKey: fake.PublishableKey()})
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
	a, err := core.NewAuthenticator(core.Options{Client: client, BrowserPages: true,
		OrganizationSync: &core.OrganizationSync{
			OrganizationPatterns:    []string{"/orgs/:slug", "/orgs/:slug/(.*)"},
			PersonalAccountPatterns: []string{"/me", "/me/(.*)"},
		}})
	if err != nil {
		log.Fatal(err)
	}

	// Signed in with organization "acme" active, opening beta's page.
	token := fake.Token(clerktest.WithOrg("org_1", "acme", "org:admin", nil))
	req := httptest.NewRequest(http.MethodGet, "http://app.example/orgs/beta/settings", nil)
	req.Header.Set("Sec-Fetch-Dest", "document")
	req.AddCookie(&http.Cookie{Name: "__session", Value: token})
	req.AddCookie(&http.Cookie{Name: "__client_uat", Value: "1"})
	res := a.AuthenticatePage(req.Context(), core.HTTPRequest(req))
	loc, _ := url.Parse(res.Header.Get("Location"))
	fmt.Println(res.Status, res.Reason)
	fmt.Println(loc.Path, loc.Query().Get("organization_id"))
	// Output:
	// handshake active-organization-mismatch
	// /v1/client/handshake beta
}
