package ginclerk_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/gin-gonic/gin"

	"github.com/clerkgo/clerk/core"
	"github.com/clerkgo/clerk/core/clerktest"
	"github.com/clerkgo/clerk/ginclerk"
)

// Protect a Gin engine with one line. Here the Clerk instance is the fake
// from core/clerktest; in production ginclerk.Middleware() with no options
// reads CLERK_SECRET_KEY from the environment.
func Example() {
	clerk := clerktest.New()
	defer clerk.Close()
	client, err := core.New(core.Config{SecretKey: clerk.SecretKey(), APIURL: clerk.URL, HTTPClient: clerk.Client()})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer client.Close()

	r := gin.New()
	r.Use(ginclerk.Middleware(ginclerk.WithClient(client)))
	r.GET("/me", func(c *gin.Context) {
		user := ginclerk.User(c)
		c.String(http.StatusOK, "hello %s", *user.FirstName)
	})
	srv := httptest.NewServer(r)
	defer srv.Close()

	for _, token := range []string{clerk.Token(), ""} {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/me", nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			fmt.Println(err)
			return
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Println(resp.StatusCode, string(body))
	}
	// Output:
	// 200 hello Test
	// 401 {"status":401,"reason":"token-missing","message":"no token"}
}

// Require adds authorization checks to one route; Optional lets signed-out
// requests reach public pages.
func ExampleRequire() {
	client, err := core.NewFromEnv()
	if err != nil {
		fmt.Println("set CLERK_SECRET_KEY")
		return
	}
	r := gin.Default()
	r.Use(ginclerk.Middleware(ginclerk.WithClient(client), ginclerk.Optional(true)))
	r.GET("/", func(c *gin.Context) {
		if s := ginclerk.Session(c); s != nil {
			c.String(http.StatusOK, "signed in as %s", s.Subject)
			return
		}
		c.String(http.StatusOK, "welcome, guest")
	})
	r.GET("/admin", ginclerk.Require(core.Role("org:admin")), func(c *gin.Context) {
		c.String(http.StatusOK, "admin area")
	})
	_ = r.Run(":8080")
}
