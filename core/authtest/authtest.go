// Package authtest is the contract suite of the clerkgo framework adapters
// (ginclerk, echoclerk, chiclerk, fiberclerk): one table of requests and
// expected answers, written once and run by each adapter's tests against its
// real router and a fake Clerk ([github.com/clerkgo/clerk/core/clerktest]).
//
// An adapter's test describes how to build its router for a [Setup] and
// hands that to [Run]:
//
//	func TestContract(t *testing.T) {
//		authtest.Run(t, authtest.Target{Name: "chi", Build: build})
//	}
//
// Every row checks the status, the WWW-Authenticate header (exactly), the
// JSON body (its "reason", or the handler's [Identity]), whether the
// downstream handler ran, and that neither the token nor the secret key
// appears anywhere in the response.
//
// The package uses only the standard library, core and clerktest.
package authtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/clerkgo/clerk/core"
	"github.com/clerkgo/clerk/core/clerktest"
)

// Setup is the configuration of the middleware under test for one row.
type Setup struct {
	// Client is the client to pass with WithClient.
	Client *core.Client
	// FetchUser is the FetchUser option.
	FetchUser bool
	// SessionKey is the SessionKey option; "" leaves it unset (default).
	SessionKey string
	// Optional is the Optional option.
	Optional bool
	// Check, when non-nil, makes GET /protected also run Require(Check)
	// after the middleware.
	Check core.Check
	// CustomErrors installs an ErrorHandler answering [CustomErrorStatus]
	// with [CustomErrorBody] (JSON {"custom":"<core.ReasonOf(err)>"}).
	CustomErrors bool
	// SkipPrefix, when non-empty (and Target.SupportsSkip), makes requests
	// whose path has this prefix skip authentication, with the framework's
	// skip convention (echo Skipper, fiber Next).
	SkipPrefix string
}

// Target is an adapter under test.
type Target struct {
	// Name names the adapter in failure messages.
	Name string
	// SupportsSkip is true for adapters with a skip option (echo Skipper,
	// fiber Next); rows about skipping are skipped otherwise.
	SupportsSkip bool
	// Build returns a function that serves one request through the
	// adapter's REAL router (gin engine, echo.Echo, chi.Mux, fiber.App via
	// app.Test) configured per s. Routes: GET /protected and GET /skip/ping,
	// both behind the middleware (and Require(s.Check) on /protected when
	// s.Check != nil). Both handlers answer 200 with the JSON of [Identify]
	// (see [Identity]): the adapter's User and Session getters and the
	// request context. The returned function must be safe for concurrent
	// use.
	Build func(t *testing.T, s Setup) func(*http.Request) (*http.Response, error)

	// Package is the adapter's package name ("chiclerk"): its Middleware
	// panics with "<Package>: invalid configuration: <error>".
	Package string
	// New calls the adapter's New with the options of s (WithClient,
	// FetchUser, SessionKey; a nil s.Client builds the client from the
	// environment) and returns its error. Middleware does the same through
	// the adapter's Middleware, which panics on a bad configuration. When
	// New is set, Run also checks configuration errors: each surfaces at
	// construction, names the setting at fault and shows no secret.
	New        func(s Setup) error
	Middleware func(s Setup)
}

// Run runs every row of the contract against the target, each row with a
// fresh fake Clerk (core/clerktest) and a client on an injected clock.
func Run(t *testing.T, target Target) {
	t.Helper()
	if target.Build == nil {
		t.Fatal("authtest: Target.Build is nil")
	}
	for _, r := range rows() {
		t.Run(r.name, func(t *testing.T) {
			if r.setup.SkipPrefix != "" && !target.SupportsSkip {
				t.Skipf("%s has no skip option", target.Name)
			}
			e := newEnv(t, target, r.setup)
			if r.arrange != nil {
				r.arrange(e)
			}
			for i, st := range r.steps {
				if st.before != nil {
					st.before(e)
				}
				e.check(fmt.Sprintf("step %d", i+1), st.req(e), st.want)
			}
			if r.after != nil {
				r.after(e)
			}
		})
	}
	t.Run("concurrent requests share one user fetch", func(t *testing.T) {
		testConcurrentUserFetch(t, target)
	})
	t.Run("concurrent requests of many users", func(t *testing.T) {
		testConcurrentUsers(t, target)
	})
	t.Run("two instances share nothing", func(t *testing.T) {
		testTenants(t, target)
	})
	if target.New != nil {
		t.Run("configuration", func(t *testing.T) { runConfig(t, target) })
	}
}

// env is one row's world: a fake Clerk, a client and the target's router.
type env struct {
	t *testing.T
	*Fake
	userID string
	serve  func(*http.Request) (*http.Response, error)
}

func newEnv(t *testing.T, target Target, s Setup) *env {
	f := NewFake(t)
	s.Client = f.Client
	serve := target.Build(t, s)
	if serve == nil {
		t.Fatalf("%s: Build returned nil", target.Name)
	}
	return &env{t: t, Fake: f, userID: f.Server.DefaultUserID(), serve: serve}
}

// token mints a session token on the fake's clock.
func (e *env) token(opts ...clerktest.TokenOption) string { return e.Server.Token(opts...) }

// request is what a step sends.
type request struct {
	path    string   // default "/protected"
	auth    string   // Authorization header; "" for none
	cookies []string // one Cookie header each
}

// want is what a step expects.
type want struct {
	status int
	www    string      // exact WWW-Authenticate; "" means absent
	reason core.Reason // default error body's reason
	custom core.Reason // custom error handler's reason
	// For 200: whether user_id/ctx_user_id and session_sub/ctx_session_sub
	// carry the default user's ID (else they are "").
	user, session bool
	// reverify is the clerk_error a reverification failure carries
	// (Clerk's shape, read by clerk-js); nil: the body has none.
	reverify *core.ReverificationRequirement
}

func ok(user, session bool) want { return want{status: http.StatusOK, user: user, session: session} }

func missing() want {
	return want{status: http.StatusUnauthorized, www: "Bearer", reason: core.ReasonTokenMissing}
}

func invalid(r core.Reason) want {
	return want{status: http.StatusUnauthorized, www: `Bearer error="invalid_token"`, reason: r}
}

func forbidden(r core.Reason) want {
	return want{status: http.StatusForbidden, www: `Bearer error="insufficient_scope"`, reason: r}
}

func unavailable(r core.Reason) want { return want{status: http.StatusServiceUnavailable, reason: r} }

func custom(r core.Reason) want { return want{status: CustomErrorStatus, custom: r} }

type step struct {
	before func(e *env)
	req    func(e *env) request
	want   want
}

type row struct {
	name    string
	setup   Setup
	arrange func(e *env)
	steps   []step
	after   func(e *env)
}

func one(req func(e *env) request, w want) []step { return []step{{req: req, want: w}} }

func bearer(opts ...clerktest.TokenOption) func(e *env) request {
	return func(e *env) request { return request{auth: "Bearer " + e.token(opts...)} }
}

// cookie sends the token as Clerk's frontend does: the __session cookie
// and, beside it, the __client_uat cookie of a client signed in an hour ago.
func cookie(opts ...clerktest.TokenOption) func(e *env) request {
	return func(e *env) request { return request{cookies: []string{e.sessionCookie(e.token(opts...))}} }
}

// sessionCookie is a Cookie header value with tok as the session cookie and
// a __client_uat of an hour ago.
func (e *env) sessionCookie(tok string) string {
	return "__session=" + tok + "; __client_uat=" + unix(e.Clock.Now().Add(-time.Hour))
}

func header(auth string) func(e *env) request {
	return func(*env) request { return request{auth: auth} }
}

func path(p string) func(e *env) request {
	return func(*env) request { return request{path: p} }
}

// orgToken is a member of org "acme" with role admin, permission
// org:articles:read (so feature o:articles) and the user plan "pro".
var orgToken = []clerktest.TokenOption{
	clerktest.WithOrgMembership("org_2acme", "acme", "admin", "org:articles:read"),
	clerktest.WithPlans("u:pro"),
}

func rows() []row {
	fetch := Setup{FetchUser: true}
	rs := []row{
		{name: "valid header token", setup: fetch,
			steps: one(bearer(), ok(true, true)),
			after: func(e *env) { e.wantRequests(clerktest.EndpointGetUser, 1) }},
		{name: "valid header token, lowercase scheme", setup: fetch,
			steps: one(func(e *env) request { return request{auth: "bearer " + e.token()} }, ok(true, true))},
		{name: "valid header token without scheme", setup: fetch,
			steps: one(func(e *env) request { return request{auth: e.token()} }, ok(true, true))},
		{name: "valid session cookie", setup: fetch,
			steps: one(cookie(), ok(true, true))},
		{name: "session cookie among several Cookie headers", setup: fetch,
			steps: one(func(e *env) request {
				return request{cookies: []string{"theme=dark", e.sessionCookie(e.token()) + "; lang=en"}}
			}, ok(true, true))},
		{name: "other Authorization scheme falls back to the cookie", setup: fetch,
			steps: one(func(e *env) request {
				return request{auth: "Basic dXNlcjpwYXNz", cookies: []string{e.sessionCookie(e.token())}}
			}, ok(true, true))},
		{name: "custom session key: its cookie works", setup: Setup{FetchUser: true, SessionKey: "app_session"},
			steps: one(func(e *env) request {
				return request{cookies: []string{"app_session=" + e.token() + "; __client_uat=" + unix(e.Clock.Now().Add(-time.Hour))}}
			}, ok(true, true))},
		{name: "session cookie without __client_uat is signed out", setup: fetch,
			steps: one(func(e *env) request { return request{cookies: []string{"__session=" + e.token()}} }, invalid(core.ReasonSessionWithoutClientUAT)),
			after: func(e *env) { e.wantRequests(clerktest.AnyEndpoint, 0) }},
		{name: "session cookie with __client_uat=0 is signed out", setup: fetch,
			steps: one(func(e *env) request { return request{cookies: []string{"__session=" + e.token() + "; __client_uat=0"}} }, invalid(core.ReasonSessionWithoutClientUAT))},
		{name: "custom session key: __session is ignored", setup: Setup{FetchUser: true, SessionKey: "app_session"},
			steps: one(cookie(), missing())},

		{name: "missing credentials", setup: fetch, steps: one(header(""), missing()),
			after: func(e *env) { e.wantRequests(clerktest.AnyEndpoint, 0) }},
		{name: "bearer scheme without token", setup: fetch, steps: one(header("Bearer "), missing())},
		{name: "garbage token", setup: fetch, steps: one(header("Bearer not-a-jwt"), invalid(core.ReasonTokenMalformed))},
		{name: "expired token", setup: fetch,
			steps: one(bearer(clerktest.WithTTL(-time.Minute)), invalid(core.ReasonTokenExpired))},
		{name: "wrong signature", setup: fetch,
			steps: one(bearer(clerktest.WithSigningKey(keys()[1], "")), invalid(core.ReasonTokenSignature))},
		{name: "unknown key id", setup: fetch,
			steps: one(bearer(clerktest.WithSigningKey(keys()[1], "ins_2unknownkey")), invalid(core.ReasonTokenUnknownKID))},
		{name: "alg none", setup: fetch,
			steps: one(bearer(clerktest.WithHeader("alg", "none")), invalid(core.ReasonTokenInvalidAlg))},
		{name: "bad header token never falls back to a good cookie", setup: fetch,
			steps: []step{
				{req: func(e *env) request {
					return request{auth: "Bearer not-a-jwt", cookies: []string{e.sessionCookie(e.token())}}
				}, want: invalid(core.ReasonTokenMalformed)},
				{req: func(e *env) request {
					return request{auth: "Bearer " + e.token(clerktest.WithTTL(-time.Minute)), cookies: []string{e.sessionCookie(e.token())}}
				}, want: invalid(core.ReasonTokenExpired)},
			}},
		{name: "stale cookie: __client_uat newer than iat", setup: fetch,
			steps: one(func(e *env) request {
				now := e.Clock.Now()
				tok := e.token(clerktest.WithIssuedAt(now.Add(-20 * time.Second)))
				return request{cookies: []string{"__session=" + tok + "; __client_uat=" + unix(now)}}
			}, invalid(core.ReasonTokenStale))},
		{name: "fresh cookie: __client_uat older than iat", setup: fetch,
			steps: one(func(e *env) request {
				now := e.Clock.Now()
				return request{cookies: []string{"__client_uat=" + unix(now.Add(-time.Hour)), "__session=" + e.token()}}
			}, ok(true, true))},
		{name: "__client_uat does not apply to header tokens", setup: fetch,
			steps: one(func(e *env) request {
				now := e.Clock.Now()
				tok := e.token(clerktest.WithIssuedAt(now.Add(-20 * time.Second)))
				return request{auth: "Bearer " + tok, cookies: []string{"__client_uat=" + unix(now)}}
			}, ok(true, true))},

		{name: "FetchUser(false) makes no user API call", setup: Setup{},
			steps: one(bearer(), ok(false, true)),
			after: func(e *env) { e.wantRequests(clerktest.EndpointGetUser, 0) }},
		{name: "deleted user", setup: fetch,
			arrange: func(e *env) { e.Server.DeleteUser(e.userID) },
			steps:   one(bearer(), invalid(core.ReasonUserNotFound))},
		{name: "unknown user", setup: fetch,
			steps: one(bearer(clerktest.WithSubject("user_2NoSuchUserNoSuchUserNoSuch")), invalid(core.ReasonUserNotFound))},
		{name: "user endpoint failing 500", setup: fetch,
			arrange: func(e *env) { e.Server.Fail(clerktest.EndpointGetUser, http.StatusInternalServerError) },
			steps:   one(bearer(), unavailable(core.ReasonUserUnavailable))},
		{name: "user endpoint failing 503", setup: fetch,
			arrange: func(e *env) { e.Server.Fail(clerktest.EndpointGetUser, http.StatusServiceUnavailable) },
			steps:   one(bearer(), unavailable(core.ReasonUserUnavailable))},
		{name: "JWKS unreachable at start, then recovery after the cooldown", setup: fetch,
			arrange: func(e *env) { e.Server.Fail(clerktest.EndpointJWKS, http.StatusServiceUnavailable) },
			steps: []step{
				{req: bearer(), want: unavailable(core.ReasonJWKSUnavailable)},
				// Clerk is back, but the cooldown holds off another fetch.
				{before: func(e *env) { e.Server.Recover(clerktest.EndpointJWKS) },
					req: bearer(), want: unavailable(core.ReasonJWKSUnavailable)},
				{before: func(e *env) {
					e.wantRequests(clerktest.EndpointJWKS, 1)
					e.Clock.Advance(core.DefaultKeyCooldown + time.Second)
				}, req: bearer(), want: ok(true, true)},
			},
			after: func(e *env) { e.wantRequests(clerktest.EndpointJWKS, 2) }},

		{name: "optional: no token passes signed out", setup: Setup{FetchUser: true, Optional: true},
			steps: one(header(""), ok(false, false))},
		{name: "optional: valid token signs in", setup: Setup{FetchUser: true, Optional: true},
			steps: one(bearer(), ok(true, true))},
		{name: "optional: invalid token passes signed out", setup: Setup{FetchUser: true, Optional: true},
			steps: one(bearer(clerktest.WithTTL(-time.Minute)), ok(false, false))},
		{name: "optional: JWKS unreachable is still 503", setup: Setup{FetchUser: true, Optional: true},
			arrange: func(e *env) { e.Server.Fail(clerktest.EndpointJWKS, http.StatusServiceUnavailable) },
			steps:   one(bearer(), unavailable(core.ReasonJWKSUnavailable))},

		{name: "skip: skipped path passes, others do not", setup: Setup{FetchUser: true, SkipPrefix: "/skip/"},
			steps: []step{
				{req: path("/skip/ping"), want: ok(false, false)},
				// A skipped request is not even verified: no session, no fetch.
				{req: func(e *env) request { return request{path: "/skip/ping", auth: "Bearer " + e.token()} }, want: ok(false, false)},
				{req: path("/protected"), want: missing()},
			},
			after: func(e *env) { e.wantRequests(clerktest.AnyEndpoint, 0) }},

		{name: "custom error handler", setup: Setup{FetchUser: true, CustomErrors: true},
			steps: []step{
				{req: header(""), want: custom(core.ReasonTokenMissing)},
				{req: header("Bearer not-a-jwt"), want: custom(core.ReasonTokenMalformed)},
				{req: bearer(), want: ok(true, true)},
			}},
		{name: "custom error handler is used by Require", setup: Setup{CustomErrors: true, Check: core.Role("org:owner")},
			steps: one(bearer(orgToken...), custom(core.ReasonMissingRole))},

		{name: "custom error handler on a user fetch failure", setup: Setup{FetchUser: true, CustomErrors: true},
			arrange: func(e *env) { e.Server.Fail(clerktest.EndpointGetUser, http.StatusInternalServerError) },
			steps:   one(bearer(), custom(core.ReasonUserUnavailable))},
		{name: "Require with no checks passes any session", setup: Setup{Check: core.All()},
			steps: []step{
				{req: bearer(), want: ok(false, true)},
				{req: header(""), want: missing()},
			}},
		{name: "Require on a signed-out optional request", setup: Setup{Optional: true, Check: core.Role("org:admin")},
			steps: []step{
				{req: header(""), want: missing()},
				{req: header("Bearer not-a-jwt"), want: missing()},
				{req: bearer(orgToken...), want: ok(false, true)},
			}},
	}

	checks := []struct {
		name  string
		check core.Check
		opts  []clerktest.TokenOption
		fail  core.Reason // "" when the check passes
	}{
		{"role", core.Role("org:admin"), orgToken, ""},
		{"role", core.Role("org:owner"), orgToken, core.ReasonMissingRole},
		{"permission", core.Permission("org:articles:read"), orgToken, ""},
		{"permission", core.Permission("org:billing:manage"), orgToken, core.ReasonMissingPermission},
		{"feature", core.Feature("org:articles"), orgToken, ""},
		{"feature", core.Feature("billing"), orgToken, core.ReasonMissingFeature},
		{"plan", core.Plan("pro"), orgToken, ""},
		{"plan", core.Plan("enterprise"), orgToken, core.ReasonMissingPlan},
		{"reverification", core.Reverified(core.FirstFactor, 10*time.Minute), []clerktest.TokenOption{clerktest.WithFactorAge(2, -1)}, ""},
		{"reverification", core.Reverified(core.FirstFactor, 10*time.Minute), []clerktest.TokenOption{clerktest.WithFactorAge(30, -1)}, core.ReasonReverificationNeeded},
		{"all of role and permission", core.All(core.Role("org:admin"), core.Permission("org:articles:read")), orgToken, ""},
		{"all of role and permission", core.All(core.Role("org:admin"), core.Permission("org:articles:write")), orgToken, core.ReasonMissingPermission},
	}
	for _, c := range checks {
		r := row{setup: Setup{FetchUser: true, Check: c.check}}
		if c.fail == "" {
			r.name = "Require " + c.name + ": pass"
			r.steps = one(bearer(c.opts...), ok(true, true))
		} else {
			r.name = "Require " + c.name + ": fail"
			w := forbidden(c.fail)
			if c.fail == core.ReasonReverificationNeeded {
				w.reverify = &core.ReverificationRequirement{Level: core.FirstFactor, AfterMinutes: 10}
			}
			r.steps = one(bearer(c.opts...), w)
		}
		rs = append(rs, r)
	}
	return rs
}

func unix(t time.Time) string { return strconv.FormatInt(t.Unix(), 10) }

// wantRequests checks how many requests the fake received at endpoint.
func (e *env) wantRequests(endpoint string, n int) {
	e.t.Helper()
	if got := e.Server.Requests(endpoint); got != n {
		e.t.Errorf("%s: %d requests, want %d", endpoint, got, n)
	}
}

// newRequest builds the *http.Request for rq.
func newRequest(rq request) *http.Request {
	p := rq.path
	if p == "" {
		p = "/protected"
	}
	req := httptest.NewRequest(http.MethodGet, p, nil)
	if rq.auth != "" {
		req.Header.Set("Authorization", rq.auth)
	}
	for _, c := range rq.cookies {
		req.Header.Add("Cookie", c)
	}
	return req
}

// check sends rq through the target and checks the answer against w.
func (e *env) check(label string, rq request, w want) {
	e.t.Helper()
	got := serve(e.t, label, e.serve, newRequest(rq))
	if got == nil {
		return
	}
	checkAnswer(e.t, label, got, w, e.userID, secrets(e.Server, rq))
}

// answer is a response, read.
type answer struct {
	status int
	header http.Header
	body   []byte
}

func serve(t *testing.T, label string, do func(*http.Request) (*http.Response, error), req *http.Request) *answer {
	t.Helper()
	resp, err := do(req)
	if err != nil {
		t.Errorf("%s: serving %s: %v", label, req.URL.Path, err)
		return nil
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Errorf("%s: reading body: %v", label, err)
		return nil
	}
	return &answer{status: resp.StatusCode, header: resp.Header, body: body}
}

// secrets lists what must never appear in a response: the secret key and
// every token-like value the request carried.
func secrets(s *clerktest.Server, rq request) []string {
	out := []string{s.SecretKey()}
	if tok := core.HeaderToken(rq.auth); len(tok) >= 16 {
		out = append(out, tok)
	}
	for _, line := range rq.cookies {
		for _, part := range strings.Split(line, ";") {
			if _, v, ok := strings.Cut(part, "="); ok && len(v) >= 16 {
				out = append(out, strings.Trim(v, `"`))
			}
		}
	}
	return out
}

func checkAnswer(t *testing.T, label string, a *answer, w want, userID string, secret []string) {
	t.Helper()
	for _, s := range secret {
		if bytes.Contains(a.body, []byte(s)) {
			t.Errorf("%s: the response body leaks a token or the secret key", label)
		}
		for name, vs := range a.header {
			for _, v := range vs {
				if strings.Contains(v, s) {
					t.Errorf("%s: response header %s leaks a token or the secret key", label, name)
				}
			}
		}
	}
	if a.status != w.status {
		t.Errorf("%s: status %d, want %d (body %s)", label, a.status, w.status, a.body)
	}
	if got := a.header.Values("WWW-Authenticate"); w.www == "" && len(got) > 0 {
		t.Errorf("%s: WWW-Authenticate %q, want none", label, got)
	} else if w.www != "" && (len(got) != 1 || got[0] != w.www) {
		t.Errorf("%s: WWW-Authenticate %q, want exactly %q", label, got, w.www)
	}

	values, err := decodeAll(a.body)
	if err != nil {
		t.Errorf("%s: body is not JSON: %v: %s", label, err, a.body)
		return
	}
	ran := false
	for _, v := range values {
		var m map[string]json.RawMessage
		if json.Unmarshal(v, &m) == nil {
			if _, ok := m["user_id"]; ok {
				ran = true
			}
		}
	}
	if wantRan := w.status == http.StatusOK; ran != wantRan {
		t.Errorf("%s: downstream handler ran: %v, want %v (body %s)", label, ran, wantRan, a.body)
	}
	if len(values) != 1 {
		t.Errorf("%s: body holds %d JSON values, want 1: %s", label, len(values), a.body)
		return
	}
	switch {
	case w.status == http.StatusOK:
		var got Identity
		if err := strictUnmarshal(values[0], &got); err != nil {
			t.Errorf("%s: handler body %s: %v", label, values[0], err)
			return
		}
		var exp Identity
		if w.user {
			exp.UserID, exp.CtxUserID = userID, userID
		}
		if w.session {
			exp.SessionSub, exp.CtxSessionSub = userID, userID
		}
		if got != exp {
			t.Errorf("%s: handler saw %+v, want %+v", label, got, exp)
		}
	case w.custom != "":
		var got map[string]string
		if err := json.Unmarshal(values[0], &got); err != nil || len(got) != 1 || got["custom"] != string(w.custom) {
			t.Errorf("%s: custom error body %s, want {\"custom\":%q}", label, values[0], w.custom)
		}
	default:
		var got struct {
			Status     int    `json:"status"`
			Reason     string `json:"reason"`
			Message    string `json:"message"`
			ClerkError *struct {
				Type     string `json:"type"`
				Reason   string `json:"reason"`
				Metadata struct {
					Reverification *core.ReverificationRequirement `json:"reverification"`
				} `json:"metadata"`
			} `json:"clerk_error"`
		}
		if err := json.Unmarshal(values[0], &got); err != nil {
			t.Errorf("%s: error body %s: %v", label, values[0], err)
			return
		}
		if got.Reason != string(w.reason) || got.Status != w.status || got.Message == "" {
			t.Errorf("%s: error body %s, want status %d and reason %q", label, values[0], w.status, w.reason)
		}
		switch ce := got.ClerkError; {
		case w.reverify == nil && ce != nil:
			t.Errorf("%s: error body %s carries a clerk_error", label, values[0])
		case w.reverify != nil && (ce == nil || ce.Type != "forbidden" || ce.Reason != "reverification-error" ||
			ce.Metadata.Reverification == nil || *ce.Metadata.Reverification != *w.reverify):
			t.Errorf("%s: error body %s, want Clerk's reverification-error with %+v", label, values[0], *w.reverify)
		}
		if ct := a.header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
			t.Errorf("%s: Content-Type %q, want application/json; charset=utf-8", label, ct)
		}
		if cc := a.header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("%s: Cache-Control %q, want no-store", label, cc)
		}
	}
}

// decodeAll decodes every JSON value in b (a handler that ran after an
// error response would have appended its own).
func decodeAll(b []byte) ([]json.RawMessage, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	var out []json.RawMessage
	for {
		var v json.RawMessage
		err := dec.Decode(&v)
		if errors.Is(err, io.EOF) {
			if len(out) == 0 {
				return nil, errors.New("empty body")
			}
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
}

func strictUnmarshal(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

// testConcurrentUserFetch sends 50 concurrent requests for the same user
// while the user endpoint is held, then releases it: exactly one user API
// call is made and every request is answered 200.
func testConcurrentUserFetch(t *testing.T, target Target) {
	const n = 50
	e := newEnv(t, target, Setup{FetchUser: true})
	release := e.Server.Block(clerktest.EndpointGetUser)
	tok := e.token()

	answers := make([]*answer, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			answers[i] = serve(t, fmt.Sprintf("request %d", i), e.serve, newRequest(request{auth: "Bearer " + tok}))
		}()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	err := e.Server.AwaitWaiting(ctx, clerktest.EndpointGetUser, 1)
	cancel()
	release()
	wg.Wait()
	if err != nil {
		t.Fatalf("no user fetch reached Clerk: %v", err)
	}
	for i, a := range answers {
		if a != nil {
			checkAnswer(t, fmt.Sprintf("request %d", i), a, ok(true, true), e.userID, []string{tok, e.Server.SecretKey()})
		}
	}
	e.wantRequests(clerktest.EndpointGetUser, 1)
}

// testConcurrentUsers sends requests of several users from several
// goroutines, by header and by cookie: each is answered with its own user,
// and users are fetched at most once each (shared calls, then the cache).
func testConcurrentUsers(t *testing.T, target Target) {
	const users, workers, perWorker = 8, 8, 25
	e := newEnv(t, target, Setup{FetchUser: true})
	toks := make([]string, users)
	ids := make([]string, users)
	for i := range toks {
		u := e.Server.CreateUser(clerktest.UserParams{})
		ids[i], toks[i] = u.ID, e.token(clerktest.WithSubject(u.ID))
	}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perWorker {
				n := (w + i) % users
				rq := request{auth: "Bearer " + toks[n]}
				if i%3 == 0 {
					rq = request{cookies: []string{e.sessionCookie(toks[n])}}
				}
				label := fmt.Sprintf("worker %d, request %d", w, i)
				if a := serve(t, label, e.serve, newRequest(rq)); a != nil {
					checkAnswer(t, label, a, ok(true, true), ids[n], []string{toks[n], e.Server.SecretKey()})
				}
			}
		}()
	}
	wg.Wait()
	if n := e.Server.Requests(clerktest.EndpointGetUser); n > users {
		t.Errorf("%d user fetches for %d users", n, users)
	}
}

// testTenants builds the adapter twice, for two Clerk instances: each
// accepts its own tokens and rejects the other's, even under its own kid.
func testTenants(t *testing.T, target Target) {
	a := newEnv(t, target, Setup{})
	b := newEnv(t, target, Setup{})
	for _, c := range []struct {
		label string
		at    *env
		tok   string
		want  want
	}{
		{"A's token at A", a, a.token(), ok(false, true)},
		{"B's token at B", b, b.token(), ok(false, true)},
		{"B's token at A", a, b.token(), invalid(core.ReasonTokenUnknownKID)},
		{"a token of another key under A's kid at A", a, b.token(clerktest.WithSigningKey(keys()[1], a.Server.KeyID())), invalid(core.ReasonTokenSignature)},
	} {
		if r := serve(t, c.label, c.at.serve, newRequest(request{auth: "Bearer " + c.tok})); r != nil {
			checkAnswer(t, c.label, r, c.want, c.at.userID, []string{c.tok})
		}
	}
}
