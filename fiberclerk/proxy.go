package fiberclerk

import (
	"context"
	"fmt"
	"net/http"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"

	"github.com/clerkgo/clerk/core"
)

// FrontendAPIProxy returns a handler that serves the Clerk instance's
// Frontend API from the application's own domain (core.FrontendAPIProxy:
// Clerk's clerkFrontendApiProxy), to mount on every method under its path:
//
//	app.All("/__clerk/*", fiberclerk.FrontendAPIProxy(core.ProxyOptions{Client: client}))
//
// Mount it under o.Path (default "/__clerk", or Config.ProxyURL's path): it
// reads the request's full path and refuses one outside o.Path. It runs on
// net/http through Fiber's adaptor, which buffers: the request body is read
// whole (within the app's BodyLimit) and the answer is sent once complete,
// not streamed. Register it outside the Clerk middleware: the browser calls
// it to get a session. With no o.Client the client is built from the
// environment (CLERK_SECRET_KEY, CLERK_PUBLISHABLE_KEY, CLERK_PROXY_URL). An
// invalid configuration panics at once with a message naming the setting,
// never a secret; use [NewFrontendAPIProxy] to get the error instead.
func FrontendAPIProxy(o core.ProxyOptions) fiber.Handler {
	h, err := NewFrontendAPIProxy(o)
	if err != nil {
		panic(fmt.Sprintf("fiberclerk: invalid Frontend API proxy configuration: %v", err))
	}
	return h
}

// NewFrontendAPIProxy is [FrontendAPIProxy] returning the configuration
// error (a *core.ConfigError; core.ErrProxyNeedsKeys for a missing key)
// instead of panicking.
func NewFrontendAPIProxy(o core.ProxyOptions) (fiber.Handler, error) {
	p, err := core.NewFrontendAPIProxy(o)
	if err != nil {
		return nil, err
	}
	// The proxy's request gets a context of its own: the adaptor makes
	// fasthttp's RequestCtx the request's context, and fasthttp recycles it
	// when the handler returns, while net/http's transport may still
	// consult the context of a finished request (a data race).
	detached := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		p.ServeHTTP(w, r.WithContext(ctx))
	})
	return adaptor.HTTPHandler(detached), nil
}
