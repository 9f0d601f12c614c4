package echoclerk_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/clerkgo/clerk/core/clerktest"
	"github.com/clerkgo/clerk/echoclerk"
)

// FuzzMiddleware sends arbitrary Authorization and Cookie values through
// the real router, to a plain route and to one behind Require: no panic,
// and only the statuses of the failure contract.
func FuzzMiddleware(f *testing.F) {
	fk := newFake(f)
	e := newApp(f, echoclerk.WithClient(fk.c))
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
