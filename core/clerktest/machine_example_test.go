package clerktest_test

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/clerkgo/clerk/core/bapi"
	"github.com/clerkgo/clerk/core/clerktest"
)

// A test mints machine tokens of each kind and lets the code under test
// verify them at the fake's Backend API (here with the bapi client), or, for
// the JWT forms, against the fake's JWKS.
func ExampleServer_NewAPIKey() {
	now := time.Date(2026, 5, 12, 12, 0, 0, 0, time.UTC)
	s := clerktest.New(clerktest.WithClock(func() time.Time { return now }))
	defer s.Close()

	key := s.NewAPIKey(clerktest.MachineTokenParams{Name: "ci", Scopes: []string{"read"}})
	m2m := s.NewM2MToken(clerktest.MachineTokenParams{Scopes: []string{s.MachineID()}})
	jwt := s.NewOAuthJWT(clerktest.MachineTokenParams{Scopes: []string{"profile"}})
	fmt.Println(strings.HasPrefix(key.Token, "ak_"), strings.HasPrefix(m2m.Token, "mt_"), strings.Count(jwt.Token, "."))

	c, err := bapi.NewClient(s.SecretKey(), bapi.WithBaseURL(s.URL), bapi.WithHTTPClient(s.Client()))
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	k, _, err := c.APIKeys.Verify(ctx, &bapi.VerifyAPIKeyParams{Secret: key.Token})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(k.Object, k.Name, k.Scopes, k.Subject == s.DefaultUserID(), k.CreatedAt == float64(now.UnixMilli()))

	s.RevokeMachineToken(m2m.Token)
	m, _, _ := c.M2MTokens.Verify(ctx, &bapi.VerifyM2MTokenParams{Token: m2m.Token})
	fmt.Println(m.Object, m.Revoked, *m.RevocationReason)

	_, _, err = c.APIKeys.Verify(ctx, &bapi.VerifyAPIKeyParams{Secret: m2m.Token})
	fmt.Println(bapi.IsNotFound(err), s.Requests(clerktest.EndpointVerifyAPIKey))

	// Output:
	// true true 2
	// api_key ci [read] true true
	// machine_to_machine_token true Revoked by clerktest
	// true 2
}
