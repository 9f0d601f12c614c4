package core_test

import (
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"

	"github.com/clerkgo/clerk/core"
	"github.com/clerkgo/clerk/core/clerktest"
)

// Without a framework: core.Authenticator is the logic the adapters wrap,
// core.HTTPRequest adapts a *http.Request and core.WriteFailure answers by
// the HTTP failure contract (docs/configuration.md).
func Example_withoutAFramework() {
	fake := clerktest.New()
	defer fake.Close()
	client, err := core.New(core.Config{SecretKey: fake.SecretKey(), APIURL: fake.URL, ProxyURL: fake.URL})
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()

	a, err := core.NewAuthenticator(core.Options{Client: client}) // the user fetch is on by default
	if err != nil {
		log.Fatal(err)
	}
	me := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth, err := a.Authenticate(r.Context(), core.HTTPRequest(r))
		if err != nil {
			core.WriteFailure(w, err) // the HTTP failure contract
			return
		}
		fmt.Fprintf(w, "hello %s", *auth.User.FirstName)
	})

	for _, header := range []string{"Bearer " + fake.Token(), ""} {
		req := httptest.NewRequest(http.MethodGet, "/me", nil)
		if header != "" {
			req.Header.Set("Authorization", header)
		}
		rec := httptest.NewRecorder()
		me.ServeHTTP(rec, req)
		body, _ := io.ReadAll(rec.Body)
		fmt.Println(rec.Code, rec.Header().Get("WWW-Authenticate"), string(body) != "")
	}
	// Output:
	// 200  true
	// 401 Bearer true
}
