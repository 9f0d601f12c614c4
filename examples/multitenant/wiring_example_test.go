package main

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

// The wiring of this demo (docs/demo.md), on two fake Clerk instances: a
// route group per instance, and one middleware that picks the instance by
// host. A token of instance A passes only where A is the instance.
func Example_wiring() {
	fakeA, fakeB := clerktest.New(), clerktest.New()
	defer fakeA.Close()
	defer fakeB.Close()
	a, err := core.New(core.Config{Name: "a", SecretKey: fakeA.SecretKey(), APIURL: fakeA.URL})
	if err != nil {
		log.Fatal(err)
	}
	defer a.Close()
	b, err := core.New(core.Config{Name: "b", SecretKey: fakeB.SecretKey(), APIURL: fakeB.URL})
	if err != nil {
		log.Fatal(err)
	}
	defer b.Close()
	handler := func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, chiclerk.Auth(r.Context()).UserID())
	}
	r := chi.NewRouter()

	r.Route("/a", func(r chi.Router) { r.Use(chiclerk.Middleware(chiclerk.WithClient(a))); r.Get("/me", handler) })
	r.Route("/b", func(r chi.Router) { r.Use(chiclerk.Middleware(chiclerk.WithClient(b))); r.Get("/me", handler) })

	byHost := chiclerk.Middleware(chiclerk.ClientFunc(func(r *http.Request) (*core.Client, error) {
		switch hostTenant(r.Host) { // "a" for a.localhost or a.localhost:8080
		case "a":
			return a, nil
		case "b":
			return b, nil
		}
		return nil, errUnknownHost // 404 unknown-tenant; the error is never shown
	}))
	r.With(byHost).Get("/me", handler)

	tokenA := fakeA.Token()
	for _, url := range []string{
		"http://localhost:8080/a/me",
		"http://localhost:8080/b/me",
		"http://a.localhost:8080/me",
		"http://b.localhost:8080/me",
		"http://localhost:8080/me",
	} {
		req := httptest.NewRequest(http.MethodGet, url, nil)
		req.Header.Set("Authorization", "Bearer "+tokenA)
		rec := httptest.NewRecorder()
		r.ServeHTTP(rec, req)
		fmt.Println(url, rec.Code)
	}
	// Output:
	// http://localhost:8080/a/me 200
	// http://localhost:8080/b/me 401
	// http://a.localhost:8080/me 200
	// http://b.localhost:8080/me 401
	// http://localhost:8080/me 404
}
