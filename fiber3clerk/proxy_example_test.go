package fiber3clerk_test

import (
	"fmt"
	"net/http"

	"github.com/gofiber/fiber/v3"

	"github.com/clerkgo/clerk/core"
	"github.com/clerkgo/clerk/core/clerktest"
	"github.com/clerkgo/clerk/fiber3clerk"
)

// Serve the Frontend API from the app's domain at /__clerk. Here the fake
// Clerk plays the Frontend API (FrontendAPIURL); in production leave it
// out and set Config.ProxyURL (CLERK_PROXY_URL) to the public URL of the
// proxy, as in the Clerk dashboard.
func ExampleFrontendAPIProxy() {
	clerk := clerktest.New()
	defer clerk.Close()
	client, err := core.New(core.Config{SecretKey: clerk.SecretKey(), PublishableKey: clerk.PublishableKey(), APIURL: clerk.URL})
	if err != nil {
		panic(err)
	}
	defer client.Close()
	opts := core.ProxyOptions{Client: client, FrontendAPIURL: clerk.URL}

	app := fiber.New()
	app.All("/__clerk/*", fiber3clerk.FrontendAPIProxy(opts))

	req, _ := http.NewRequest("GET", "http://app.example/__clerk/.well-known/jwks.json", nil)
	res, err := app.Test(req, fiber.TestConfig{Timeout: 0})
	if err != nil {
		panic(err)
	}
	res.Body.Close()
	fmt.Println(res.StatusCode, res.Header.Get("Content-Type"))
	// Output: 200 application/json
}
