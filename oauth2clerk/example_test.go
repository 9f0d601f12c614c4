package oauth2clerk_test

import (
	"context"
	"fmt"

	"github.com/clerkgo/clerk/core"
	"github.com/clerkgo/clerk/core/clerktest"
	"github.com/clerkgo/clerk/oauth2clerk"
)

// A Clerk M2M token source in x/oauth2's shape, for libraries that take an
// oauth2.TokenSource.
func ExampleTokenSource() {
	fake := clerktest.New() // stands in for Clerk
	defer fake.Close()

	client, err := core.New(core.Config{MachineSecretKey: fake.MachineSecretKey(), APIURL: fake.URL})
	if err != nil {
		panic(err)
	}
	defer client.Close()
	src, err := client.M2MTokenSource(core.M2MTokenOptions{})
	if err != nil {
		panic(err)
	}
	defer src.Close()

	ts := oauth2clerk.TokenSource(context.Background(), src)
	tok, err := ts.Token()
	if err != nil {
		panic(err)
	}
	fmt.Println(tok.TokenType, tok.AccessToken[:3])
	// Output: Bearer mt_
}
