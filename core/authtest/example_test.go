package authtest_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/clerkgo/clerk/core"
	"github.com/clerkgo/clerk/core/authtest"
)

// A target's handlers answer with the Identity of the request: what the
// adapter's getters and the request context report.
func ExampleIdentify() {
	session := &core.Claims{Subject: "user_123"}
	auth := &core.Auth{Kind: core.SessionToken, Subject: "user_123", Session: session}
	ctx := core.WithAuth(context.Background(), auth)
	// With FetchUser(false) the adapter's User getter returns nil.
	fmt.Printf("%s\n", authtest.Identify(ctx, auth, nil, session).JSON())
	// Output:
	// {"user_id":"","session_sub":"user_123","kind":"session_token","subject":"user_123","ctx_user_id":"","ctx_session_sub":"user_123","ctx_kind":"session_token","ctx_subject":"user_123"}
}

// The error handler that Setup.CustomErrors asks for answers
// CustomErrorStatus with CustomErrorBody.
func ExampleCustomErrorBody() {
	err := &core.Error{Reason: core.ReasonTokenExpired}
	fmt.Println(authtest.CustomErrorStatus, string(authtest.CustomErrorBody(err)))
	fmt.Println(string(authtest.CustomErrorBody(errors.New("not a clerk error"))))
	// Output:
	// 418 {"custom":"token-expired"}
	// {"custom":""}
}

// The fake Clerk and the client under test share a manual clock, so tests
// can let tokens expire or cooldowns pass without sleeping.
func ExampleClock() {
	c := authtest.NewClock(time.Date(2026, 5, 12, 9, 0, 0, 0, time.UTC))
	c.Advance(31 * time.Second)
	fmt.Println(c.Now().Format(time.TimeOnly))
	// Output:
	// 09:00:31
}
