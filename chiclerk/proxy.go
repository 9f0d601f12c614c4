package chiclerk

import (
	"fmt"
	"net/http"

	"github.com/clerkgo/clerk/core"
)

// FrontendAPIProxy returns a handler that serves the Clerk instance's
// Frontend API from the application's own domain (core.FrontendAPIProxy:
// Clerk's clerkFrontendApiProxy), to mount at its path:
//
//	r.Mount("/__clerk", chiclerk.FrontendAPIProxy(core.ProxyOptions{Client: client}))
//
// Mount it at o.Path (default "/__clerk", or Config.ProxyURL's path), with
// Mount or Handle, not behind http.StripPrefix: it reads the full path.
// Bodies stream both ways. Register it outside the Clerk middleware: the
// browser calls it to get a session. With no o.Client the client is built
// from the environment (CLERK_SECRET_KEY, CLERK_PUBLISHABLE_KEY,
// CLERK_PROXY_URL). An invalid configuration panics at once with a message
// naming the setting, never a secret; use [NewFrontendAPIProxy] to get the
// error instead.
func FrontendAPIProxy(o core.ProxyOptions) http.Handler {
	h, err := NewFrontendAPIProxy(o)
	if err != nil {
		panic(fmt.Sprintf("chiclerk: invalid Frontend API proxy configuration: %v", err))
	}
	return h
}

// NewFrontendAPIProxy is [FrontendAPIProxy] returning the configuration
// error (a *core.ConfigError; core.ErrProxyNeedsKeys for a missing key)
// instead of panicking.
func NewFrontendAPIProxy(o core.ProxyOptions) (http.Handler, error) {
	p, err := core.NewFrontendAPIProxy(o)
	if err != nil {
		return nil, err
	}
	return p, nil
}
