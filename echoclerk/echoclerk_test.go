package echoclerk_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/clerkgo/clerk/core/authtest"
	"github.com/clerkgo/clerk/echoclerk"
	"github.com/labstack/echo/v4"
)

// TestContract runs the adapters' shared contract suite against an
// echo.Echo router.
func TestContract(t *testing.T) {
	authtest.Run(t, authtest.Target{
		Name:         "echoclerk",
		SupportsSkip: true,
		Build:        buildContract,
		Package:      "echoclerk",
		New:          func(s authtest.Setup) error { _, err := echoclerk.New(options(s)...); return err },
		Middleware:   func(s authtest.Setup) { echoclerk.Middleware(options(s)...) },
	})
}

// options are the middleware options of a contract Setup.
func options(s authtest.Setup) []echoclerk.Option {
	opts := []echoclerk.Option{
		echoclerk.WithClient(s.Client),
		echoclerk.FetchUser(s.FetchUser),
		echoclerk.Optional(s.Optional),
	}
	if s.SessionKey != "" {
		opts = append(opts, echoclerk.SessionKey(s.SessionKey))
	}
	if s.CustomErrors {
		opts = append(opts, echoclerk.ErrorHandler(func(c echo.Context, err error) error {
			return c.JSONBlob(authtest.CustomErrorStatus, authtest.CustomErrorBody(err))
		}))
	}
	if s.SkipPrefix != "" {
		opts = append(opts, echoclerk.Skipper(func(c echo.Context) bool {
			return strings.HasPrefix(c.Request().URL.Path, s.SkipPrefix)
		}))
	}
	return opts
}

func buildContract(t *testing.T, s authtest.Setup) func(*http.Request) (*http.Response, error) {
	mw, err := echoclerk.New(options(s)...)
	if err != nil {
		t.Fatalf("echoclerk.New: %v", err)
	}
	e := echo.New()
	e.Use(mw)
	handler := identify
	var protected []echo.MiddlewareFunc
	if s.Check != nil {
		protected = append(protected, echoclerk.Require(s.Check))
	}
	e.GET("/protected", handler, protected...)
	e.GET("/skip/ping", handler)
	return func(r *http.Request) (*http.Response, error) {
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, r)
		return rec.Result(), nil
	}
}
