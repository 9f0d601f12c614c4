package ginclerk_test

import (
	"net/http"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/clerkgo/clerk/core"
	"github.com/clerkgo/clerk/core/authtest"
	"github.com/clerkgo/clerk/ginclerk"
)

// TestFrontendAPIProxy: the contract suite's proxy rows (authtest.RunProxy)
// on a gin engine, mounted with r.Any(path+"/*path").
func TestFrontendAPIProxy(t *testing.T) {
	authtest.RunProxy(t, authtest.ProxyTarget{
		Name: "ginclerk", Package: "ginclerk",
		Serve: func(t *testing.T, opts []core.ProxyOptions) (string, func(*http.Request) (*http.Response, error)) {
			gin.SetMode(gin.ReleaseMode)
			r := gin.New()
			for _, o := range opts {
				r.Any(o.Path+"/*path", ginclerk.FrontendAPIProxy(o))
			}
			return authtest.ServeHandler(t, r)
		},
		New:  func(o core.ProxyOptions) error { _, err := ginclerk.NewFrontendAPIProxy(o); return err },
		Must: func(o core.ProxyOptions) { ginclerk.FrontendAPIProxy(o) },
	})
}
