package echoclerk

import (
	"fmt"

	"github.com/labstack/echo/v4"

	"github.com/clerkgo/clerk/core"
)

// FrontendAPIProxy returns a handler that serves the Clerk instance's
// Frontend API from the application's own domain (core.FrontendAPIProxy:
// Clerk's clerkFrontendApiProxy), to mount on every method under its path:
//
//	e.Any("/__clerk/*", echoclerk.FrontendAPIProxy(core.ProxyOptions{Client: client}))
//
// Mount it under o.Path (default "/__clerk", or Config.ProxyURL's path): it
// reads the request's full path and refuses one outside o.Path. Bodies
// stream both ways. Register it outside the Clerk middleware: the browser
// calls it to get a session. With no o.Client the client is built from the
// environment (CLERK_SECRET_KEY, CLERK_PUBLISHABLE_KEY, CLERK_PROXY_URL). An
// invalid configuration panics at once with a message naming the setting,
// never a secret; use [NewFrontendAPIProxy] to get the error instead.
func FrontendAPIProxy(o core.ProxyOptions) echo.HandlerFunc {
	h, err := NewFrontendAPIProxy(o)
	if err != nil {
		panic(fmt.Sprintf("echoclerk: invalid Frontend API proxy configuration: %v", err))
	}
	return h
}

// NewFrontendAPIProxy is [FrontendAPIProxy] returning the configuration
// error (a *core.ConfigError; core.ErrProxyNeedsKeys for a missing key)
// instead of panicking.
func NewFrontendAPIProxy(o core.ProxyOptions) (echo.HandlerFunc, error) {
	p, err := core.NewFrontendAPIProxy(o)
	if err != nil {
		return nil, err
	}
	return echo.WrapHandler(p), nil
}
