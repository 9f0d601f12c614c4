package fiberclerk_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/clerkgo/clerk/core"
	"github.com/clerkgo/clerk/core/clerktest"
	"github.com/clerkgo/clerk/fiberclerk"
	"github.com/gofiber/fiber/v2"
)

func customErrors(c *fiber.Ctx, err error) error {
	return c.Status(http.StatusTeapot).JSON(fiber.Map{"custom": string(core.ReasonOf(err))})
}

func skipPrefix(c *fiber.Ctx) bool { return strings.HasPrefix(c.Path(), "/skip/") }

func TestMiddleware(t *testing.T) {
	type request struct {
		path   string
		header http.Header
	}
	// want describes the answer. For 200, signedIn tells whether the
	// identity is the default user's (with the user when fetched); for
	// failures challenge and reason are checked.
	type want struct {
		status    int
		signedIn  bool
		noUser    bool // signed in, but no user (FetchUser(false))
		challenge string
		reason    string
		custom    string // reason in the custom error body
	}
	tests := []struct {
		name      string
		opts      []fiberclerk.Option
		prepare   func(f *fake) request
		want      want
		userCalls int // expected user fetches; -1: not checked
	}{
		{
			name:      "header token",
			prepare:   func(f *fake) request { return request{"/protected", bearer(f.s.Token())} },
			want:      want{status: 200, signedIn: true},
			userCalls: 1,
		},
		{
			name: "bare header token",
			prepare: func(f *fake) request {
				return request{"/protected", http.Header{"Authorization": {f.s.Token()}}}
			},
			want:      want{status: 200, signedIn: true},
			userCalls: 1,
		},
		{
			name:      "cookie token",
			prepare:   func(f *fake) request { return request{"/protected", cookies("a=1; __session=" + f.s.Token())} },
			want:      want{status: 200, signedIn: true},
			userCalls: 1,
		},
		{
			name: "cookie token in a second Cookie line",
			prepare: func(f *fake) request {
				return request{"/protected", cookies("a=1", "__session="+f.s.Token())}
			},
			want:      want{status: 200, signedIn: true},
			userCalls: 1,
		},
		{
			name:      "custom session key",
			opts:      []fiberclerk.Option{fiberclerk.SessionKey("__app")},
			prepare:   func(f *fake) request { return request{"/protected", cookies("__app=" + f.s.Token())} },
			want:      want{status: 200, signedIn: true},
			userCalls: 1,
		},
		{
			name:      "custom session key ignores __session",
			opts:      []fiberclerk.Option{fiberclerk.SessionKey("__app")},
			prepare:   func(f *fake) request { return request{"/protected", cookies("__session=" + f.s.Token())} },
			want:      want{status: 401, challenge: "Bearer", reason: "token-missing"},
			userCalls: 0,
		},
		{
			name:      "no credentials",
			prepare:   func(f *fake) request { return request{"/protected", nil} },
			want:      want{status: 401, challenge: "Bearer", reason: "token-missing"},
			userCalls: 0,
		},
		{
			name: "basic scheme is no credentials",
			prepare: func(f *fake) request {
				return request{"/protected", http.Header{"Authorization": {"Basic dXNlcjpwYXNz"}}}
			},
			want: want{status: 401, challenge: "Bearer", reason: "token-missing"},
		},
		{
			name:    "malformed token",
			prepare: func(f *fake) request { return request{"/protected", bearer("garbage")} },
			want:    want{status: 401, challenge: `Bearer error="invalid_token"`, reason: "token-malformed"},
		},
		{
			name: "expired token",
			prepare: func(f *fake) request {
				return request{"/protected", bearer(f.s.Token(clerktest.WithTTL(-time.Minute)))}
			},
			want:      want{status: 401, challenge: `Bearer error="invalid_token"`, reason: "token-expired"},
			userCalls: 0,
		},
		{
			name: "bad header token does not fall back to the cookie",
			prepare: func(f *fake) request {
				h := bearer("garbage")
				h.Set("Cookie", "__session="+f.s.Token())
				return request{"/protected", h}
			},
			want: want{status: 401, challenge: `Bearer error="invalid_token"`, reason: "token-malformed"},
		},
		{
			name:      "FetchUser(false) makes no user call",
			opts:      []fiberclerk.Option{fiberclerk.FetchUser(false)},
			prepare:   func(f *fake) request { return request{"/protected", bearer(f.s.Token())} },
			want:      want{status: 200, signedIn: true, noUser: true},
			userCalls: 0,
		},
		{
			name: "deleted user is 401",
			prepare: func(f *fake) request {
				f.s.DeleteUser(f.s.DefaultUserID())
				return request{"/protected", bearer(f.s.Token())}
			},
			want:      want{status: 401, challenge: `Bearer error="invalid_token"`, reason: "user-not-found"},
			userCalls: 1,
		},
		{
			name: "user fetch failing upstream is 503",
			prepare: func(f *fake) request {
				f.s.Fail(clerktest.EndpointGetUser, http.StatusServiceUnavailable)
				return request{"/protected", bearer(f.s.Token())}
			},
			want:      want{status: 503, reason: "user-fetch-failed"},
			userCalls: 1,
		},
		{
			name: "key set unreachable is 503",
			prepare: func(f *fake) request {
				f.s.Fail(clerktest.EndpointJWKS, http.StatusServiceUnavailable)
				return request{"/protected", bearer(f.s.Token())}
			},
			want: want{status: 503, reason: "jwks-unavailable"},
		},
		{
			name:    "optional: no credentials pass signed out",
			opts:    []fiberclerk.Option{fiberclerk.Optional(true)},
			prepare: func(f *fake) request { return request{"/protected", nil} },
			want:    want{status: 200},
		},
		{
			name:    "optional: invalid token passes signed out",
			opts:    []fiberclerk.Option{fiberclerk.Optional(true)},
			prepare: func(f *fake) request { return request{"/protected", bearer("garbage")} },
			want:    want{status: 200},
		},
		{
			name:      "optional: valid token signs in",
			opts:      []fiberclerk.Option{fiberclerk.Optional(true)},
			prepare:   func(f *fake) request { return request{"/protected", bearer(f.s.Token())} },
			want:      want{status: 200, signedIn: true},
			userCalls: 1,
		},
		{
			name: "optional: key set unreachable is still 503",
			opts: []fiberclerk.Option{fiberclerk.Optional(true)},
			prepare: func(f *fake) request {
				f.s.Fail(clerktest.EndpointJWKS, http.StatusServiceUnavailable)
				return request{"/protected", bearer(f.s.Token())}
			},
			want: want{status: 503, reason: "jwks-unavailable"},
		},
		{
			name:    "optional: Require() needs a session",
			opts:    []fiberclerk.Option{fiberclerk.Optional(true)},
			prepare: func(f *fake) request { return request{"/signed-in", nil} },
			want:    want{status: 401, challenge: "Bearer", reason: "token-missing"},
		},
		{
			name: "Require passes",
			prepare: func(f *fake) request {
				return request{"/admin", bearer(f.s.Token(clerktest.WithOrgMembership("org_1", "acme", "admin")))}
			},
			want:      want{status: 200, signedIn: true},
			userCalls: 1,
		},
		{
			name: "Require fails with 403",
			prepare: func(f *fake) request {
				return request{"/admin", bearer(f.s.Token(clerktest.WithOrgMembership("org_1", "acme", "member")))}
			},
			want:      want{status: 403, challenge: `Bearer error="insufficient_scope"`, reason: "missing-role"},
			userCalls: 1,
		},
		{
			name:    "error handler on a missing token",
			opts:    []fiberclerk.Option{fiberclerk.ErrorHandler(customErrors)},
			prepare: func(f *fake) request { return request{"/protected", nil} },
			want:    want{status: 418, custom: "token-missing"},
		},
		{
			name: "error handler on a user fetch failure",
			opts: []fiberclerk.Option{fiberclerk.ErrorHandler(customErrors)},
			prepare: func(f *fake) request {
				f.s.Fail(clerktest.EndpointGetUser, http.StatusInternalServerError)
				return request{"/protected", bearer(f.s.Token())}
			},
			want:      want{status: 418, custom: "user-fetch-failed"},
			userCalls: 1,
		},
		{
			name: "Require uses the middleware's error handler",
			opts: []fiberclerk.Option{fiberclerk.ErrorHandler(customErrors)},
			prepare: func(f *fake) request {
				return request{"/admin", bearer(f.s.Token(clerktest.WithOrgMembership("org_1", "acme", "member")))}
			},
			want:      want{status: 418, custom: "missing-role"},
			userCalls: 1,
		},
		{
			name:    "Require uses the error handler on a skipped request",
			opts:    []fiberclerk.Option{fiberclerk.ErrorHandler(customErrors), fiberclerk.Next(func(*fiber.Ctx) bool { return true })},
			prepare: func(f *fake) request { return request{"/admin", nil} },
			want:    want{status: 418, custom: "token-missing"},
		},
		{
			name:    "skipped request passes unauthenticated",
			opts:    []fiberclerk.Option{fiberclerk.Next(skipPrefix)},
			prepare: func(f *fake) request { return request{"/skip/ping", nil} },
			want:    want{status: 200},
		},
		{
			name:      "skipped request does not even verify a token",
			opts:      []fiberclerk.Option{fiberclerk.Next(skipPrefix)},
			prepare:   func(f *fake) request { return request{"/skip/ping", bearer(f.s.Token())} },
			want:      want{status: 200},
			userCalls: 0,
		},
		{
			name:    "Next does not skip other paths",
			opts:    []fiberclerk.Option{fiberclerk.Next(skipPrefix)},
			prepare: func(f *fake) request { return request{"/protected", nil} },
			want:    want{status: 401, challenge: "Bearer", reason: "token-missing"},
		},
		{
			name:      "nil options are the defaults",
			opts:      []fiberclerk.Option{nil, fiberclerk.Next(nil), fiberclerk.ErrorHandler(nil)},
			prepare:   func(f *fake) request { return request{"/protected", nil} },
			want:      want{status: 401, challenge: "Bearer", reason: "token-missing"},
			userCalls: 0,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFake(t)
			app := newApp(t, append([]fiberclerk.Option{fiberclerk.WithClient(f.c)}, tt.opts...)...)
			req := tt.prepare(f)
			r := serve(app, req.path, req.header)
			switch {
			case tt.want.custom != "":
				if r.status != tt.want.status || r.body != fmt.Sprintf(`{"custom":%q}`, tt.want.custom) {
					t.Fatalf("got %d %q, want %d custom %q", r.status, r.body, tt.want.status, tt.want.custom)
				}
			case tt.want.status == http.StatusOK:
				if r.status != http.StatusOK {
					t.Fatalf("status %d, want 200 (body %s)", r.status, r.body)
				}
				var id identity
				if tt.want.signedIn {
					sub := f.s.DefaultUserID()
					id = identity{UserID: sub, SessionSub: sub, CtxUserID: sub, CtxSessionSub: sub}
					if tt.want.noUser {
						id.UserID, id.CtxUserID = "", ""
					}
				}
				if got := r.identity(t); got != id {
					t.Errorf("identity %+v, want %+v", got, id)
				}
			default:
				checkFailure(t, r, tt.want.status, tt.want.challenge, tt.want.reason)
			}
			if tt.userCalls >= 0 {
				if n := f.s.Requests(clerktest.EndpointGetUser); n != tt.userCalls {
					t.Errorf("%d user fetches, want %d", n, tt.userCalls)
				}
			}
			if tok := req.header.Get("Authorization"); contains(r.body, strings.TrimPrefix(tok, "Bearer ")) {
				t.Errorf("body %q echoes the token", r.body)
			}
		})
	}
}
