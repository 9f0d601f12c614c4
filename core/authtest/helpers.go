package authtest

import (
	"context"
	"crypto/rsa"
	"encoding/json"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/clerkgo/clerk/core"
	"github.com/clerkgo/clerk/core/clerktest"
)

// Epoch is the time every [Clock] made by [NewFake] starts at.
var Epoch = time.Date(2026, time.May, 12, 9, 0, 0, 0, time.UTC)

// Clock is a manual clock for the fake Clerk and the client under test. It
// only moves when Advance is called. It is safe for concurrent use.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a clock reading t.
func NewClock(t time.Time) *Clock { return &Clock{now: t} }

// Now returns the clock's reading. Pass the method value c.Now as a clock.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// keys are RSA keys shared by every fake of the test binary: generating
// them is slow, notably under -race. keys[0] signs, keys[1] is a key the
// fakes never serve (for wrong-signature tokens).
var keys = sync.OnceValue(func() [2]*rsa.PrivateKey {
	return [2]*rsa.PrivateKey{clerktest.GenerateKey(), clerktest.GenerateKey()}
})

// Fake is a fake Clerk on an injected clock and a client configured for it,
// the way the contract suite runs every row.
type Fake struct {
	// Server is the fake Clerk.
	Server *clerktest.Server
	// Client verifies against Server: SecretKey, APIURL and ProxyURL point
	// at it, Now is Clock.Now, and failed calls are never retried.
	Client *core.Client
	// Clock drives both Server and Client. It starts at [Epoch].
	Clock *Clock
}

// NewFake starts a fake Clerk and builds a client for it. Both are closed
// when tb's test ends. Each tune function, if any, adjusts the client's
// configuration before it is built. It fails tb if the client cannot be
// built.
func NewFake(tb testing.TB, tune ...func(*core.Config)) *Fake {
	tb.Helper()
	return newFake(tb, nil, func(_ *clerktest.Server, cfg *core.Config) {
		for _, fn := range tune {
			fn(cfg)
		}
	})
}

// newFake is [NewFake] with options for the fake, and a tune function
// that can read the started server (its URL, its publishable key) before
// the client is built.
func newFake(tb testing.TB, opts []clerktest.Option, tune func(*clerktest.Server, *core.Config)) *Fake {
	tb.Helper()
	clock := NewClock(Epoch)
	s := clerktest.New(append([]clerktest.Option{clerktest.WithClock(clock.Now), clerktest.WithKey(keys()[0])}, opts...)...)
	tb.Cleanup(s.Close)
	cfg := core.Config{
		SecretKey:  s.SecretKey(),
		APIURL:     s.URL,
		ProxyURL:   s.URL,
		HTTPClient: s.Client(),
		Now:        clock.Now,
		MaxRetries: -1,
	}
	if tune != nil {
		tune(s, &cfg)
	}
	c, err := core.New(cfg)
	if err != nil {
		tb.Fatalf("authtest: core.New: %v", err)
	}
	tb.Cleanup(func() { _ = c.Close() })
	return &Fake{Server: s, Client: c, Clock: clock}
}

// newPageFake is the fake of a BrowserPages row: a production instance
// (no development browser to sync), and a client with the fake's
// publishable key and its sign-in page; ProxyURL already sends handshakes
// to the fake.
func newPageFake(tb testing.TB) *Fake {
	tb.Helper()
	return newFake(tb, []clerktest.Option{clerktest.WithProductionInstance()}, func(s *clerktest.Server, cfg *core.Config) {
		cfg.PublishableKey = s.PublishableKey()
		cfg.SignInURL = s.URL + "/sign-in"
	})
}

// SatelliteSignIn is the primary domain's sign-in page of a Satellite
// row's client.
const SatelliteSignIn = "https://primary.example/sign-in"

// newSatelliteFake is newPageFake for a production satellite: the
// primary's sign-in page is on another origin, as Clerk requires.
func newSatelliteFake(tb testing.TB) *Fake {
	tb.Helper()
	return newFake(tb, []clerktest.Option{clerktest.WithProductionInstance()}, func(s *clerktest.Server, cfg *core.Config) {
		cfg.PublishableKey = s.PublishableKey()
		cfg.IsSatellite = true
		cfg.SignInURL = SatelliteSignIn
	})
}

// Identity is the JSON body the targets' handlers answer with (see
// [Target]): what the adapter's getters and the request context say about
// the request. Fields are "" when absent.
type Identity struct {
	UserID        string `json:"user_id"`
	SessionSub    string `json:"session_sub"`
	Kind          string `json:"kind"`
	Subject       string `json:"subject"`
	CtxUserID     string `json:"ctx_user_id"`
	CtxSessionSub string `json:"ctx_session_sub"`
	CtxKind       string `json:"ctx_kind"`
	CtxSubject    string `json:"ctx_subject"`
}

// Identify builds the Identity of a request from the adapter's getters
// (auth, user, session) and the request's context ctx.
func Identify(ctx context.Context, auth *core.Auth, user *core.User, session *core.Claims) Identity {
	var id Identity
	if user != nil {
		id.UserID = user.ID
	}
	if session != nil {
		id.SessionSub = session.Subject
	}
	if auth != nil {
		id.Kind, id.Subject = string(auth.Kind), auth.Subject
	}
	if u := core.UserFromContext(ctx); u != nil {
		id.CtxUserID = u.ID
	}
	if s := core.SessionFromContext(ctx); s != nil {
		id.CtxSessionSub = s.Subject
	}
	if a := core.AuthFromContext(ctx); a != nil {
		id.CtxKind, id.CtxSubject = string(a.Kind), a.Subject
	}
	return id
}

// JSON returns the identity as the JSON body handlers answer.
func (id Identity) JSON() []byte {
	b, _ := json.Marshal(id) // strings only: cannot fail
	return b
}

// CustomErrorStatus is the status the error handler installed for
// Setup.CustomErrors answers with.
const CustomErrorStatus = http.StatusTeapot

// CustomErrorBody is the JSON body the error handler installed for
// Setup.CustomErrors answers with: {"custom":"<core.ReasonOf(err)>"}.
func CustomErrorBody(err error) []byte {
	return []byte(`{"custom":` + strconv.Quote(string(core.ReasonOf(err))) + `}`)
}

// AddFuzzSeeds adds (authorization, cookie) header pairs to a fuzz target
// over two strings: valid header and cookie tokens of fk, tokens that fail
// in various ways, and odd shapes of both headers.
func AddFuzzSeeds(f *testing.F, fk *Fake) {
	tok := fk.Server.Token()
	expired := fk.Server.Token(clerktest.WithTTL(-time.Minute))
	none := fk.Server.Token(clerktest.WithHeader("alg", "none"))
	uat := strconv.FormatInt(fk.Clock.Now().Unix(), 10)
	for _, s := range [][2]string{
		{"", ""},
		{"Bearer " + tok, ""},
		{"bearer  " + tok + " ", ""},
		{tok, ""},
		{"", "__session=" + tok},
		{"", "__session=" + tok + "; __client_uat=" + strconv.FormatInt(fk.Clock.Now().Add(-time.Hour).Unix(), 10)},
		{"", `__session="` + tok + `"; __client_uat=` + uat},
		{"", "__session=" + tok + "; __client_uat=0"},
		{"Basic dXNlcjpwYXNz", "__session=" + tok},
		{"Bearer garbage", "__session=" + tok},
		{"Bearer " + expired, ""},
		{"Bearer " + none, ""},
		{"Bearer a.b.c", ";;=;__session"},
		{"Bearer", "__session="},
	} {
		f.Add(s[0], s[1])
	}
}
