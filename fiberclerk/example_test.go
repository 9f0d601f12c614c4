package fiberclerk_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/clerkgo/clerk/core"
	"github.com/clerkgo/clerk/core/clerktest"
	"github.com/clerkgo/clerk/fiberclerk"
	"github.com/gofiber/fiber/v2"
)

// A fake Clerk stands in for the real one; in production the client comes
// from the environment and the one line is app.Use(fiberclerk.Middleware()).
func Example() {
	s := clerktest.New()
	defer s.Close()
	client, err := core.New(core.Config{SecretKey: s.SecretKey(), APIURL: s.URL})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer client.Close()

	app := fiber.New()
	app.Use(fiberclerk.Middleware(fiberclerk.WithClient(client))) // the one line
	app.Get("/me", func(c *fiber.Ctx) error {
		return c.SendString("hello " + *fiberclerk.User(c).FirstName + ", session " + fiberclerk.Session(c).SessionID)
	})
	app.Get("/admin", fiberclerk.Require(core.Role("org:admin")), func(c *fiber.Ctx) error {
		return c.SendString("welcome, admin")
	})

	for _, r := range []struct{ path, authorization string }{
		{"/me", ""},
		{"/me", "Bearer " + s.Token(clerktest.WithSessionID("sess_1"))},
		{"/admin", "Bearer " + s.Token()},
		{"/admin", "Bearer " + s.Token(clerktest.WithOrgMembership("org_1", "acme", "admin"))},
	} {
		req := httptest.NewRequest(http.MethodGet, r.path, nil)
		if r.authorization != "" {
			req.Header.Set("Authorization", r.authorization)
		}
		resp, err := app.Test(req, -1)
		if err != nil {
			fmt.Println(err)
			return
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Printf("%s %d %q %s\n", r.path, resp.StatusCode, resp.Header.Get("WWW-Authenticate"), body)
	}
	// Output:
	// /me 401 "Bearer" {"status":401,"reason":"token-missing","message":"no token"}
	// /me 200 "" hello Test, session sess_1
	// /admin 403 "Bearer error=\"insufficient_scope\"" {"status":403,"reason":"missing-role","message":"required role is missing"}
	// /admin 200 "" welcome, admin
}
