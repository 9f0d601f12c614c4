package core_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/clerkgo/clerk/core"
	"github.com/clerkgo/clerk/core/clerktest"
)

const satURL = "http://sat.example/dashboard?tab=2"

// newSatelliteSetup is newPageSetup for a satellite (IsSatellite, the
// fake as its proxy) whose sign-in page is signIn.
func newSatelliteSetup(t *testing.T, production bool, signIn string, opts ...func(*core.Config, *core.Options)) *pageSetup {
	t.Helper()
	clk := newClock()
	fopts := []clerktest.Option{clerktest.WithSessionTokenLifetime(30 * time.Second)}
	if production {
		// Clerk tells a satellite's instance by its secret key
		fopts = append(fopts, clerktest.WithProductionInstance(), clerktest.WithSecretKey("sk_live_satellite"))
	}
	s := newFake(t, clk, fopts...)
	cfg := fakeConfig(s, clk)
	cfg.PublishableKey = s.PublishableKey()
	cfg.IsSatellite = true
	cfg.SignInURL = signIn
	buf := &bytes.Buffer{}
	cfg.Logger = slog.New(slog.NewTextHandler(buf, nil))
	o := core.Options{BrowserPages: true, SkipUserFetch: true, NoSignInRedirect: true}
	for _, f := range opts {
		f(&cfg, &o)
	}
	o.Client = newClient(t, cfg)
	a, err := core.NewAuthenticator(o)
	if err != nil {
		t.Fatal(err)
	}
	return &pageSetup{s: s, clk: clk, a: a, log: buf}
}

// TestSatelliteDecision: a satellite's page requests as Clerk's
// multi-domain sync decides them, in production (the handshake) and in
// development (the primary's sign-in with __clerk_redirect_url).
func TestSatelliteDecision(t *testing.T) {
	const primarySignIn = "http://primary.example/sign-in?from=sat"
	prod := newSatelliteSetup(t, true, "")
	dev := newSatelliteSetup(t, false, primarySignIn)
	auto := newSatelliteSetup(t, true, "", func(c *core.Config, _ *core.Options) { c.SatelliteAutoSync = true })
	now := prod.clk.Now()
	uat := strconv.FormatInt(now.Add(-time.Minute).Unix(), 10)
	valid := prod.s.Token(clerktest.WithSessionID("sess_1"))
	devValid := dev.s.Token(clerktest.WithSessionID("sess_1"))
	needsSync := satURL + "&__clerk_synced=false"
	synced := satURL + "&__clerk_synced=true"
	type cookies = map[string]string
	cases := []struct {
		name     string
		setup    *pageSetup
		req      *http.Request
		status   core.PageStatus
		reason   string
		location string // a redirect's exact Location; "handshake": the handshake's
		redirect string // the handshake's redirect_url
		session  string
	}{
		{name: "first visit, no cookies: signed out, no sync", setup: prod, req: pageReq("GET", satURL, nil), status: core.PageSignedOut, reason: "session-token-and-uat-missing"},
		{name: "back from the primary's sign-in", setup: prod, req: pageReq("GET", needsSync, nil), status: core.PageHandshake, reason: "satellite-needs-syncing", location: "handshake", redirect: needsSync},
		{name: "sync done", setup: prod, req: pageReq("GET", synced, nil), status: core.PageSignedOut, reason: "session-token-and-uat-missing"},
		{name: "cookies: the ordinary decision", setup: prod, req: pageReq("GET", satURL, cookies{"__session": valid, "__client_uat": uat}), status: core.PageSignedIn},
		{name: "cookies and a sync request", setup: prod, req: pageReq("GET", needsSync, cookies{"__session": valid, "__client_uat": uat}), status: core.PageHandshake, reason: "satellite-needs-syncing", location: "handshake", redirect: needsSync, session: valid},
		{name: "uat only: the ordinary decision", setup: prod, req: pageReq("GET", satURL, cookies{"__client_uat": uat}), status: core.PageHandshake, reason: "client-uat-but-no-session-token", location: "handshake", redirect: satURL},
		{name: "fetch() call asking to sync", setup: prod, req: pageReq("GET", needsSync, nil, "Sec-Fetch-Dest", "empty"), status: core.PageSignedOut, reason: "session-token-and-uat-missing"},
		{name: "no Sec-Fetch-Dest: not a sync", setup: prod, req: pageReq("GET", needsSync, nil, "Sec-Fetch-Dest", "", "Accept", "text/html"), status: core.PageSignedOut, reason: "session-token-and-uat-missing"},
		{name: "POST asking to sync", setup: prod, req: pageReq("POST", needsSync, nil), status: core.PageSignedOut, reason: "session-token-and-uat-missing"},
		{name: "iframe asking to sync", setup: prod, req: pageReq("GET", needsSync, nil, "Sec-Fetch-Dest", "iframe"), status: core.PageSignedOut, reason: "session-token-and-uat-missing"},
		{name: "loop guard", setup: prod, req: pageReq("GET", needsSync, cookies{"__clerk_redirect_count": "3"}), status: core.PageSignedOut, reason: "satellite-needs-syncing"},
		{name: "auto sync, no cookies", setup: auto, req: pageReq("GET", satURL, nil), status: core.PageHandshake, reason: "satellite-needs-syncing", location: "handshake", redirect: satURL},
		{name: "dev: first visit", setup: dev, req: pageReq("GET", satURL, nil), status: core.PageSignedOut, reason: "session-token-and-uat-missing"},
		{name: "dev: back from the primary's sign-in", setup: dev, req: pageReq("GET", needsSync, nil), status: core.PageHandshake, reason: "satellite-needs-syncing",
			location: primarySignIn + "&__clerk_redirect_url=" + url.QueryEscape(needsSync)},
		{name: "dev: sync done, no dev browser", setup: dev, req: pageReq("GET", synced, nil), status: core.PageHandshake, reason: "dev-browser-missing", location: "handshake", redirect: synced},
		{name: "dev: cookies", setup: dev, req: pageReq("GET", satURL, cookies{"__session": devValid, "__client_uat": uat, "__clerk_db_jwt": "dvb_1"}), status: core.PageSignedIn},
		{name: "dev: a satellite does not answer sync requests", setup: dev, req: pageReq("GET", satURL+"&__clerk_redirect_url=http%3A%2F%2Fx.example%2F", cookies{"__session": devValid, "__client_uat": uat, "__clerk_db_jwt": "dvb_1"}), status: core.PageSignedIn},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := tc.setup.a.AuthenticatePage(context.Background(), core.HTTPRequest(tc.req))
			if res.Status != tc.status || res.Reason != tc.reason {
				t.Fatalf("status %q reason %q, want %q %q (err %v)", res.Status, res.Reason, tc.status, tc.reason, res.Err)
			}
			if tc.status == core.PageSignedOut && (res.Redirect() || core.FailureOf(res.Err).Status != http.StatusUnauthorized) {
				t.Fatalf("signed out: %+v", res)
			}
			switch tc.location {
			case "":
				if res.Redirect() {
					t.Fatalf("Location %q", res.Header.Get("Location"))
				}
			case "handshake":
				loc, err := url.Parse(res.Header.Get("Location"))
				if err != nil || loc.Scheme+"://"+loc.Host+loc.Path != tc.setup.s.URL+"/v1/client/handshake" {
					t.Fatalf("Location %q", res.Header.Get("Location"))
				}
				q := loc.Query()
				if q.Get("redirect_url") != tc.redirect || q.Get("__clerk_hs_reason") != tc.reason || q.Get("__session") != tc.session {
					t.Errorf("handshake query %v", q)
				}
			default:
				if got := res.Header.Get("Location"); got != tc.location {
					t.Errorf("Location %q\nwant     %q", got, tc.location)
				}
			}
			if res.Redirect() && (res.Header.Get("Cache-Control") != "no-store" || res.Header.Get("X-Clerk-Auth-Reason") != tc.reason ||
				res.Header.Get("Set-Cookie") != "__clerk_redirect_count=1; SameSite=Lax; HttpOnly; Max-Age=2") {
				t.Errorf("headers %v", res.Header)
			}
		})
	}
	if !strings.Contains(prod.log.String(), "satellite-domain authentication resulted in an infinite redirect loop") {
		t.Errorf("the loop guard logged %q", prod.log.String())
	}
	for _, p := range []*pageSetup{prod, dev, auto} {
		if l := p.log.String(); strings.Contains(l, valid) || strings.Contains(l, devValid) || strings.Contains(l, "dvb_1") {
			t.Errorf("a token in the log: %q", l)
		}
	}
}

// TestSatelliteSignInRedirect: a satellite's signed-out page is sent to
// the primary's sign-in page with __clerk_synced=false on its
// redirect_url, so that it syncs when it comes back (Clerk's
// createRedirect); a sign-in page on the satellite itself gets none.
func TestSatelliteSignInRedirect(t *testing.T) {
	p := newSatelliteSetup(t, true, "https://primary.example/sign-in", func(_ *core.Config, o *core.Options) { o.NoSignInRedirect = false })
	res := p.a.AuthenticatePage(context.Background(), core.HTTPRequest(pageReq("GET", satURL, nil)))
	want := "https://primary.example/sign-in?redirect_url=" + url.QueryEscape(satURL+"&__clerk_synced=false")
	if res.Header.Get("Location") != want || res.SignInURL != want {
		t.Errorf("Location %q\nwant     %q", res.Header.Get("Location"), want)
	}
}

// TestPrimaryRespondsToSync: a development primary asked to sync
// (__clerk_redirect_url) sends the browser back with its
// development-browser token and __clerk_synced=true; a URL that is not an
// absolute http(s) URL, or not an authorized party's when they are
// configured, signs the request out without a redirect.
func TestPrimaryRespondsToSync(t *testing.T) {
	dev := newPageSetup(t, false, func(o *core.Options) { o.NoSignInRedirect = true })
	prod := newPageSetup(t, true, func(o *core.Options) { o.NoSignInRedirect = true })
	clk := newClock()
	s := newFake(t, clk)
	cfg := fakeConfig(s, clk)
	cfg.PublishableKey = s.PublishableKey()
	cfg.AuthorizedParties = []string{"http://sat.example"}
	parties, err := core.NewAuthenticator(core.Options{Client: newClient(t, cfg), BrowserPages: true, SkipUserFetch: true, NoSignInRedirect: true})
	if err != nil {
		t.Fatal(err)
	}
	partiesSetup := &pageSetup{s: s, clk: clk, a: parties}
	back := "http://sat.example/dashboard?tab=2&__clerk_synced=false#top"
	signIn := "http://app.example/sign-in?__clerk_redirect_url=" + url.QueryEscape(back)
	db := map[string]string{"__clerk_db_jwt": "dvb_1"}
	cases := []struct {
		name     string
		setup    *pageSetup
		req      *http.Request
		status   core.PageStatus
		reason   string
		location string
	}{
		{"dev primary", dev, pageReq("GET", signIn, db), core.PageHandshake, "primary-responds-to-syncing", "http://sat.example/dashboard?tab=2&__clerk_synced=true&__clerk_db_jwt=dvb_1#top"},
		{"dev primary, no dev browser", dev, pageReq("GET", signIn, nil), core.PageHandshake, "primary-responds-to-syncing", "http://sat.example/dashboard?tab=2&__clerk_synced=true#top"},
		{"authorized party", partiesSetup, pageReq("GET", signIn, db), core.PageHandshake, "primary-responds-to-syncing", "http://sat.example/dashboard?tab=2&__clerk_synced=true&__clerk_db_jwt=dvb_1#top"},
		{"not an authorized party", partiesSetup, pageReq("GET", "http://app.example/?__clerk_redirect_url="+url.QueryEscape("http://evil.example/"), db), core.PageSignedOut, "primary-responds-to-syncing", ""},
		{"fetch() call", dev, pageReq("GET", signIn, db, "Sec-Fetch-Dest", "empty"), core.PageSignedOut, "primary-responds-to-syncing", ""},
		{"javascript: URL", dev, pageReq("GET", "http://app.example/?__clerk_redirect_url=javascript%3Aalert(1)", db), core.PageSignedOut, "primary-responds-to-syncing", ""},
		{"relative URL", dev, pageReq("GET", "http://app.example/?__clerk_redirect_url=%2F%2Fevil.example", db), core.PageSignedOut, "primary-responds-to-syncing", ""},
		{"production primary: not a sync", prod, pageReq("GET", signIn, nil), core.PageSignedOut, "session-token-and-uat-missing", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := tc.setup.a.AuthenticatePage(context.Background(), core.HTTPRequest(tc.req))
			if res.Status != tc.status || res.Reason != tc.reason || res.Header.Get("Location") != tc.location {
				t.Fatalf("%q %q %q, want %q %q %q", res.Status, res.Reason, res.Header.Get("Location"), tc.status, tc.reason, tc.location)
			}
			if tc.location != "" && res.Header.Get("Cache-Control") != "no-store" {
				t.Errorf("Cache-Control %q", res.Header.Get("Cache-Control"))
			}
		})
	}
}

// TestPrimaryCrossOriginSync: a primary's signed-in cookie session on a
// GET document request whose Referer is another origin, not Clerk's, is
// handed to the handshake (primary-domain-cross-origin-sync).
func TestPrimaryCrossOriginSync(t *testing.T) {
	prod := newPageSetup(t, true, func(o *core.Options) { o.NoSignInRedirect = true })
	dev := newPageSetup(t, false, func(o *core.Options) { o.NoSignInRedirect = true })
	sat := newSatelliteSetup(t, true, "")
	uat := strconv.FormatInt(prod.clk.Now().Add(-time.Minute).Unix(), 10)
	jar := func(p *pageSetup, extra ...string) map[string]string {
		c := map[string]string{"__session": p.s.Token(clerktest.WithSessionID("sess_1")), "__client_uat": uat}
		for i := 0; i+1 < len(extra); i += 2 {
			c[extra[i]] = extra[i+1]
		}
		return c
	}
	cases := []struct {
		name    string
		setup   *pageSetup
		req     *http.Request
		crossed bool
	}{
		{"another origin", prod, pageReq("GET", appURL, jar(prod), "Referer", "https://sat.example/page"), true},
		{"same origin, default port", prod, pageReq("GET", appURL, jar(prod), "Referer", "HTTP://App.Example:80/x"), false},
		{"same host, other port", prod, pageReq("GET", appURL, jar(prod), "Referer", "http://app.example:8080/x"), true},
		{"same host, https", prod, pageReq("GET", appURL, jar(prod), "Referer", "https://app.example/x"), true},
		{"the Frontend API (proxy) host", prod, pageReq("GET", appURL, jar(prod), "Referer", prod.s.URL+"/v1/client"), false},
		{"not a URL", prod, pageReq("GET", appURL, jar(prod), "Referer", "not a url"), false},
		{"no Referer", prod, pageReq("GET", appURL, jar(prod)), false},
		// Opaque URLs have the origin "null", a blob: URL its inner URL's,
		// and a special scheme without slashes is the URL with them (the
		// WHATWG parser, as Clerk's new URL(); found by the differential test).
		{"about:blank", prod, pageReq("GET", appURL, jar(prod), "Referer", "about:blank"), true},
		{"data: URL", prod, pageReq("GET", appURL, jar(prod), "Referer", "data:text/html,x"), true},
		{"blob: of another origin", prod, pageReq("GET", appURL, jar(prod), "Referer", "blob:https://sat.example/0b8e"), true},
		{"blob: of the same origin", prod, pageReq("GET", appURL, jar(prod), "Referer", "blob:http://app.example/0b8e"), false},
		{"same origin without slashes", prod, pageReq("GET", appURL, jar(prod), "Referer", "http:app.example/x"), false},
		{"a handshake in progress", prod, pageReq("GET", appURL, jar(prod, "__clerk_redirect_count", "1"), "Referer", "https://sat.example/"), false},
		{"Accept text/html, no Sec-Fetch-Dest", prod, pageReq("GET", appURL, jar(prod), "Sec-Fetch-Dest", "", "Accept", "text/html", "Referer", "https://sat.example/"), false},
		{"iframe", prod, pageReq("GET", appURL, jar(prod), "Sec-Fetch-Dest", "iframe", "Referer", "https://sat.example/"), false},
		{"dev account portal, production", prod, pageReq("GET", appURL, jar(prod), "Referer", "https://foo-bar-1.accounts.dev/sign-in"), true},
		{"dev account portal, development", dev, pageReq("GET", appURL, jar(dev, "__clerk_db_jwt", "dvb_1"), "Referer", "https://foo-bar-1.accounts.dev/sign-in"), false},
		{"dev FAPI host is not a portal", dev, pageReq("GET", appURL, jar(dev, "__clerk_db_jwt", "dvb_1"), "Referer", "https://foo-bar-1.clerk.accounts.dev/"), true},
		{"a satellite never", sat, pageReq("GET", satURL, jar(sat), "Referer", "https://elsewhere.example/"), false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := tc.setup.a.AuthenticatePage(context.Background(), core.HTTPRequest(tc.req))
			if !tc.crossed {
				if res.Status != core.PageSignedIn {
					t.Fatalf("%q %q (%v)", res.Status, res.Reason, res.Err)
				}
				return
			}
			if res.Status != core.PageHandshake || res.Reason != "primary-domain-cross-origin-sync" ||
				res.Message != "Cross-origin request from satellite domain requires handshake" ||
				res.Header.Get("X-Clerk-Auth-Message") != res.Message {
				t.Fatalf("%q %q %q", res.Status, res.Reason, res.Message)
			}
			loc, _ := url.Parse(res.Header.Get("Location"))
			if q := loc.Query(); q.Get("__clerk_hs_reason") != "primary-domain-cross-origin-sync" || q.Get("__session") == "" {
				t.Errorf("handshake query %v", q)
			}
		})
	}
}

// TestSatelliteConfig: Clerk's satellite asserts, at start-up, as
// *ConfigError with Clerk's messages; CLERK_IS_SATELLITE as Clerk's
// isTruthy reads it; a production satellite's Frontend API is
// clerk.<Domain> (the handshake goes there, its tokens' iss is accepted).
func TestSatelliteConfig(t *testing.T) {
	pkLive := "pk_live_" + base64.StdEncoding.EncodeToString([]byte("clerk.primary.example$"))
	pkTest := "pk_test_" + base64.StdEncoding.EncodeToString([]byte("foo-bar-1.clerk.accounts.dev$"))
	cases := []struct {
		name    string
		cfg     core.Config
		field   string
		problem string
	}{
		{"no publishable key", core.Config{SecretKey: "sk_live_x", IsSatellite: true, Domain: "sat.example"}, "PublishableKey", "Publishable key is missing"},
		{"no domain, no proxy", core.Config{SecretKey: "sk_live_x", PublishableKey: pkLive, IsSatellite: true}, "Domain", "Missing domain and proxyUrl. A satellite application needs to specify a domain or a proxyUrl"},
		{"dev without sign-in URL", core.Config{SecretKey: "sk_test_x", PublishableKey: pkTest, IsSatellite: true, Domain: "localhost:3001"}, "SignInURL", "Missing signInUrl. Pass a signInUrl for dev instances if an app is satellite"},
		{"dev by the publishable key", core.Config{PublishableKey: pkTest, IsSatellite: true, Domain: "localhost:3001"}, "SignInURL", "Missing signInUrl"},
		{"relative sign-in URL", core.Config{SecretKey: "sk_live_x", PublishableKey: pkLive, IsSatellite: true, Domain: "sat.example", SignInURL: "/sign-in"}, "SignInURL", "The signInUrl needs to have a absolute url format."},
		{"sign-in URL on the satellite", core.Config{SecretKey: "sk_live_x", PublishableKey: pkLive, IsSatellite: true, Domain: "sat.example", SignInURL: "https://sat.example/sign-in"}, "SignInURL", "The signInUrl needs to be on a different origin than your satellite application."},
		{"production without sign-in URL", core.Config{SecretKey: "sk_live_x", PublishableKey: pkLive, IsSatellite: true, Domain: "sat.example"}, "", ""},
		{"proxy instead of domain", core.Config{SecretKey: "sk_test_x", PublishableKey: pkTest, IsSatellite: true, ProxyURL: "https://sat.example/__clerk", SignInURL: "https://primary.example/sign-in"}, "", ""},
		{"Domain without IsSatellite: the Frontend API, as before", core.Config{SecretKey: "sk_test_x", Domain: "foo-bar-1.clerk.accounts.dev"}, "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := core.New(tc.cfg)
			if tc.field == "" {
				if err != nil {
					t.Fatal(err)
				}
				c.Close()
				return
			}
			var ce *core.ConfigError
			if !errors.As(err, &ce) || ce.Field != tc.field || !strings.Contains(ce.Problem, tc.problem) {
				t.Fatalf("%v, want %s: %s", err, tc.field, tc.problem)
			}
		})
	}

	for v, want := range map[string]any{"true": true, "TRUE": true, "1": true, "2": true, "false": false, "0": false, "-1": false, "yes": "error", "1x": "error"} {
		t.Setenv(core.EnvIsSatellite, v)
		t.Setenv(core.EnvSecretKey, "sk_live_x")
		t.Setenv(core.EnvPublishableKey, pkLive)
		t.Setenv(core.EnvDomain, "sat.example")
		cfg, err := core.ConfigFromEnv()
		var ce *core.ConfigError
		switch want {
		case "error":
			if !errors.As(err, &ce) || ce.Field != core.EnvIsSatellite {
				t.Errorf("%q: %v", v, err)
			}
		default:
			if err != nil || cfg.IsSatellite != want {
				t.Errorf("%q: %v %v", v, cfg.IsSatellite, err)
			}
		}
	}
	t.Setenv(core.EnvIsSatellite, "true")
	t.Setenv(core.EnvDomain, "")
	if _, err := core.ConfigFromEnv(); err == nil || !strings.Contains(err.Error(), core.EnvDomain+": Missing domain and proxyUrl") {
		t.Errorf("satellite without a domain from the environment: %v", err)
	}

	// A production satellite's handshake goes to clerk.<Domain>, and a
	// token issued there is accepted.
	clk := newClock()
	s := newFake(t, clk, clerktest.WithProductionInstance(), clerktest.WithSecretKey("sk_live_satellite"))
	cfg := fakeConfig(s, clk)
	cfg.ProxyURL = ""
	cfg.PublishableKey = s.PublishableKey()
	cfg.IsSatellite, cfg.Domain = true, "sat.example"
	c := newClient(t, cfg)
	a, err := core.NewAuthenticator(core.Options{Client: c, BrowserPages: true, SkipUserFetch: true})
	if err != nil {
		t.Fatal(err)
	}
	res := a.AuthenticatePage(context.Background(), core.HTTPRequest(pageReq("GET", satURL+"&__clerk_synced=false", nil)))
	if loc := res.Header.Get("Location"); !strings.HasPrefix(loc, "https://clerk.sat.example/v1/client/handshake?") {
		t.Errorf("Location %q", loc)
	}
	tok := s.Token(clerktest.WithClaim("iss", "https://clerk.sat.example"))
	if _, err := c.VerifyToken(context.Background(), tok); err != nil {
		t.Errorf("a token of clerk.sat.example: %v", err)
	}
	if _, err := c.VerifyToken(context.Background(), s.Token(clerktest.WithClaim("iss", "https://clerk.sat.example/x"))); core.ReasonOf(err) != core.ReasonTokenInvalidIssuer {
		t.Errorf("a token of another issuer: %v", err)
	}
	// The satellite's own cookie token belongs to the instance (Clerk's
	// originalFrontendApi is clerk.<Domain>): the un-suffixed cookies
	// are read, not the (absent) suffixed ones.
	uat := strconv.FormatInt(clk.Now().Add(-time.Minute).Unix(), 10)
	res = a.AuthenticatePage(context.Background(), core.HTTPRequest(pageReq("GET", satURL, map[string]string{"__session": tok, "__client_uat": uat})))
	if res.Status != core.PageSignedIn {
		t.Errorf("the satellite's cookie session: %q %q (%v)", res.Status, res.Reason, res.Err)
	}
}

// TestSatelliteRoundTrip walks a browser signed in on the fake through a
// production satellite's sync: back from the primary's sign-in with
// __clerk_synced=false, the handshake on the fake (the satellite's proxy)
// finds the browser's session and the satellite resolves the nonce into
// its own cookies; later pages are signed in from them.
func TestSatelliteRoundTrip(t *testing.T) {
	sat := newSatelliteSetup(t, true, "")
	app := httptest.NewServer(pageApp(sat.a))
	t.Cleanup(app.Close)
	// the satellite on another host than the fake's 127.0.0.1
	satBase := strings.Replace(app.URL, "127.0.0.1", "localhost", 1)
	b, _ := browserClient(t)
	user := sat.s.DefaultUserID()
	form := url.Values{"user_id": {user}, "redirect_url": {"https://primary.example/"}}
	req, _ := http.NewRequest("POST", sat.s.URL+"/sign-in", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	b.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := b.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	bb, hops := browserClient(t)
	bb.Jar = b.Jar

	page := satBase + "/dashboard"
	get := func(u string) (int, string, *url.URL) {
		t.Helper()
		r, _ := http.NewRequest("GET", u, nil)
		r.Header.Set("Sec-Fetch-Dest", "document")
		newNavigation(bb, u)
		resp, err := bb.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body), resp.Request.URL
	}
	if code, _, _ := get(page); code != http.StatusUnauthorized {
		t.Fatalf("first visit: %d", code)
	}
	hs := sat.s.Requests(clerktest.EndpointHandshake)
	code, _, at := get(page + "?__clerk_synced=false")
	if code != http.StatusOK || at.Query().Get("__clerk_handshake_nonce") == "" || sat.s.Requests(clerktest.EndpointHandshake) != hs+1 || *hops != 2 {
		t.Fatalf("sync: %d at %s after %d hops", code, at, *hops)
	}
	if r := sat.s.LastHandshakeQuery().Get("__clerk_hs_reason"); r != "satellite-needs-syncing" {
		t.Errorf("handshake reason %q", r)
	}
	if code, _, _ := get(page); code != http.StatusOK || sat.s.Requests(clerktest.EndpointHandshake) != hs+1 {
		t.Fatalf("after sync: %d", code)
	}
}

// TestSatelliteLocationsAsClerk: the exact Locations @clerk/backend 3.25.0's
// authenticateRequest answers for these requests (run in Node with the
// same keys and options), without a proxy.
func TestSatelliteLocationsAsClerk(t *testing.T) {
	pkLive := "pk_live_" + base64.StdEncoding.EncodeToString([]byte("clerk.primary.example$"))
	pkTest := "pk_test_" + base64.StdEncoding.EncodeToString([]byte("foo-bar-1.clerk.accounts.dev$"))
	auth := func(cfg core.Config) *core.Authenticator {
		a, err := core.NewAuthenticator(core.Options{Client: newClient(t, cfg), BrowserPages: true, SkipUserFetch: true, NoSignInRedirect: true})
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	prodSat := auth(core.Config{SecretKey: "sk_live_x", PublishableKey: pkLive, IsSatellite: true, Domain: "sat.example"})
	devSat := auth(core.Config{SecretKey: "sk_test_x", PublishableKey: pkTest, IsSatellite: true, Domain: "localhost:3001", SignInURL: "http://primary.example/sign-in?from=sat"})
	devPrimary := auth(core.Config{SecretKey: "sk_test_x", PublishableKey: pkTest})
	cases := []struct {
		name     string
		a        *core.Authenticator
		req      *http.Request
		reason   string
		location string
	}{
		{"production satellite, sync", prodSat, pageReq("GET", "https://sat.example/dashboard?tab=2&__clerk_synced=false", nil), "satellite-needs-syncing",
			"https://clerk.sat.example/v1/client/handshake?redirect_url=https%3A%2F%2Fsat.example%2Fdashboard%3Ftab%3D2%26__clerk_synced%3Dfalse&__clerk_api_version=2026-05-12&suffixed_cookies=false&__clerk_hs_reason=satellite-needs-syncing&format=nonce"},
		{"production satellite, first visit", prodSat, pageReq("GET", "https://sat.example/dashboard?tab=2", nil), "session-token-and-uat-missing", ""},
		{"production satellite, synced", prodSat, pageReq("GET", "https://sat.example/dashboard?tab=2&__clerk_synced=true", nil), "session-token-and-uat-missing", ""},
		{"development satellite, sync", devSat, pageReq("GET", "http://localhost:3001/dashboard?tab=2&__clerk_synced=false", nil), "satellite-needs-syncing",
			"http://primary.example/sign-in?from=sat&__clerk_redirect_url=http%3A%2F%2Flocalhost%3A3001%2Fdashboard%3Ftab%3D2%26__clerk_synced%3Dfalse"},
		{"development primary answers", devPrimary, pageReq("GET", "http://app.example/sign-in?__clerk_redirect_url="+url.QueryEscape("http://sat.example/dashboard?tab=2&__clerk_synced=false#top"), map[string]string{"__clerk_db_jwt": "dvb_1"}),
			"primary-responds-to-syncing", "http://sat.example/dashboard?tab=2&__clerk_synced=true&__clerk_db_jwt=dvb_1#top"},
		{"development primary, fetch()", devPrimary, pageReq("GET", "http://app.example/sign-in?__clerk_redirect_url="+url.QueryEscape("http://sat.example/"), map[string]string{"__clerk_db_jwt": "dvb_1"}, "Sec-Fetch-Dest", "empty"),
			"primary-responds-to-syncing", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := tc.a.AuthenticatePage(context.Background(), core.HTTPRequest(tc.req))
			if res.Reason != tc.reason || res.Header.Get("Location") != tc.location {
				t.Errorf("%q %q\nwant %q %q", res.Reason, res.Header.Get("Location"), tc.reason, tc.location)
			}
		})
	}
}

// TestSatelliteDevelopmentRoundTrip walks a browser through a development
// satellite's sync: signed in on the primary, it opens the satellite back
// from the primary's sign-in (__clerk_synced=false), is sent to the
// primary's sign-in page with __clerk_redirect_url, which the primary
// answers with its development-browser token and __clerk_synced=true; the
// satellite's dev-browser-sync handshake on the fake then signs it in.
func TestSatelliteDevelopmentRoundTrip(t *testing.T) {
	primary := newPageSetup(t, false)
	primaryApp := httptest.NewServer(pageApp(primary.a))
	t.Cleanup(primaryApp.Close)
	cfg := fakeConfig(primary.s, primary.clk)
	cfg.PublishableKey = primary.s.PublishableKey()
	cfg.IsSatellite = true
	cfg.SignInURL = primaryApp.URL + "/sign-in"
	sat, err := core.NewAuthenticator(core.Options{Client: newClient(t, cfg), BrowserPages: true, SkipUserFetch: true})
	if err != nil {
		t.Fatal(err)
	}
	satApp := httptest.NewServer(pageApp(sat))
	t.Cleanup(satApp.Close)
	satPage := strings.Replace(satApp.URL, "127.0.0.1", "localhost", 1) + "/dashboard"

	b, _ := browserClient(t)
	dashboard := primaryApp.URL + "/dashboard"
	browserGet(t, b, dashboard) // dev-browser-missing handshake, then the sign-in page
	user := primary.s.DefaultUserID()
	form := url.Values{"user_id": {user}, "redirect_url": {dashboard}}
	req, _ := http.NewRequest("POST", primary.s.URL+"/sign-in", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := b.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "hello "+user {
		t.Fatalf("primary after sign-in: %d %q", resp.StatusCode, body)
	}

	newNavigation(b, primaryApp.URL) // seconds later: the loop guard cookie is gone
	var visited []string
	b.CheckRedirect = func(r *http.Request, via []*http.Request) error {
		if len(via) > 20 {
			return errors.New("too many redirects")
		}
		visited = append(visited, r.URL.Scheme+"://"+r.URL.Host+r.URL.Path)
		r.Header.Set("Sec-Fetch-Dest", "document")
		return nil
	}
	r, _ := http.NewRequest("GET", satPage+"?__clerk_synced=false", nil)
	r.Header.Set("Sec-Fetch-Dest", "document")
	resp, err = b.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || string(body) != "hello "+user {
		t.Fatalf("satellite: %d %q at %s after %v", resp.StatusCode, body, resp.Request.URL, visited)
	}
	t.Logf("%d hops: %v", len(visited), visited)
	if len(visited) < 2 || visited[0] != primaryApp.URL+"/sign-in" || visited[1] != satPage {
		t.Errorf("hops %v", visited)
	}
	if q := resp.Request.URL.Query(); q.Get("__clerk_synced") != "true" || q.Get("__clerk_db_jwt") != "" {
		t.Errorf("ended at %s", resp.Request.URL)
	}
}
