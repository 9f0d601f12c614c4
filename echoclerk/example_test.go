package echoclerk_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/clerkgo/clerk/core"
	"github.com/clerkgo/clerk/core/clerktest"
	"github.com/clerkgo/clerk/echoclerk"
	"github.com/labstack/echo/v4"
)

// A fake Clerk stands in for the real one; in production the client comes
// from the environment and the one line is e.Use(echoclerk.Middleware()).
func Example() {
	s := clerktest.New()
	defer s.Close()
	client, err := core.New(core.Config{SecretKey: s.SecretKey(), APIURL: s.URL})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer client.Close()

	e := echo.New()
	e.Use(echoclerk.Middleware(echoclerk.WithClient(client))) // the one line
	e.GET("/me", func(c echo.Context) error {
		return c.String(http.StatusOK, "hello "+*echoclerk.User(c).FirstName+", session "+echoclerk.Session(c).SessionID)
	})
	e.GET("/admin", func(c echo.Context) error {
		return c.String(http.StatusOK, "welcome, admin")
	}, echoclerk.Require(core.Role("org:admin")))

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
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, req)
		fmt.Printf("%s %d %q %s\n", r.path, rec.Code, rec.Header().Get("WWW-Authenticate"), rec.Body)
	}
	// Output:
	// /me 401 "Bearer" {"status":401,"reason":"token-missing","message":"no token"}
	// /me 200 "" hello Test, session sess_1
	// /admin 403 "Bearer error=\"insufficient_scope\"" {"status":403,"reason":"missing-role","message":"required role is missing"}
	// /admin 200 "" welcome, admin
}
