package fiber3clerk_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

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
