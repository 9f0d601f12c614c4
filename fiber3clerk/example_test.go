package fiber3clerk_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"

	"github.com/gofiber/fiber/v3"

	"github.com/clerkgo/clerk/core"
	"github.com/clerkgo/clerk/core/clerktest"
	"github.com/clerkgo/clerk/fiber3clerk"
)

// Protect a Fiber app with one line, and a route with Require. Here the
// Clerk instance is the fake from core/clerktest; in production,
// fiber3clerk.Middleware() with no options reads CLERK_SECRET_KEY from the
// environment.
func Example() {
	clerk := clerktest.New()
	defer clerk.Close()
	client, err := core.New(core.Config{SecretKey: clerk.SecretKey(), APIURL: clerk.URL})
	if err != nil {
		panic(err)
	}
	defer client.Close()

	app := fiber.New(fiber.Config{ReadBufferSize: 32 << 10}) // room for large tokens
	app.Use(fiber3clerk.Middleware(fiber3clerk.WithClient(client)))
	app.Get("/me", func(c fiber.Ctx) error {
		return c.SendString("hello " + fiber3clerk.User(c).DisplayName())
	})
	app.Get("/admin", fiber3clerk.Require(core.Role("org:admin")), func(c fiber.Ctx) error {
		return c.SendString("welcome, admin")
	})

	admin := clerk.Token(clerktest.WithOrgMembership("org_1", "acme", "admin"))
	for _, rq := range [][2]string{{"/me", ""}, {"/me", clerk.Token()}, {"/admin", clerk.Token()}, {"/admin", admin}} {
		req := httptest.NewRequest(http.MethodGet, rq[0], nil)
		if rq[1] != "" {
			req.Header.Set("Authorization", "Bearer "+rq[1])
		}
		resp, err := app.Test(req, fiber.TestConfig{Timeout: 0}) // no timeout
		if err != nil {
			panic(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Println(rq[0], resp.StatusCode, string(body))
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

	app := fiber.New(fiber.Config{ReadBufferSize: 32 << 10}) // room for large tokens
	app.Use(fiber3clerk.Middleware(fiber3clerk.WithClient(client), fiber3clerk.BrowserPages(true)))
	app.Get("/dashboard", func(c fiber.Ctx) error {
		return c.SendString("hello " + fiber3clerk.User(c).DisplayName())
	})

	for _, cookie := range []string{"", "__client_uat=1700000000"} { // signed out; a session to refresh
		req := httptest.NewRequest(http.MethodGet, "http://app.example/dashboard", nil)
		req.Header.Set("Sec-Fetch-Dest", "document") // a browser opening the page
		if cookie != "" {
			req.Header.Set("Cookie", cookie)
		}
		resp, err := app.Test(req, fiber.TestConfig{Timeout: 0}) // no timeout
		if err != nil {
			panic(err)
		}
		resp.Body.Close()
		loc, _ := url.Parse(resp.Header.Get("Location"))
		fmt.Println(resp.StatusCode, loc.Path, loc.Query().Get("redirect_url"))
	}
	// Output:
	// 307 /sign-in http://app.example/dashboard
	// 307 /v1/client/handshake http://app.example/dashboard
}
