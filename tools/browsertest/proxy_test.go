package browsertest

import (
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/clerkgo/clerk/chiclerk"
	"github.com/clerkgo/clerk/core"
	"github.com/clerkgo/clerk/core/clerktest"
	"github.com/clerkgo/clerk/ginclerk"
)

// proxiedApps are the apps that mount the Frontend API proxy at /__clerk
// beside their pages, in one line of their adapter.
var proxiedApps = []struct {
	name string
	app  func(c *core.Client, opts core.ProxyOptions) http.Handler
}{
	{"chi", func(c *core.Client, opts core.ProxyOptions) http.Handler {
		r := chiApp(c)
		r.Mount("/__clerk", chiclerk.FrontendAPIProxy(opts))
		return r
	}},
	{"gin", func(c *core.Client, opts core.ProxyOptions) http.Handler {
		r := ginApp(c)
		r.Any("/__clerk/*path", ginclerk.FrontendAPIProxy(opts))
		return r
	}},
}

// newLoopbackServer is an unstarted httptest server and the base URL the
// browser reaches it at: host ("127.0.0.1" or "localhost", which are
// different sites with cookies of their own) and the listener's port.
func newLoopbackServer(t *testing.T, host string) (*httptest.Server, string) {
	t.Helper()
	srv := httptest.NewUnstartedServer(nil)
	t.Cleanup(srv.Close)
	_, port, err := net.SplitHostPort(srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	return srv, "http://" + net.JoinHostPort(host, port)
}

// TestBrowserProxy: an app serves its instance's Frontend API from its own
// /__clerk (Config.ProxyURL; the proxy mounted by the adapter forwards to
// the fake Clerk), and its sign-in page is the fake's, through the proxy.
// A headless Chromium opens /dashboard signed out, signs in on the sign-in
// page and is back on /dashboard signed in; every request it sent went to
// the app's host (never to the fake's), and no response was a 401 or a
// 5xx. For a development and a production instance.
func TestBrowserProxy(t *testing.T) {
	exec := chromium(t)
	for _, fw := range proxiedApps {
		for _, production := range []bool{false, true} {
			instance := map[bool]string{false: "development", true: "production"}[production]
			t.Run(fw.name+"/"+instance, func(t *testing.T) {
				proxyWalk(t, exec, fw.app, production)
			})
		}
	}
}

func proxyWalk(t *testing.T, exec string, app func(*core.Client, core.ProxyOptions) http.Handler, production bool) {
	// The app on localhost, the fake on 127.0.0.1: other hosts, so a
	// request to the fake is told by its host, and no cookie of one
	// reaches the other.
	srv, base := newLoopbackServer(t, "localhost")
	proxyURL := base + "/__clerk"
	clk := &clock{now: time.Now()}
	opts := []clerktest.Option{clerktest.WithClock(clk.Now), clerktest.WithSessionTokenLifetime(tokenLifetime),
		clerktest.WithIssuer(proxyURL)} // tokens issued through the proxy
	if production {
		opts = append(opts, clerktest.WithProductionInstance())
	}
	fake := clerktest.New(opts...)
	t.Cleanup(fake.Close)
	log := &syncBuffer{}
	c := newClient(t, fake, clk.Now, log, func(cfg *core.Config) {
		cfg.ProxyURL = proxyURL
		cfg.SignInURL = proxyURL + "/sign-in" // the fake's sign-in page, through the proxy
	})
	srv.Config.Handler = app(c, core.ProxyOptions{Client: c, FrontendAPIURL: fake.URL})
	srv.Start()

	dashboard := base + "/dashboard"
	user, _ := fake.DefaultUser()
	hello := "hello " + *user.FirstName + " " + *user.LastName
	ctx, rec := newBrowser(t, exec)

	button := chromedp.CSS(`button[value="` + user.ID + `"]`)
	if err := chromedp.Do(ctx, chromedp.Navigate(dashboard), chromedp.WaitVisible(button)); err != nil {
		t.Fatal(err)
	}
	at := location(t, ctx)
	if u, err := url.Parse(at); err != nil || !strings.HasPrefix(at, proxyURL+"/sign-in?") || u.Query().Get("redirect_url") != dashboard {
		t.Fatalf("signed out, /dashboard ended at %s, want the sign-in page through the proxy with redirect_url %s", at, dashboard)
	}

	if err := chromedp.Do(ctx, chromedp.Click(button), chromedp.WaitVisible(chromedp.CSS(`#greeting`))); err != nil {
		t.Fatal(err)
	}
	if greet, at := text(t, ctx, "#greeting"), location(t, ctx); greet != hello || !strings.HasPrefix(at, dashboard) {
		t.Fatalf("after sign-in: %q at %s", greet, at)
	}
	// Signed in from the cookies: no more handshakes.
	hs := fake.Requests(clerktest.EndpointHandshake)
	if err := chromedp.Do(ctx, chromedp.Navigate(dashboard)); err != nil {
		t.Fatal(err)
	}
	if greet := text(t, ctx, "#greeting"); greet != hello {
		t.Errorf("the next navigation: %q", greet)
	}
	if n := fake.Requests(clerktest.EndpointHandshake); n != hs {
		t.Errorf("%d handshakes on a signed-in navigation", n-hs)
	}

	// Production: one handshake (client-uat-but-no-session-token) after
	// the sign-in. Development: dev-browser-missing before it, and
	// dev-browser-sync after it. All of them through the proxy.
	seen := rec.count(proxyURL + "/v1/client/handshake")
	if n := fake.Requests(clerktest.EndpointHandshake); n < 1 || n != seen {
		t.Errorf("%d handshakes at the fake, %d seen by the browser through the proxy", n, seen)
	}
	if fake.Requests(clerktest.EndpointSignIn) != 1 {
		t.Errorf("%d sign-ins at the fake", fake.Requests(clerktest.EndpointSignIn))
	}
	appURL, _ := url.Parse(base)
	sent := rec.sent()
	for _, s := range sent {
		if u, err := url.Parse(s); err != nil || u.Host != appURL.Host {
			t.Errorf("the browser sent a request to %s, not to the app (%s)", s, appURL.Host)
		}
	}
	rec.noUnauthorized(t)
	if strings.Contains(log.String(), "level=ERROR") {
		t.Errorf("the client logged an error:\n%s", log)
	}
	t.Logf("%d requests, all to %s; %d responses, %d handshakes through the proxy", len(sent), appURL.Host, len(rec.all()), seen)
}
