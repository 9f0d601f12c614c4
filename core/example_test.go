package core_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/clerkgo/clerk/core"
	"github.com/clerkgo/clerk/core/clerktest"
)

// Verify a session token and load its user, framework-free, against the fake
// Clerk that ships with the library.
func Example() {
	fake := clerktest.New()
	defer fake.Close()

	client, err := core.New(core.Config{
		SecretKey: fake.SecretKey(),
		APIURL:    fake.URL, // https://api.clerk.com in production
		ProxyURL:  fake.URL, // the fake issues tokens with its own URL as iss
	})
	if err != nil {
		panic(err)
	}
	defer client.Close()

	// The Authenticator is the one entry point from a request to an Auth:
	// the Authorization header, else the __session cookie, verified, and
	// the user loaded (the default).
	authenticator, err := core.NewAuthenticator(core.Options{Client: client})
	if err != nil {
		panic(err)
	}
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.Header.Set("Authorization", "Bearer "+fake.Token())
	auth, err := authenticator.Authenticate(req.Context(), core.HTTPRequest(req))
	if err != nil {
		panic(err)
	}
	fmt.Println(*auth.User.FirstName, auth.Session.Subject == auth.User.ID)

	// A token in hand, with no request: VerifyToken.
	_, err = client.VerifyToken(context.Background(), "not-a-token")
	f := core.FailureOf(err)
	fmt.Println(errors.Is(err, core.ErrInvalidCredentials), f.Status, f.Reason)
	// Output:
	// Test true
	// true 401 token-malformed
}

// Per-route authorization rules over a verified session.
func ExampleCheck() {
	fake := clerktest.New()
	defer fake.Close()
	client, _ := core.New(core.Config{JWTKey: fake.PublicKeyPEM()}) // networkless
	defer client.Close()

	authenticator, err := core.NewAuthenticator(core.Options{Client: client, SkipUserFetch: true}) // networkless: no user fetch
	if err != nil {
		panic(err)
	}
	req := httptest.NewRequest(http.MethodGet, "/invoices", nil)
	req.Header.Set("Authorization", "Bearer "+fake.Token(clerktest.WithOrgMembership("org_1", "acme", "org:admin", "org:invoices:read")))
	auth, err := authenticator.Authenticate(req.Context(), core.HTTPRequest(req))
	if err != nil {
		panic(err)
	}
	admin := core.All(core.Role("org:admin"), core.Permission("org:invoices:read"))
	fmt.Println(admin(auth) == nil)
	err = core.Permission("org:invoices:delete")(auth)
	fmt.Println(core.FailureOf(err).Status, core.ReasonOf(err))
	// Output:
	// true
	// 403 missing-permission
}
