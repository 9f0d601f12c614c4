package echo5clerk_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/labstack/echo/v5"

	"github.com/clerkgo/clerk/core"
	"github.com/clerkgo/clerk/core/clerktest"
	"github.com/clerkgo/clerk/echo5clerk"
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

	e := echo.New()
	e.Any("/__clerk/*", echo5clerk.FrontendAPIProxy(opts))

	app := httptest.NewServer(e)
	defer app.Close()
	res, err := http.Get(app.URL + "/__clerk/.well-known/jwks.json")
	if err != nil {
		panic(err)
	}
	res.Body.Close()
	fmt.Println(res.StatusCode, res.Header.Get("Content-Type"))
	// Output: 200 application/json
}
