package fiberclerk_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/clerkgo/clerk/core"
	"github.com/clerkgo/clerk/core/clerktest"
	"github.com/clerkgo/clerk/fiberclerk"
	"github.com/gofiber/fiber/v2"
)

func customErrors(c *fiber.Ctx, err error) error {
	return c.Status(http.StatusTeapot).JSON(fiber.Map{"custom": string(core.ReasonOf(err))})
}

func skipPrefix(c *fiber.Ctx) bool { return strings.HasPrefix(c.Path(), "/skip/") }

// TestMiddleware covers what the shared contract (TestContract) does not:
// choices of this adapter and of its options.
func TestMiddleware(t *testing.T) {
	type request struct {
		path   string
		header http.Header
	}
	// want describes the answer. For 200, signedIn tells whether the
	// identity is the default user's; for failures challenge and reason
	// are checked.
	type want struct {
		status    int
		signedIn  bool
		challenge string
		reason    string
		custom    string // reason in the custom error body
	}
	tests := []struct {
		name      string
		opts      []fiberclerk.Option
		prepare   func(f *fake) request
		want      want
		userCalls int // expected user fetches
	}{

		{
			name:    "optional: Require() needs a session",
			opts:    []fiberclerk.Option{fiberclerk.Optional(true)},
			prepare: func(f *fake) request { return request{"/signed-in", nil} },
			want:    want{status: 401, challenge: "Bearer", reason: "token-missing"},
		},

		{
			name:    "Require uses the error handler on a skipped request",
			opts:    []fiberclerk.Option{fiberclerk.ErrorHandler(customErrors), fiberclerk.Next(func(*fiber.Ctx) bool { return true })},
			prepare: func(f *fake) request { return request{"/admin", nil} },
			want:    want{status: 418, custom: "token-missing"},
		},
		{
			name:      "skipped request does not even verify a token",
			opts:      []fiberclerk.Option{fiberclerk.Next(skipPrefix)},
			prepare:   func(f *fake) request { return request{"/skip/ping", bearer(f.s.Token())} },
			want:      want{status: 200},
			userCalls: 0,
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
				}
				if got := r.identity(t); got != id {
					t.Errorf("identity %+v, want %+v", got, id)
				}
			default:
				checkFailure(t, r, tt.want.status, tt.want.challenge, tt.want.reason)
			}
			if n := f.s.Requests(clerktest.EndpointGetUser); n != tt.userCalls {
				t.Errorf("%d user fetches, want %d", n, tt.userCalls)
			}
			if tok := req.header.Get("Authorization"); contains(r.body, strings.TrimPrefix(tok, "Bearer ")) {
				t.Errorf("body %q echoes the token", r.body)
			}
		})
	}
}
