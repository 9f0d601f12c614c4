package clerktest_test

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/clerkgo/clerk/core"
	"github.com/clerkgo/clerk/core/authtest"
	"github.com/clerkgo/clerk/core/clerktest"
)

// A test of your handlers points a core.Client at the fake, both on one
// manual clock (so tokens expire without sleeping), mints tokens, injects
// failures and counts requests (docs/testing.md).
func Example_testingYourHandlers() {
	clock := authtest.NewClock(time.Date(2026, 5, 12, 9, 0, 0, 0, time.UTC))
	fake := clerktest.New(clerktest.WithClock(clock.Now)) // your test clock
	defer fake.Close()
	client, err := core.New(core.Config{
		SecretKey: fake.SecretKey(), APIURL: fake.URL, ProxyURL: fake.URL,
		HTTPClient: fake.Client(), Now: clock.Now,
	})
	if err != nil {
		panic(err)
	}
	defer client.Close()
	token := fake.Token(clerktest.WithOrgMembership("org_1", "acme", "org:admin", "org:invoices:read"))
	fake.Fail(clerktest.EndpointJWKS, 503) // an outage
	fake.Recover(clerktest.EndpointJWKS)
	n := fake.Requests(clerktest.EndpointGetUser) // how many user fetches happened

	ctx := context.Background()
	claims, err := client.VerifyToken(ctx, token)
	fmt.Println(claims.Subject != "", err, n)
	_, err = client.User(ctx, claims.Subject)
	fmt.Println(err, fake.Requests(clerktest.EndpointGetUser))

	clock.Advance(2 * time.Minute) // session tokens live 60 s
	_, err = client.VerifyToken(ctx, token)
	fmt.Println(core.FailureOf(err).Status == http.StatusUnauthorized, core.FailureOf(err).Reason)
	// Output:
	// true <nil> 0
	// <nil> 1
	// true token-expired
}
