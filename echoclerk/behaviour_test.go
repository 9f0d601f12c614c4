package echoclerk_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/clerkgo/clerk/core"
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

func TestRequireRejectsNilCheck(t *testing.T) {
	defer func() {
		if r := recover(); fmt.Sprint(r) != "clerk: check 2 of 2 is nil" {
			t.Errorf("Require with a nil check panicked with %v", r)
		}
	}()
	echoclerk.Require(core.Role("org:admin"), nil)
}
