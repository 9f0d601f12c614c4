package chiclerk_test

import (
	"fmt"
	"log"
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/clerkgo/clerk/chiclerk"
	"github.com/clerkgo/clerk/core"
	"github.com/clerkgo/clerk/core/clerktest"
)

// A route for API keys and M2M tokens with a scope (docs/machine-auth.md):
// the handler reads the same *core.Auth for every kind of token.
func ExampleAcceptsToken_scope() {
	fake := clerktest.New()
	defer fake.Close()
	client, err := core.New(core.Config{SecretKey: fake.SecretKey(), APIURL: fake.URL})
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
	r := chi.NewRouter()

	r.Use(chiclerk.Middleware(chiclerk.WithClient(client),
		chiclerk.AcceptsToken(core.APIKey, core.M2MToken), // or core.AnyToken
		chiclerk.FetchUser(false)))
	r.With(chiclerk.Require(core.Scope("invoices:read"))).Get("/api/invoices", func(w http.ResponseWriter, r *http.Request) {
		auth := chiclerk.Auth(r.Context()) // the same *core.Auth for every kind
		fmt.Fprintln(w, auth.Kind, auth.Subject, auth.Scopes)
	})

	key := fake.NewAPIKey(clerktest.MachineTokenParams{Subject: "user_123", Scopes: []string{"invoices:read"}})
	m2m := fake.NewM2MToken(clerktest.MachineTokenParams{Subject: "mch_123", Scopes: []string{"invoices:read"}})
	other := fake.NewAPIKey(clerktest.MachineTokenParams{Subject: "user_123", Scopes: []string{"invoices:write"}})
	for _, token := range []string{key.Token, m2m.Token, other.Token} {
		fmt.Println(strings.TrimSpace(serve(r, "/api/invoices", token)))
	}
	// Output:
	// 200 api_key user_123 [invoices:read]
	// 200 m2m_token mch_123 [invoices:read]
	// 403 {"status":403,"reason":"missing-scope","message":"required scope is missing"}
}
