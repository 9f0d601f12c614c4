package echoclerk_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/clerkgo/clerk/core"
	"github.com/clerkgo/clerk/core/authtest"
	"github.com/clerkgo/clerk/core/clerktest"
	"github.com/clerkgo/clerk/echoclerk"
	"github.com/labstack/echo/v4"
)

// fake is a fake Clerk and a client for it on one manual clock (the
// contract suite's, see authtest.NewFake).
type fake struct {
	s     *clerktest.Server
	c     *core.Client
	clock *authtest.Clock
}

func newFake(tb testing.TB) *fake {
	f := authtest.NewFake(tb)
	return &fake{s: f.Server, c: f.Client, clock: f.Clock}
}

// identity is what the test handlers answer: the getters on the
// framework context and on the request's context.Context.
type identity = authtest.Identity

func identify(c echo.Context) error {
	return c.JSONBlob(http.StatusOK, authtest.Identify(c.Request().Context(), echoclerk.User(c), echoclerk.Session(c)).JSON())
}

// newApp is the router of most tests: the middleware on every route,
// Require(org:admin) on /admin, Require() on /signed-in.
func newApp(tb testing.TB, opts ...echoclerk.Option) *echo.Echo {
	tb.Helper()
	mw, err := echoclerk.New(opts...)
	if err != nil {
		tb.Fatalf("echoclerk.New: %v", err)
	}
	e := echo.New()
	e.Use(mw)
	e.GET("/protected", identify)
	e.GET("/skip/ping", identify)
	e.GET("/admin", identify, echoclerk.Require(core.Role("org:admin")))
	e.GET("/signed-in", identify, echoclerk.Require())
	return e
}

// result is a served response, read whole.
type result struct {
	status int
	header http.Header
	body   string
}

func (r result) identity(tb testing.TB) identity {
	tb.Helper()
	var id identity
	if err := json.Unmarshal([]byte(r.body), &id); err != nil {
		tb.Fatalf("body %q: %v", r.body, err)
	}
	return id
}

func (r result) reason(tb testing.TB) string {
	tb.Helper()
	var b struct {
		Status int    `json:"status"`
		Reason string `json:"reason"`
	}
	if err := json.Unmarshal([]byte(r.body), &b); err != nil {
		tb.Fatalf("body %q: %v", r.body, err)
	}
	if b.Status != r.status {
		tb.Errorf("body status %d, response status %d", b.Status, r.status)
	}
	return b.Reason
}

// serve sends one request through e. header holds request headers; a
// header given several values is sent as several lines.
func serve(e *echo.Echo, path string, header http.Header) result {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	for k, vs := range header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, req)
	body, _ := io.ReadAll(rec.Result().Body)
	return result{status: rec.Code, header: rec.Header(), body: string(body)}
}

func bearer(tok string) http.Header { return http.Header{"Authorization": {"Bearer " + tok}} }

// checkFailure asserts a contract failure response.
func checkFailure(tb testing.TB, r result, status int, challenge, reason string) {
	tb.Helper()
	if r.status != status {
		tb.Fatalf("status %d, want %d (body %s)", r.status, status, r.body)
	}
	if got := r.header.Get("WWW-Authenticate"); got != challenge {
		tb.Errorf("WWW-Authenticate %q, want %q", got, challenge)
	}
	if _, ok := r.header["Www-Authenticate"]; challenge == "" && ok {
		tb.Errorf("WWW-Authenticate present, want none")
	}
	if got := r.header.Get("Content-Type"); got != "application/json; charset=utf-8" {
		tb.Errorf("Content-Type %q", got)
	}
	if got := r.header.Get("Cache-Control"); got != "no-store" {
		tb.Errorf("Cache-Control %q", got)
	}
	if got := r.reason(tb); got != reason {
		tb.Errorf("reason %q, want %q", got, reason)
	}
}

func contains(s, sub string) bool { return sub != "" && strings.Contains(s, sub) }
