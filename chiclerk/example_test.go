package chiclerk_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/go-chi/chi/v5"

	"github.com/clerkgo/clerk/chiclerk"
	"github.com/clerkgo/clerk/core"
	"github.com/clerkgo/clerk/core/clerktest"
)

// Protect a chi router with one line. Here the Clerk instance is the fake
// from core/clerktest; in production chiclerk.Middleware() with no options
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

	r := chi.NewRouter()
	r.Use(chiclerk.Middleware(chiclerk.WithClient(client)))
	r.Get("/me", func(w http.ResponseWriter, r *http.Request) {
		user := chiclerk.User(r.Context())
		fmt.Fprintf(w, "hello %s", *user.FirstName)
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
	r := chi.NewRouter()
	r.Use(chiclerk.Middleware(chiclerk.WithClient(client), chiclerk.Optional(true)))
	r.Get("/", func(w http.ResponseWriter, r *http.Request) {
		if s := chiclerk.Session(r.Context()); s != nil {
			fmt.Fprintln(w, "signed in as", s.Subject)
			return
		}
		fmt.Fprintln(w, "welcome, guest")
	})
	r.With(chiclerk.Require(core.Role("org:admin"))).Get("/admin", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "admin area")
	})
	_ = http.ListenAndServe(":8080", r)
}
