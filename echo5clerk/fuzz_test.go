package echo5clerk_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/labstack/echo/v5"

	"github.com/clerkgo/clerk/core"
	"github.com/clerkgo/clerk/core/authtest"
	"github.com/clerkgo/clerk/core/clerktest"
	"github.com/clerkgo/clerk/echo5clerk"
)

// FuzzHeaders sends arbitrary Authorization and Cookie values through
// the real router, to a plain route and to one behind Require: no panic,
// and only the statuses of the failure contract. The seeds are the contract
// suite's plus a token that passes Require.
func FuzzHeaders(f *testing.F) {
	fk := authtest.NewFake(f)
	e := echo.New()
	e.Use(echo5clerk.Middleware(echo5clerk.WithClient(fk.Client)))
	e.GET("/protected", identify)
	e.GET("/admin", identify, echo5clerk.Require(core.Role("org:admin")))
	authtest.AddFuzzSeeds(f, fk)
	f.Add("Bearer "+fk.Server.Token(clerktest.WithOrgMembership("org_1", "acme", "admin")), "")
	f.Fuzz(func(t *testing.T, authorization, cookie string) {
		for _, path := range []string{"/protected", "/admin"} {
			req := httptest.NewRequest(http.MethodGet, path, nil)
			req.Header.Set("Authorization", authorization)
			req.Header.Set("Cookie", cookie)
			rec := httptest.NewRecorder()
			e.ServeHTTP(rec, req)
			switch rec.Code {
			case 200:
			case 401, 403, 503:
				var body struct{ Reason string }
				if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || body.Reason == "" {
					t.Fatalf("%s: status %d with body %q", path, rec.Code, rec.Body)
				}
			default:
				t.Fatalf("%s: status %d (body %q)", path, rec.Code, rec.Body)
			}
		}
	})
}
