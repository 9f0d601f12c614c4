package chiclerk_test

import (
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"

	"github.com/go-chi/chi/v5"

	"github.com/clerkgo/clerk/chiclerk"
	"github.com/clerkgo/clerk/core"
	"github.com/clerkgo/clerk/core/clerktest"
)

// Several Clerk instances in one process: one client per instance, given to
// each route group's middleware, or one chosen per request
// (docs/configuration.md). A token of one instance never passes at another.
func Example_severalInstances() {
	fakeA, fakeB := clerktest.New(), clerktest.New()
	defer fakeA.Close()
	defer fakeB.Close()
	cfgA := core.Config{Name: "a", SecretKey: fakeA.SecretKey(), APIURL: fakeA.URL}
	cfgB := core.Config{Name: "b", SecretKey: fakeB.SecretKey(), APIURL: fakeB.URL}
	me := func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, chiclerk.Auth(r.Context()).UserID()) }

	a, err := core.New(cfgA) // cfgA, err := core.ConfigFromEnvSuffix("_A"): CLERK_SECRET_KEY_A, CLERK_PUBLISHABLE_KEY_A, ...
	if err != nil {
		log.Fatal(err)
	}
	defer a.Close()
	b, err := core.New(cfgB)
	if err != nil {
		log.Fatal(err)
	}
	defer b.Close()
	r := chi.NewRouter()
	r.Route("/a", func(r chi.Router) { r.Use(chiclerk.Middleware(chiclerk.WithClient(a))); r.Get("/me", me) })
	r.Route("/b", func(r chi.Router) { r.Use(chiclerk.Middleware(chiclerk.WithClient(b))); r.Get("/me", me) })

	byHost := func(tenants map[string]*core.Client) http.Handler {
		r := chi.NewRouter()
		r.Use(chiclerk.Middleware(chiclerk.ClientFunc(func(r *http.Request) (*core.Client, error) {
			if c, ok := tenants[r.Host]; ok {
				return c, nil
			}
			return nil, core.ErrUnknownTenant
		})))
		r.Get("/me", me)
		return r
	}(map[string]*core.Client{"a.example.com": a, "b.example.com": b})

	tokenA := fakeA.Token()
	for _, rq := range []struct {
		h          http.Handler
		host, path string
	}{
		{r, "example.com", "/a/me"},
		{r, "example.com", "/b/me"}, // instance A's token at instance B
		{byHost, "a.example.com", "/me"},
		{byHost, "b.example.com", "/me"},
		{byHost, "c.example.com", "/me"},
	} {
		req := httptest.NewRequest(http.MethodGet, "http://"+rq.host+rq.path, nil)
		req.Header.Set("Authorization", "Bearer "+tokenA)
		rec := httptest.NewRecorder()
		rq.h.ServeHTTP(rec, req)
		fmt.Println(rq.host+rq.path, rec.Code, rec.Body.Len() > 0)
	}
	// Output:
	// example.com/a/me 200 true
	// example.com/b/me 401 true
	// a.example.com/me 200 true
	// b.example.com/me 401 true
	// c.example.com/me 404 true
}
