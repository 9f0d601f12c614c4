package clerktest_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/clerkgo/clerk/core"
	"github.com/clerkgo/clerk/core/authtest"
	"github.com/clerkgo/clerk/core/clerktest"
)

// A test of machine-token routes mints tokens of every kind at the fake,
// revokes and expires them, and injects failures (docs/machine-auth.md).
func Example_testingMachineTokens() {
	clock := authtest.NewClock(time.Date(2026, 5, 12, 9, 0, 0, 0, time.UTC))
	fake := clerktest.New(clerktest.WithClock(clock.Now)) // clock: your test clock, any func() time.Time
	defer fake.Close()
	client, _ := core.New(core.Config{SecretKey: fake.SecretKey(), APIURL: fake.URL, ProxyURL: fake.URL, Now: clock.Now})

	key := fake.NewAPIKey(clerktest.MachineTokenParams{Scopes: []string{"invoices:read"}})
	m2m := fake.NewM2MToken(clerktest.MachineTokenParams{TTL: time.Hour})
	oat := fake.NewOAuthToken(clerktest.MachineTokenParams{Scopes: []string{"profile"}})
	m2mJWT := fake.NewM2MJWT(clerktest.MachineTokenParams{})
	oauthJWT := fake.NewOAuthJWT(clerktest.MachineTokenParams{Scopes: []string{"email"}})

	req := httptest.NewRequest("GET", "/api/invoices", nil)
	req.Header.Set("Authorization", "Bearer "+key.Token)

	defer client.Close()
	a, err := core.NewAuthenticator(core.Options{Client: client, AcceptsToken: []core.TokenKind{core.AnyToken}})
	if err != nil {
		panic(err)
	}
	auth, err := a.Authenticate(req.Context(), core.HTTPRequest(req))
	if err != nil {
		panic(err)
	}
	fmt.Println(auth.Kind, auth.Scopes)
	for _, tok := range []clerktest.MachineToken{m2m, oat, m2mJWT, oauthJWT} {
		auth, err := client.VerifyMachineToken(context.Background(), tok.Token, core.AnyToken)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Println(auth.Kind, strings.Count(tok.Token, "."))
	}

	fake.RevokeMachineToken(key.Token) // 200 with "revoked": true, revocation_reason "Revoked by clerktest"
	fake.ExpireMachineToken(m2m.Token) // 200 with "expired": true
	clock.Advance(2 * time.Hour)       // and expiry follows the fake's clock: a token of TTL 1h is now expired

	fake.Fail(clerktest.EndpointVerifyAPIKey, 503)            // Clerk unreachable: your handler should answer 503
	n := fake.Requests(clerktest.EndpointVerifyM2MToken)      // did a cache save a round trip?
	release := fake.Block(clerktest.EndpointVerifyOAuthToken) // line up concurrent requests
	release()
	fmt.Println(n, fake.Requests(clerktest.EndpointVerifyOAuthToken))
	for _, tok := range []string{key.Token, m2m.Token, oat.Token} {
		if _, err := client.VerifyMachineToken(context.Background(), tok, core.AnyToken); err != nil {
			fmt.Println(core.FailureOf(err).Status, core.FailureOf(err).Reason)
		} else {
			fmt.Println("verified")
		}
	}
	// Output:
	// api_key [invoices:read]
	// m2m_token 0
	// oauth_token 0
	// m2m_token 2
	// oauth_token 2
	// 1 1
	// 503 token-verification-unavailable
	// 401 token-expired
	// verified
}
