package fiberclerk_test

import (
	"encoding/json"
	"strconv"
	"testing"
	"time"

	"github.com/clerkgo/clerk/core/clerktest"
	"github.com/clerkgo/clerk/fiberclerk"
	"github.com/valyala/fasthttp"
)

// FuzzMiddleware sends arbitrary Authorization and Cookie values through
// the real router (the app's fasthttp handler, so that any bytes reach it
// unfiltered by an HTTP client), to a plain route and to one behind
// Require: no panic, and only the statuses of the failure contract.
func FuzzMiddleware(f *testing.F) {
	fk := newFake(f)
	handler := newApp(f, fiberclerk.WithClient(fk.c)).Handler()
	tok := fk.s.Token()
	admin := fk.s.Token(clerktest.WithOrgMembership("org_1", "acme", "admin"))
	uat := strconv.FormatInt(fk.clock.Now().Unix(), 10)
	for _, seed := range [][2]string{
		{"", ""},
		{"Bearer " + tok, ""},
		{"bearer  " + admin + " ", ""},
		{tok, ""},
		{"", "__session=" + tok},
		{"", `__session="` + admin + `"; __client_uat=` + uat},
		{"", "__session=" + tok + "; __client_uat=0"},
		{"Basic dXNlcjpwYXNz", "__session=" + tok},
		{"Bearer garbage", "__session=" + tok},
		{"Bearer " + fk.s.Token(clerktest.WithTTL(-time.Minute)), ""},
		{"Bearer " + fk.s.Token(clerktest.WithHeader("alg", "none")), ""},
		{"Bearer a.b.c", ";;=;__session"},
		{"Bearer", "__session="},
	} {
		f.Add(seed[0], seed[1])
	}
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
