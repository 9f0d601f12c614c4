package echoclerk_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"

	"github.com/labstack/echo/v4"

	"github.com/clerkgo/clerk/core"
	"github.com/clerkgo/clerk/core/clerktest"
	"github.com/clerkgo/clerk/echoclerk"
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

	e := echo.New()
	e.Use(echoclerk.Middleware(echoclerk.WithClient(client), echoclerk.BrowserPages(true),
		echoclerk.OrganizationSync(core.OrganizationSync{
			OrganizationPatterns:    []string{"/orgs/:slug", "/orgs/:slug/(.*)"},
			PersonalAccountPatterns: []string{"/me", "/me/(.*)"},
		})))
	e.GET("/orgs/:slug/dashboard", func(c echo.Context) error {
		return c.String(http.StatusOK, "organization "+echoclerk.Session(c).Org.Slug)
	})

	token := clerk.Token(clerktest.WithOrg("org_1", "acme", "org:admin", nil)) // acme active
	for _, slug := range []string{"acme", "globex"} {
		req := httptest.NewRequest(http.MethodGet, "http://app.example/orgs/"+slug+"/dashboard", nil)
		req.Header.Set("Sec-Fetch-Dest", "document") // a browser opening the page
		req.Header.Set("Cookie", "__session="+token+"; __client_uat=1")
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, req)
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
