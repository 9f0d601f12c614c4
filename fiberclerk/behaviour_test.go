package fiberclerk_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"testing"

	"github.com/clerkgo/clerk/core"
	"github.com/clerkgo/clerk/core/clerktest"
	"github.com/clerkgo/clerk/fiberclerk"
	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"
)

func TestErrorHandlerReturningAnError(t *testing.T) {
	f := newFake(t)
	ran := false
	app := fiber.New()
	app.Use(fiberclerk.Middleware(fiberclerk.WithClient(f.c), fiberclerk.ErrorHandler(func(c *fiber.Ctx, err error) error {
		if !errors.Is(err, core.ErrNoCredentials) {
			t.Errorf("error handler got %v", err)
		}
		return fiber.NewError(http.StatusPaymentRequired, "pay first")
	})))
	app.Get("/protected", func(c *fiber.Ctx) error { ran = true; return nil })
	r := serve(app, "/protected", nil)
	if r.status != http.StatusPaymentRequired || r.body != "pay first" {
		t.Errorf("got %d %q, want the app's ErrorHandler answer", r.status, r.body)
	}
	if ran {
		t.Error("the protected handler ran")
	}
}

func TestGettersWithoutMiddleware(t *testing.T) {
	if fiberclerk.User(nil) != nil || fiberclerk.Session(nil) != nil {
		t.Error("getters of a nil context are not nil")
	}
	app := fiber.New()
	c := app.AcquireCtx(&fasthttp.RequestCtx{})
	defer app.ReleaseCtx(c)
	if fiberclerk.User(c) != nil || fiberclerk.Session(c) != nil {
		t.Error("getters of a bare context are not nil")
	}
	// Auth put on the user context by other code is found too.
	auth := &core.Auth{Session: &core.Claims{Subject: "user_1"}, User: &core.User{ID: "user_1"}}
	c.SetUserContext(core.WithAuth(context.Background(), auth))
	if fiberclerk.Session(c) != auth.Session || fiberclerk.User(c) != auth.User {
		t.Error("getters did not fall back to the user context")
	}
}

func TestRequireWithoutMiddleware(t *testing.T) {
	app := fiber.New()
	app.Get("/admin", fiberclerk.Require(core.Role("org:admin")), identify)
	checkFailure(t, serve(app, "/admin", nil), 401, "Bearer", "token-missing")
}

// Two instances side by side: a token of one never verifies at the other.
func TestTenantsAreSeparate(t *testing.T) {
	a, b := newFake(t), newFake(t)
	app := fiber.New()
	ga := app.Group("/a", fiberclerk.Middleware(fiberclerk.WithClient(a.c), fiberclerk.FetchUser(false)))
	ga.Get("/protected", identify)
	gb := app.Group("/b", fiberclerk.Middleware(fiberclerk.WithClient(b.c), fiberclerk.FetchUser(false)))
	gb.Get("/protected", identify)

	if r := serve(app, "/a/protected", bearer(a.s.Token())); r.status != 200 || r.identity(t).SessionSub != a.s.DefaultUserID() {
		t.Errorf("tenant a: %d %s", r.status, r.body)
	}
	if r := serve(app, "/b/protected", bearer(b.s.Token())); r.status != 200 || r.identity(t).SessionSub != b.s.DefaultUserID() {
		t.Errorf("tenant b: %d %s", r.status, r.body)
	}
	checkFailure(t, serve(app, "/a/protected", bearer(b.s.Token())), 401, `Bearer error="invalid_token"`, "token-unknown-kid")
}

func TestConcurrentRequests(t *testing.T) {
	f := newFake(t)
	app := newApp(t, fiberclerk.WithClient(f.c))
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
				r := serve(app, path, h)
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

// fasthttp parses the Cookie headers into a list once anything reads a
// cookie; the middleware must find the session cookie either way.
func TestCookiesAlreadyParsedByEarlierMiddleware(t *testing.T) {
	f := newFake(t)
	app := fiber.New()
	app.Use(func(c *fiber.Ctx) error {
		_ = c.Cookies("theme")
		return c.Next()
	})
	app.Use(fiberclerk.Middleware(fiberclerk.WithClient(f.c), fiberclerk.FetchUser(false)))
	app.Get("/protected", identify)
	for _, h := range []http.Header{
		cookies("theme=dark; __session=" + f.s.Token()),
		cookies("theme=dark", "__session="+f.s.Token()),
		cookies(`__session="` + f.s.Token() + `"`),
	} {
		r := serve(app, "/protected", h)
		if r.status != http.StatusOK || r.identity(t).SessionSub != f.s.DefaultUserID() {
			t.Errorf("Cookie %q: %d %s", h["Cookie"], r.status, r.body)
		}
	}
}

func TestRequireRejectsNilCheck(t *testing.T) {
	defer func() {
		if r := recover(); fmt.Sprint(r) != "clerk: check 2 of 2 is nil" {
			t.Errorf("Require with a nil check panicked with %v", r)
		}
	}()
	fiberclerk.Require(core.Role("org:admin"), nil)
}
