package clerktest_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/clerkgo/clerk/core"
	"github.com/clerkgo/clerk/core/clerktest"
)

// The machine-token JWT methods take the same TokenOptions as Token, to
// test what a verifier refuses (docs/machine-auth.md).
func ExampleServer_NewM2MJWT() {
	fake := clerktest.New()
	defer fake.Close()
	client, err := core.New(core.Config{SecretKey: fake.SecretKey(), APIURL: fake.URL, ProxyURL: fake.URL})
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
	p := clerktest.MachineTokenParams{Scopes: []string{"a"}}

	sessionCat := fake.NewM2MJWT(p, clerktest.WithHeader("cat", clerktest.SessionTokenCategory)) // a session category
	unknownKey := fake.NewOAuthJWT(p, clerktest.WithSigningKey(clerktest.GenerateKey(), ""))     // a key the JWKS lacks
	expired := fake.NewM2MJWT(p, clerktest.WithTTL(-time.Minute))                                // already expired
	scopeClaim := fake.NewOAuthJWT(p, clerktest.WithoutClaim("scp"), clerktest.WithClaim("scope", "a b"))

	for _, tok := range []clerktest.MachineToken{sessionCat, unknownKey, expired, scopeClaim} {
		auth, err := client.VerifyMachineToken(context.Background(), tok.Token, core.AnyToken)
		if err != nil {
			fmt.Println(core.FailureOf(err).Status, core.FailureOf(err).Reason)
			continue
		}
		fmt.Println(auth.Kind, auth.Scopes)
	}
	// Output:
	// 401 token-not-session
	// 401 token-invalid-signature
	// 401 token-expired
	// oauth_token [a b]
}
