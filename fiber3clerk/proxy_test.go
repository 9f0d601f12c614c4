package fiber3clerk_test

import (
	"context"
	"net"
	"net/http"
	"sync"
	"testing"

	"github.com/gofiber/fiber/v3"
	"github.com/valyala/fasthttp"

	"github.com/clerkgo/clerk/core"
	"github.com/clerkgo/clerk/core/authtest"
	"github.com/clerkgo/clerk/fiber3clerk"
)

// TestFrontendAPIProxy: the contract suite's proxy rows (authtest.RunProxy)
// on a fiber.App (v3), mounted with app.All(path+"/*"). Each connection is
// served by fasthttp.ServeConn over an in-memory pipe, since app.Test reads
// answers whole, streamed or not.
func TestFrontendAPIProxy(t *testing.T) {
	authtest.RunProxy(t, authtest.ProxyTarget{
		Name: "fiber3clerk", Package: "fiber3clerk",
		Serve: func(t *testing.T, opts []core.ProxyOptions) (string, func(*http.Request) (*http.Response, error)) {
			app := fiber.New()
			for _, o := range opts {
				app.All(o.Path+"/*", fiber3clerk.FrontendAPIProxy(o))
			}
			var conns sync.WaitGroup
			dial := func(context.Context, string, string) (net.Conn, error) {
				c, s := net.Pipe()
				conns.Add(1)
				go func() {
					defer conns.Done()
					_ = fasthttp.ServeConn(s, app.Handler())
					_ = s.Close()
				}()
				return c, nil
			}
			httpc := &http.Client{Transport: &http.Transport{DialContext: dial}, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			t.Cleanup(func() {
				httpc.CloseIdleConnections()
				conns.Wait()
			})
			return "http://app.example", httpc.Do
		},
		New:  func(o core.ProxyOptions) error { _, err := fiber3clerk.NewFrontendAPIProxy(o); return err },
		Must: func(o core.ProxyOptions) { fiber3clerk.FrontendAPIProxy(o) },
	})
}
