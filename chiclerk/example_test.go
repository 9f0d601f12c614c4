package chiclerk_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/clerkgo/clerk/chiclerk"
	"github.com/clerkgo/clerk/core"
	"github.com/clerkgo/clerk/core/clerktest"
)

// Protect a chi router with one line, and a route with Require. Here the
// Clerk instance is the fake from core/clerktest; in production,
// chiclerk.Middleware() with no options reads CLERK_SECRET_KEY from the
// environment.
func Example() {
	clerk := clerktest.New()
	defer clerk.Close()
	client, err := core.New(core.Config{SecretKey: clerk.SecretKey(), APIURL: clerk.URL})
	if err != nil {
		panic(err)
	}
	defer client.Close()

	r := chi.NewRouter()
	r.Use(chiclerk.Middleware(chiclerk.WithClient(client)))
	r.Get("/me", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "hello %s", chiclerk.User(r.Context()).DisplayName())
	})
	r.With(chiclerk.Require(core.Role("org:admin"))).Get("/admin", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "welcome, admin")
	})

	admin := clerk.Token(clerktest.WithOrgMembership("org_1", "acme", "admin"))
	for _, rq := range [][2]string{{"/me", ""}, {"/me", clerk.Token()}, {"/admin", clerk.Token()}, {"/admin", admin}} {
		fmt.Println(rq[0], serve(r, rq[0], rq[1]))
	}
	// Output:
	// /me 401 {"status":401,"reason":"token-missing","message":"no token"}
	// /me 200 hello Test User
	// /admin 403 {"status":403,"reason":"missing-role","message":"required role is missing"}
	// /admin 200 welcome, admin
}

// Open a route to API keys and M2M tokens; Require a scope.
func ExampleAcceptsToken() {
	clerk := clerktest.New()
	defer clerk.Close()
	client, err := core.New(core.Config{SecretKey: clerk.SecretKey(), APIURL: clerk.URL})
	if err != nil {
		panic(err)
	}
	defer client.Close()

	r := chi.NewRouter()
	r.Use(chiclerk.Middleware(chiclerk.WithClient(client), chiclerk.FetchUser(false),
		chiclerk.AcceptsToken(core.APIKey, core.M2MToken)))
	r.With(chiclerk.Require(core.Scope("invoices:read"))).Get("/api/invoices", func(w http.ResponseWriter, r *http.Request) {
		auth := chiclerk.Auth(r.Context()) // one *core.Auth for every kind of token
		fmt.Fprint(w, auth.Kind, " ", strings.Join(auth.Scopes, ","))
	})

	key := clerk.NewAPIKey(clerktest.MachineTokenParams{Scopes: []string{"invoices:read"}})
	m2m := clerk.NewM2MToken(clerktest.MachineTokenParams{Scopes: []string{"invoices:read"}})
	for _, token := range []string{key.Token, m2m.Token, clerk.Token()} {
		fmt.Println(serve(r, "/api/invoices", token))
	}
	// Output:
	// 200 api_key invoices:read
	// 200 m2m_token invoices:read
	// 401 {"status":401,"reason":"token-type-not-accepted","message":"this kind of token is not accepted here"}
}

// serve sends GET path with the token (if any) through h and returns the
// status and the body.
func serve(h http.Handler, path, token string) string {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return fmt.Sprint(rec.Code, " ", rec.Body)
}

// User is nil with FetchUser(false), and many users have no first name
// (FirstName is a *string): DisplayName handles both, so a handler that
// greets never panics.
func ExampleUser() {
	clerk := clerktest.New()
	defer clerk.Close()
	client, err := core.New(core.Config{SecretKey: clerk.SecretKey(), APIURL: clerk.URL})
	if err != nil {
		panic(err)
	}
	defer client.Close()
	greet := func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "hello %q", chiclerk.User(r.Context()).DisplayName())
	}

	r := chi.NewRouter()
	r.With(chiclerk.Middleware(chiclerk.WithClient(client))).Get("/me", greet)
	r.With(chiclerk.Middleware(chiclerk.WithClient(client), chiclerk.FetchUser(false))).Get("/fast", greet)

	emailOnly := clerk.CreateUser(clerktest.UserParams{Email: "ada@example.com"}) // no first name
	tok := clerk.Token(clerktest.WithSubject(emailOnly.ID))
	fmt.Println(serve(r, "/me", tok))
	fmt.Println(serve(r, "/fast", tok))
	// Output:
	// 200 hello "ada@example.com"
	// 200 hello ""
}

// Serve pages to browsers: a page request with no session is sent to the
// sign-in page, one whose session cookie needs refreshing to Clerk's
// handshake, which sends the browser back signed in (docs/browser.md).
// BrowserPages needs the instance's publishable key beside the secret key
// (CLERK_PUBLISHABLE_KEY); here the instance is the fake from
// core/clerktest, with its own sign-in page.
func ExampleBrowserPages() {
	clerk := clerktest.New(clerktest.WithProductionInstance())
	defer clerk.Close()
	client, err := core.New(core.Config{SecretKey: clerk.SecretKey(), PublishableKey: clerk.PublishableKey(),
		APIURL: clerk.URL, ProxyURL: clerk.URL, SignInURL: clerk.URL + "/sign-in"})
	if err != nil {
		panic(err)
	}
	defer client.Close()

	r := chi.NewRouter()
	r.Use(chiclerk.Middleware(chiclerk.WithClient(client), chiclerk.BrowserPages(true)))
	r.Get("/dashboard", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "hello %s", chiclerk.User(r.Context()).DisplayName())
	})

	for _, cookie := range []string{"", "__client_uat=1700000000"} { // signed out; a session to refresh
		req := httptest.NewRequest(http.MethodGet, "http://app.example/dashboard", nil)
		req.Header.Set("Sec-Fetch-Dest", "document") // a browser opening the page
		if cookie != "" {
			req.Header.Set("Cookie", cookie)
		}
		rec := httptest.NewRecorder()
		r.ServeHTTP(rec, req)
		loc, _ := url.Parse(rec.Header().Get("Location"))
		fmt.Println(rec.Code, loc.Path, loc.Query().Get("redirect_url"))
	}
	// Output:
	// 307 /sign-in http://app.example/dashboard
	// 307 /v1/client/handshake http://app.example/dashboard
}
