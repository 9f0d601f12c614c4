package browsertest

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/clerkgo/clerk/chiclerk"
	"github.com/clerkgo/clerk/core"
	"github.com/clerkgo/clerk/core/clerktest"
)

// TestBrowserSatellite: a primary app (127.0.0.1) and a satellite app
// (localhost: another site, so neither sees the other's cookies) of one
// instance, both on chi with BrowserPages; the satellite is IsSatellite
// with its Domain and the primary's /sign-in as SignInURL. A headless
// Chromium signs in on the primary, then opens the satellite's /dashboard:
// signed out there, it is sent to the primary's sign-in page, which (as
// clerk-js does for a signed-in user) sends it back with
// __clerk_synced=false; the satellite syncs (development: through the
// primary's primary-responds-to-syncing answer and a dev-browser-sync
// handshake; production: a satellite-needs-syncing handshake at its
// Frontend API, the fake as its ProxyURL) and the browser ends on the
// satellite's /dashboard signed in, after a fixed number of redirects and
// no 401 or 5xx; the next navigation is signed in from the satellite's own
// cookies.
func TestBrowserSatellite(t *testing.T) {
	exec := chromium(t)
	for _, production := range []bool{false, true} {
		instance := map[bool]string{false: "development", true: "production"}[production]
		t.Run(instance, func(t *testing.T) { satelliteWalk(t, exec, production) })
	}
}

func satelliteWalk(t *testing.T, exec string, production bool) {
	clk := &clock{now: time.Now()}
	opts := []clerktest.Option{clerktest.WithClock(clk.Now), clerktest.WithSessionTokenLifetime(tokenLifetime)}
	if production {
		opts = append(opts, clerktest.WithProductionInstance(), clerktest.WithSecretKey("sk_live_browsertest"))
	}
	fake := clerktest.New(opts...)
	t.Cleanup(fake.Close)
	primarySrv, primary := newLoopbackServer(t, "127.0.0.1")
	satSrv, sat := newLoopbackServer(t, "localhost")
	satURL, _ := url.Parse(sat)

	log, satLog := &syncBuffer{}, &syncBuffer{}
	primaryClient := newClient(t, fake, clk.Now, log, nil)
	// newClient's ProxyURL is the fake: a production satellite's Frontend
	// API (clerk.<Domain>) is where the fake plays it.
	satClient := newClient(t, fake, clk.Now, satLog, func(cfg *core.Config) {
		cfg.IsSatellite = true
		cfg.Domain = satURL.Host
		cfg.SignInURL = primary + "/sign-in"
	})
	primarySrv.Config.Handler = primaryApp(primaryClient, sat)
	primarySrv.Start()
	satSrv.Config.Handler = chiApp(satClient)
	satSrv.Start()

	user, _ := fake.DefaultUser()
	hello := "hello " + *user.FirstName + " " + *user.LastName
	ctx, rec := newBrowser(t, exec)

	// Signed in on the primary, as in TestBrowserWalk.
	button := chromedp.CSS(`button[value="` + user.ID + `"]`)
	err := chromedp.Do(ctx, chromedp.Navigate(primary+"/dashboard"), chromedp.WaitVisible(button),
		chromedp.Click(button), chromedp.WaitVisible(chromedp.CSS(`#greeting`)))
	if err != nil {
		t.Fatal(err)
	}
	if greet, at := text(t, ctx, "#greeting"), location(t, ctx); greet != hello || !strings.HasPrefix(at, primary+"/dashboard") {
		t.Fatalf("primary after sign-in: %q at %s", greet, at)
	}
	// A person's next navigation comes seconds later, when the loop
	// guard's cookie (Max-Age=2) is gone: dropped here rather than waited
	// for.
	if _, err := chromedp.Call(ctx, network.DeleteCookies, network.DeleteCookiesParams{Name: "__clerk_redirect_count", URL: primary}); err != nil {
		t.Fatal(err)
	}

	// The satellite.
	before, hs := len(rec.all()), fake.Requests(clerktest.EndpointHandshake)
	dashboard := sat + "/dashboard"
	if err := chromedp.Do(ctx, chromedp.Navigate(dashboard), chromedp.WaitVisible(chromedp.CSS(`#greeting`))); err != nil {
		t.Fatalf("the satellite: %v; responses %v", err, rec.all()[before:])
	}
	if greet, at := text(t, ctx, "#greeting"), location(t, ctx); greet != hello || !strings.HasPrefix(at, dashboard) {
		t.Fatalf("satellite: %q at %s", greet, at)
	}
	var path []string
	redirects := 0
	for _, h := range pages(rec.all()[before:]) {
		path = append(path, shortHop(h, primary, sat, fake.URL))
		if h.status < 300 || h.status >= 400 {
			break // the page
		}
		redirects++
	}
	t.Logf("%d redirects: %s", redirects, strings.Join(path, " -> "))
	want := wantSatelliteHops(production)
	if strings.Join(path, " -> ") != strings.Join(want, " -> ") {
		t.Errorf("the satellite's sync went\n%s\nwant\n%s", strings.Join(path, "\n"), strings.Join(want, "\n"))
	}
	if n := fake.Requests(clerktest.EndpointHandshake) - hs; n != 1 {
		t.Errorf("%d handshakes for the sync, want 1", n)
	}

	// Signed in on the satellite from its own cookies: no sync, no
	// handshake.
	before, hs = len(rec.all()), fake.Requests(clerktest.EndpointHandshake)
	if err := chromedp.Do(ctx, chromedp.Navigate(dashboard)); err != nil {
		t.Fatal(err)
	}
	if greet := text(t, ctx, "#greeting"); greet != hello {
		t.Errorf("the satellite's next page: %q", greet)
	}
	if after := pages(rec.all()[before:]); len(after) != 1 || fake.Requests(clerktest.EndpointHandshake) != hs {
		t.Errorf("the satellite's next page: responses %v, %d handshakes", after, fake.Requests(clerktest.EndpointHandshake)-hs)
	}
	res, err := chromedp.Call(ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{dashboard}})
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, c := range res.Cookies {
		names[c.Name] = true
	}
	if !names["__session"] || !names["__client_uat"] {
		t.Errorf("the satellite's cookies: %v", names)
	}

	rec.noUnauthorized(t)
	for name, l := range map[string]*syncBuffer{"primary": log, "satellite": satLog} {
		if strings.Contains(l.String(), "level=ERROR") {
			t.Errorf("the %s's client logged an error:\n%s", name, l)
		}
	}
}

// wantSatelliteHops is the satellite's sync as the browser sees it, from
// the first visit to the satellite's /dashboard to the signed-in page.
func wantSatelliteHops(production bool) []string {
	start := []string{
		// signed out, no cookies: the primary's sign-in page, which is to
		// come back with __clerk_synced=false
		"307 satellite /dashboard",
		// clerk-js on the primary's sign-in page, signed in: back
		"303 primary /sign-in [redirect_url]",
	}
	if production {
		return append(start,
			"307 satellite /dashboard [__clerk_synced=false]",                                        // satellite-needs-syncing handshake
			"307 fake /v1/client/handshake [redirect_url __clerk_hs_reason=satellite-needs-syncing]", // the primary's session, a nonce
			"200 satellite /dashboard [__clerk_handshake_nonce __clerk_synced=false]",                // resolved: signed in
		)
	}
	return append(start,
		"307 satellite /dashboard [__clerk_synced=false]",                                                // to the primary with __clerk_redirect_url
		"307 primary /sign-in [__clerk_redirect_url]",                                                    // primary-responds-to-syncing
		"307 satellite /dashboard [__clerk_db_jwt __clerk_synced=true]",                                  // dev-browser-sync handshake
		"307 fake /v1/client/handshake [__clerk_db_jwt redirect_url __clerk_hs_reason=dev-browser-sync]", // the primary's session, a nonce
		"307 satellite /dashboard [__clerk_handshake_nonce __clerk_synced=true]",                         // resolved: to the clean URL
		"200 satellite /dashboard [__clerk_synced=true]",
	)
}

// pages drops the browser's own /favicon.ico requests from hops.
func pages(hops []hop) []hop {
	var out []hop
	for _, h := range hops {
		if u, err := url.Parse(h.url); err != nil || u.Path != "/favicon.ico" {
			out = append(out, h)
		}
	}
	return out
}

// shortHop names a response by status, app and path, and the query
// parameters that tell the sync's steps apart (values only for
// __clerk_synced and __clerk_hs_reason).
func shortHop(h hop, primary, sat, fake string) string {
	u, err := url.Parse(h.url)
	if err != nil {
		return h.url
	}
	who := u.Scheme + "://" + u.Host
	switch who {
	case primary:
		who = "primary"
	case sat:
		who = "satellite"
	case fake:
		who = "fake"
	}
	var params []string
	q := u.Query()
	for _, name := range []string{"__clerk_db_jwt", "__clerk_handshake_nonce", "__clerk_redirect_url", "redirect_url", "__clerk_synced", "__clerk_hs_reason"} {
		if !q.Has(name) {
			continue
		}
		if name == "__clerk_synced" || name == "__clerk_hs_reason" {
			params = append(params, name+"="+q.Get(name))
		} else {
			params = append(params, name)
		}
	}
	out := strconv.FormatInt(h.status, 10) + " " + who + " " + u.Path
	if len(params) > 0 {
		out += " [" + strings.Join(params, " ") + "]"
	}
	return out
}

// primaryApp is the primary: chiApp, and a GET /sign-in under the Clerk
// middleware standing in for the primary's sign-in page with clerk-js on
// it. The middleware answers a development satellite's sync request
// (__clerk_redirect_url) itself; a signed-in browser with a redirect_url
// on the satellite is sent back there, as clerk-js sends a signed-in user
// on; a signed-out one is shown the page.
func primaryApp(c *core.Client, sat string) http.Handler {
	r := chiApp(c)
	public := chiclerk.Middleware(chiclerk.WithClient(c), chiclerk.BrowserPages(true), chiclerk.Optional(true))
	r.With(public).Get("/sign-in", func(w http.ResponseWriter, r *http.Request) {
		back := r.URL.Query().Get("redirect_url")
		if chiclerk.Session(r.Context()) != nil && strings.HasPrefix(back, sat+"/") {
			w.Header().Set("Cache-Control", "no-store")
			http.Redirect(w, r, back, http.StatusSeeOther)
			return
		}
		writeHTML(w, `<!doctype html><title>sign in</title><p id="sign-in">sign in on the primary</p>`)
	})
	return r
}
