package clerktest_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/clerkgo/clerk/core/clerktest"
)

// A test starts a fake Clerk, creates a user, mints a session token for it
// and points the code under test at s.URL with s.SecretKey() (or at
// s.PublishableKey() / s.PublicKeyPEM()).
func Example() {
	s := clerktest.New()
	defer s.Close()

	u := s.CreateUser(clerktest.UserParams{FirstName: "Ada", Email: "ada@example.com"})
	token := s.Token(clerktest.WithSubject(u.ID), clerktest.WithOrgMembership("org_1", "acme", "admin", "org:articles:read"))
	fmt.Println("token segments:", len(strings.Split(token, ".")))

	// The Backend API answers like Clerk's.
	req, _ := http.NewRequest("GET", s.URL+"/v1/users/"+u.ID, nil)
	req.Header.Set("Authorization", "Bearer "+s.SecretKey())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	var got clerktest.User
	_ = json.NewDecoder(resp.Body).Decode(&got)
	fmt.Println(resp.StatusCode, *got.FirstName, got.PrimaryEmail())

	// Simulate an outage of the key set.
	s.Fail(clerktest.EndpointWellKnownJWKS, http.StatusServiceUnavailable)
	resp2, _ := http.Get(s.URL + "/.well-known/jwks.json")
	resp2.Body.Close()
	fmt.Println(resp2.StatusCode, s.Requests(clerktest.EndpointWellKnownJWKS))

	// Output:
	// token segments: 3
	// 200 Ada ada@example.com
	// 503 1
}

// A test signs a delivery as Clerk would and posts it to the handler under
// test, which is configured with the signer's secret.
func ExampleWebhookSigner() {
	signer, err := clerktest.NewWebhookSigner() // a fresh whsec_ secret
	if err != nil {
		fmt.Println(err)
		return
	}
	// os.Setenv("CLERK_WEBHOOK_SIGNING_SECRET", signer.Secret()) for the app
	data, _ := clerktest.SampleWebhookData("user.created")
	d, err := signer.SignEvent("user.created", data)
	if err != nil {
		fmt.Println(err)
		return
	}
	req, _ := d.Request("http://localhost:8080/webhooks/clerk")
	fmt.Println(req.Method, strings.HasPrefix(req.Header.Get("svix-id"), "msg_"),
		strings.HasPrefix(req.Header.Get("svix-signature"), "v1,"), len(signer.Secret()))
	fmt.Println(signer) // never the secret
	// Output:
	// POST true true 38
	// clerktest.WebhookSigner{Secrets:[1 redacted]}
}
