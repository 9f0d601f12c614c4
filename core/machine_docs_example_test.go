package core_test

import (
	"context"
	"fmt"
	"log"

	"github.com/clerkgo/clerk/core"
	"github.com/clerkgo/clerk/core/clerktest"
)

// Verify a machine token without a framework (docs/machine-auth.md): the
// kinds the caller may present, and a clean error for any other.
func ExampleClient_VerifyMachineToken() {
	fake := clerktest.New()
	defer fake.Close()
	client, err := core.New(core.Config{SecretKey: fake.SecretKey(), APIURL: fake.URL})
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
	ctx := context.Background()

	key := fake.NewAPIKey(clerktest.MachineTokenParams{Subject: "user_123", Scopes: []string{"invoices:read"}})
	oat := fake.NewOAuthToken(clerktest.MachineTokenParams{Subject: "user_123"})
	for _, token := range []string{key.Token, oat.Token} {
		auth, err := client.VerifyMachineToken(ctx, token, core.APIKey, core.M2MToken)
		if err != nil {
			fmt.Println(core.FailureOf(err).Status, core.FailureOf(err).Reason)
			continue
		}
		fmt.Println(auth.Kind, auth.Subject, auth.Scopes)
	}
	// Output:
	// api_key user_123 [invoices:read]
	// 401 token-type-not-accepted
}
