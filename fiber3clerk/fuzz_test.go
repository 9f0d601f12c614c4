package fiber3clerk_test

import (
	"encoding/json"
	"testing"

	"github.com/gofiber/fiber/v3"
	"github.com/valyala/fasthttp"

	"github.com/clerkgo/clerk/core"
	"github.com/clerkgo/clerk/core/authtest"
	"github.com/clerkgo/clerk/core/clerktest"
	"github.com/clerkgo/clerk/fiber3clerk"
)

// FuzzHeaders sends arbitrary Authorization and Cookie values through
// the real router (the app's fasthttp handler, so that any bytes reach it
// unfiltered by an HTTP client), to a plain route and to one behind
// Require: no panic, and only the statuses of the failure contract. The
// seeds are the contract suite's plus a token that passes Require.
func FuzzHeaders(f *testing.F) {
	fk := authtest.NewFake(f)
	app := fiber.New()
	app.Use(fiber3clerk.Middleware(fiber3clerk.WithClient(fk.Client)))
	app.Get("/protected", identify)
	app.Get("/admin", fiber3clerk.Require(core.Role("org:admin")), identify)
	handler := app.Handler()
	authtest.AddFuzzSeeds(f, fk)
	f.Add("Bearer "+fk.Server.Token(clerktest.WithOrgMembership("org_1", "acme", "admin")), "")
	f.Fuzz(func(t *testing.T, authorization, cookie string) {
		for _, path := range []string{"/protected", "/admin"} {
			var ctx fasthttp.RequestCtx
			ctx.Request.Header.SetMethod(fasthttp.MethodGet)
			ctx.Request.SetRequestURI(path)
			ctx.Request.Header.Set(fasthttp.HeaderAuthorization, authorization)
			ctx.Request.Header.Set(fasthttp.HeaderCookie, cookie)
			handler(&ctx)
			status, body := ctx.Response.StatusCode(), ctx.Response.Body()
			switch status {
			case 200:
			case 401, 403, 503:
				var b struct{ Reason string }
				if err := json.Unmarshal(body, &b); err != nil || b.Reason == "" {
					t.Fatalf("%s: status %d with body %q", path, status, body)
				}
			default:
				t.Fatalf("%s: status %d (body %q)", path, status, body)
			}
		}
	})
}
