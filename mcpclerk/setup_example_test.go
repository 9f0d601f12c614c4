package mcpclerk_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/clerkgo/clerk/core"
	"github.com/clerkgo/clerk/core/clerktest"
	"github.com/clerkgo/clerk/mcpclerk"
)

// AuthorizationServer names the issuer that the protected-resource metadata
// sends agents to: Config.ProxyURL, else https:// and Config.Domain, else the
// Frontend API host of the publishable key.
func ExampleAuthorizationServer() {
	cfg := core.Config{PublishableKey: "pk_test_ZXhhbXBsZS5jbGVyay5hY2NvdW50cy5kZXYk"} // or core.ConfigFromEnv()

	issuer, err := mcpclerk.AuthorizationServer(cfg) // ProxyURL, else https://<Domain or the publishable key's host>
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(issuer)
	// Output:
	// https://example.clerk.accounts.dev
}

// Testing an MCP server: the fake Clerk mints both kinds of OAuth access
// token (opaque and JWT) and revokes them; the core verifies them as
// mcpclerk.Verifier does.
func Example_testingYourServer() {
	fake := clerktest.New()
	defer fake.Close()
	client, err := core.New(core.Config{SecretKey: fake.SecretKey(), APIURL: fake.URL})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer client.Close()
	ctx := context.Background()

	opaque := fake.NewOAuthToken(clerktest.MachineTokenParams{Scopes: []string{"profile"}, TTL: time.Hour})
	jwt := fake.NewOAuthJWT(clerktest.MachineTokenParams{Scopes: []string{"email"}})
	for _, tok := range []string{opaque.Token, jwt.Token} {
		auth, err := client.VerifyMachineToken(ctx, tok, core.OAuthToken)
		fmt.Println(err == nil && auth.UserID() == fake.DefaultUserID(), auth.Scopes)
	}

	fake.RevokeMachineToken(opaque.Token)
	fresh, err := core.New(core.Config{SecretKey: fake.SecretKey(), APIURL: fake.URL}) // no cached verdict
	if err != nil {
		fmt.Println(err)
		return
	}
	defer fresh.Close()
	_, err = fresh.VerifyMachineToken(ctx, opaque.Token, core.OAuthToken)
	fmt.Println(errors.Is(err, core.ErrInvalidCredentials), core.ReasonOf(err))
	// Output:
	// true [profile]
	// true [email]
	// true token-revoked
}
