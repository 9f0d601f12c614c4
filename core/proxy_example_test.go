package core_test

import (
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"

	"github.com/clerkgo/clerk/core"
	"github.com/clerkgo/clerk/core/clerktest"
)

// The Frontend API proxy on a net/http mux, in front of the fake Clerk.
// In production leave FrontendAPIURL out (the proxy forwards to Clerk's
// Frontend API) and set Config.ProxyURL to the proxy's public URL, such as
// https://app.example.com/__clerk.
func ExampleNewFrontendAPIProxy() {
	fake := clerktest.New()
	defer fake.Close()
	client, err := core.New(core.Config{SecretKey: fake.SecretKey(), PublishableKey: fake.PublishableKey(), APIURL: fake.URL})
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()

	proxy, err := core.NewFrontendAPIProxy(core.ProxyOptions{
		Client:         client,
		FrontendAPIURL: fake.URL, // tests only: the fake plays the Frontend API
	})
	if err != nil {
		log.Fatal(err) // a *core.ConfigError naming the setting
	}
	mux := http.NewServeMux()
	mux.Handle(proxy.Path()+"/", proxy) // "/__clerk/": every path under it

	app := httptest.NewServer(mux)
	defer app.Close()
	res, err := http.Get(app.URL + "/__clerk/.well-known/jwks.json")
	if err != nil {
		log.Fatal(err)
	}
	res.Body.Close()
	fmt.Println(res.StatusCode, res.Header.Get("Content-Type"))
	// Output: 200 application/json
}
