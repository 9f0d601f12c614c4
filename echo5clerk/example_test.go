package echo5clerk_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"

	"github.com/labstack/echo/v5"

	"github.com/clerkgo/clerk/core"
	"github.com/clerkgo/clerk/core/clerktest"
	"github.com/clerkgo/clerk/echo5clerk"
)

// Protect an Echo app with one line, and a route with Require. Here the
// Clerk instance is the fake from core/clerktest; in production,
// echo5clerk.Middleware() with no options reads CLERK_SECRET_KEY from the
// environment.
func Example() {
	clerk := clerktest.New()
	defer clerk.Close()
	client, err := core.New(core.Config{SecretKey: clerk.SecretKey(), APIURL: clerk.URL})
	if err != nil {
		panic(err)
	}
	defer client.Close()

	e := echo.New()
	e.Use(echo5clerk.Middleware(echo5clerk.WithClient(client)))
	e.GET("/me", func(c *echo.Context) error {
		return c.String(http.StatusOK, "hello "+echo5clerk.User(c).DisplayName())
	})
	e.GET("/admin", func(c *echo.Context) error {
		return c.String(http.StatusOK, "welcome, admin")
	}, echo5clerk.Require(core.Role("org:admin")))

	admin := clerk.Token(clerktest.WithOrgMembership("org_1", "acme", "admin"))
	for _, rq := range [][2]string{{"/me", ""}, {"/me", clerk.Token()}, {"/admin", clerk.Token()}, {"/admin", admin}} {
		req := httptest.NewRequest(http.MethodGet, rq[0], nil)
		if rq[1] != "" {
			req.Header.Set("Authorization", "Bearer "+rq[1])
		}
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, req)
		fmt.Println(rq[0], rec.Code, rec.Body)
	}
	// Output:
	// /me 401 {"status":401,"reason":"token-missing","message":"no token"}
	// /me 200 hello Test User
	// /admin 403 {"status":403,"reason":"missing-role","message":"required role is missing"}
	// /admin 200 welcome, admin
}

// Serve pages to browsers: a page request with no session is sent to the
// sign-in page, one whose session cookie needs refreshing to Clerk's
// handshake, which sends the browser back signed in (docs/browser.md).
// BrowserPages needs the instance's publishable key beside the secret key
// (CLERK_PUBLISHABLE_KEY); here the instance is the fake from
// core/clerktest, with its own sign-in page.
func ExampleBrowserPages() {
	clerk := clerktest.New(clerktest.WithProductionInstance())
	defer clerk.Close()
	client, err := core.New(core.Config{SecretKey: clerk.SecretKey(), PublishableKey: clerk.PublishableKey(),
		APIURL: clerk.URL, ProxyURL: clerk.URL, SignInURL: clerk.URL + "/sign-in"})
	if err != nil {
		panic(err)
	}
	defer client.Close()

	e := echo.New()
	e.Use(echo5clerk.Middleware(echo5clerk.WithClient(client), echo5clerk.BrowserPages(true)))
	e.GET("/dashboard", func(c *echo.Context) error {
		return c.String(http.StatusOK, "hello "+echo5clerk.User(c).DisplayName())
	})

	for _, cookie := range []string{"", "__client_uat=1700000000"} { // signed out; a session to refresh
		req := httptest.NewRequest(http.MethodGet, "http://app.example/dashboard", nil)
		req.Header.Set("Sec-Fetch-Dest", "document") // a browser opening the page
		if cookie != "" {
			req.Header.Set("Cookie", cookie)
		}
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, req)
		loc, _ := url.Parse(rec.Header().Get("Location"))
		fmt.Println(rec.Code, loc.Path, loc.Query().Get("redirect_url"))
	}
	// Output:
	// 307 /sign-in http://app.example/dashboard
	// 307 /v1/client/handshake http://app.example/dashboard
}
