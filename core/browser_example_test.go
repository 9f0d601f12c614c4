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

// Server-rendered pages: with Options.BrowserPages, AuthenticatePage
// decides a browser's page request as Clerk's server SDKs do. A browser
// whose session token needs renewing is sent to Clerk's handshake (a 307
// to write as is) instead of seeing a 401 (docs/browser.md).
func ExampleAuthenticator_AuthenticatePage() {
	fake := clerktest.New(clerktest.WithProductionInstance())
	defer fake.Close()
	client, err := core.New(core.Config{SecretKey: fake.SecretKey(), APIURL: fake.URL, ProxyURL: fake.URL,
		PublishableKey: fake.PublishableKey()})
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
	a, err := core.NewAuthenticator(core.Options{Client: client, BrowserPages: true})
	if err != nil {
		log.Fatal(err)
	}
	dashboard := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		res := a.AuthenticatePage(r.Context(), core.HTTPRequest(r))
		res.CopyHeaders(w.Header()) // Set-Cookie, Location, x-clerk-auth-*
		switch {
		case res.Redirect():
			w.WriteHeader(http.StatusTemporaryRedirect)
		case res.Status != core.PageSignedIn:
			core.WriteFailure(w, res.Err) // or a sign-in link
		default:
			fmt.Fprintf(w, "hello %s", *res.Auth.User.FirstName)
		}
	})

	// A browser signed in at Clerk (__client_uat) without a session token
	// for this app yet.
	req := httptest.NewRequest(http.MethodGet, "http://app.example/dashboard", nil)
	req.Header.Set("Sec-Fetch-Dest", "document")
	req.AddCookie(&http.Cookie{Name: "__client_uat", Value: "1700000000"})
	rec := httptest.NewRecorder()
	dashboard.ServeHTTP(rec, req)
	loc, _ := url.Parse(rec.Header().Get("Location"))
	fmt.Println(rec.Code, rec.Header().Get("X-Clerk-Auth-Reason"))
	fmt.Println(loc.Path, loc.Query().Get("redirect_url"))
	// Output:
	// 307 client-uat-but-no-session-token
	// /v1/client/handshake http://app.example/dashboard
}
