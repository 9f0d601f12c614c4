package echoclerk_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/clerkgo/clerk/core"
	"github.com/clerkgo/clerk/core/clerktest"
	"github.com/clerkgo/clerk/echoclerk"
	"github.com/labstack/echo/v4"
)

func TestErrorHandlerReturningAnError(t *testing.T) {
	f := newFake(t)
	ran := false
	e := echo.New()
	e.Use(echoclerk.Middleware(echoclerk.WithClient(f.c), echoclerk.ErrorHandler(func(c echo.Context, err error) error {
		if !errors.Is(err, core.ErrNoCredentials) {
			t.Errorf("error handler got %v", err)
		}
		return echo.NewHTTPError(http.StatusPaymentRequired, "pay first")
	})))
	e.GET("/protected", func(c echo.Context) error { ran = true; return nil })
	r := serve(e, "/protected", nil)
	if r.status != http.StatusPaymentRequired || r.body != `{"message":"pay first"}`+"\n" {
		t.Errorf("got %d %q, want echo's HTTPErrorHandler answer", r.status, r.body)
	}
	if ran {
		t.Error("the protected handler ran")
	}
}

func TestGettersWithoutMiddleware(t *testing.T) {
	if echoclerk.User(nil) != nil || echoclerk.Session(nil) != nil {
		t.Error("getters of a nil context are not nil")
	}
	e := echo.New()
	c := e.NewContext(httptest.NewRequest(http.MethodGet, "/", nil), httptest.NewRecorder())
	if echoclerk.User(c) != nil || echoclerk.Session(c) != nil {
		t.Error("getters of a bare context are not nil")
	}
	c.Set("github.com/clerkgo/clerk/echoclerk.auth", "not an auth")
	if echoclerk.Session(c) != nil {
		t.Error("a foreign value was taken for the session")
	}
	// Auth put on the request context by a net/http middleware is found too.
	auth := &core.Auth{Session: &core.Claims{Subject: "user_1"}, User: &core.User{ID: "user_1"}}
	c.SetRequest(c.Request().WithContext(core.WithAuth(context.Background(), auth)))
	if echoclerk.Session(c) != auth.Session || echoclerk.User(c) != auth.User {
		t.Error("getters did not fall back to the request context")
	}
}

func TestRequireWithoutMiddleware(t *testing.T) {
	e := echo.New()
	e.GET("/admin", identify, echoclerk.Require(core.Role("org:admin")))
	checkFailure(t, serve(e, "/admin", nil), 401, "Bearer", "token-missing")
}

// Two instances side by side: a token of one never verifies at the other.
func TestTenantsAreSeparate(t *testing.T) {
	a, b := newFake(t), newFake(t)
	e := echo.New()
	ga := e.Group("/a", echoclerk.Middleware(echoclerk.WithClient(a.c), echoclerk.FetchUser(false)))
	ga.GET("/protected", identify)
	gb := e.Group("/b", echoclerk.Middleware(echoclerk.WithClient(b.c), echoclerk.FetchUser(false)))
	gb.GET("/protected", identify)

	if r := serve(e, "/a/protected", bearer(a.s.Token())); r.status != 200 || r.identity(t).SessionSub != a.s.DefaultUserID() {
		t.Errorf("tenant a: %d %s", r.status, r.body)
	}
	if r := serve(e, "/b/protected", bearer(b.s.Token())); r.status != 200 || r.identity(t).SessionSub != b.s.DefaultUserID() {
		t.Errorf("tenant b: %d %s", r.status, r.body)
	}
	checkFailure(t, serve(e, "/a/protected", bearer(b.s.Token())), 401, `Bearer error="invalid_token"`, "token-unknown-kid")
}

func TestConcurrentRequests(t *testing.T) {
	f := newFake(t)
	e := newApp(t, echoclerk.WithClient(f.c))
	const users, workers, perWorker = 8, 8, 25
	toks := make([]string, users)
	ids := make([]string, users)
	for i := range toks {
		u := f.s.CreateUser(clerktest.UserParams{})
		ids[i], toks[i] = u.ID, f.s.Token(clerktest.WithSubject(u.ID))
	}
	var wg sync.WaitGroup
	errs := make(chan string, workers*perWorker)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perWorker {
				n := (w + i) % users
				h := bearer(toks[n])
				path := "/protected"
				if i%3 == 0 {
					h, path = cookies("__session="+toks[n]), "/signed-in"
				}
				r := serve(e, path, h)
				var got identity
				_ = json.Unmarshal([]byte(r.body), &got) // no t.Fatal off the test goroutine
				if want := (identity{UserID: ids[n], SessionSub: ids[n], CtxUserID: ids[n], CtxSessionSub: ids[n]}); r.status != 200 || got != want {
					errs <- r.body
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for b := range errs {
		t.Errorf("wrong answer under concurrency: %s", b)
	}
	// Concurrent fetches of one user share a call and results are cached.
	if n := f.s.Requests(clerktest.EndpointGetUser); n > users {
		t.Errorf("%d user fetches for %d users", n, users)
	}
}

func TestRequireRejectsNilCheck(t *testing.T) {
	defer func() {
		if r := recover(); fmt.Sprint(r) != "clerk: check 2 of 2 is nil" {
			t.Errorf("Require with a nil check panicked with %v", r)
		}
	}()
	echoclerk.Require(core.Role("org:admin"), nil)
}
