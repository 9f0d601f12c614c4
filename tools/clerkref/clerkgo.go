package clerkref

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/clerkgo/clerk/core"
)

// clerkgoOutcome is clerkgo's verdict on a case, through the public core API
// only. It is the one place that knows that API: when it changes (a
// machine-token path, new reasons), this function follows.
//
// Each case gets its own client, so no verified-token cache carries over
// between cases.
func clerkgoOutcome(ctx context.Context, e *env, tc testCase) outcome {
	c, err := core.New(core.Config{
		JWTKey:            e.pem,
		PublishableKey:    e.publishableKey,
		SecretKey:         secretKey,
		APIURL:            closedLoopback,
		AuthorizedParties: tc.AuthorizedParties,
		Now:               func() time.Time { return e.now },
	})
	if err != nil {
		return outcome{Reason: "config-error: " + err.Error()}
	}
	defer c.Close()

	var claims *core.Claims
	switch tc.Mode {
	case "verifyToken":
		claims, err = c.VerifyToken(ctx, tc.Token)
	default:
		claims, err = authenticate(ctx, c, tc)
	}
	if err != nil {
		r := string(core.ReasonOf(err))
		if r == "" {
			r = "error: " + err.Error()
		}
		return outcome{Reason: r}
	}
	o := outcome{Accepted: true, Sub: claims.Subject, Sid: claims.SessionID}
	if org := claims.Org; org != nil {
		o.OrgID, o.OrgSlug, o.OrgRole = org.ID, org.Slug, org.Role
		o.OrgPermissions = append([]string(nil), org.Permissions...)
	}
	return o
}

// authenticate sends a request with the case's headers through the
// Authenticator, the one request entry point (the user fetch off).
func authenticate(ctx context.Context, c *core.Client, tc testCase) (*core.Claims, error) {
	a, err := core.NewAuthenticator(core.Options{Client: c, SkipUserFetch: true})
	if err != nil {
		return nil, err
	}
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	if tc.Authorization != "" {
		r.Header.Set("Authorization", tc.Authorization)
	}
	if len(tc.Cookies) > 0 {
		r.Header.Set("Cookie", strings.Join(tc.Cookies, "; "))
	}
	auth, err := a.Authenticate(ctx, core.HTTPRequest(r))
	if err != nil {
		return nil, err
	}
	return auth.Session, nil
}
