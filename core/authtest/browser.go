package authtest

import (
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/clerkgo/clerk/core"
	"github.com/clerkgo/clerk/core/clerktest"
)

// appURL is the origin of the app under test, as the rows' requests
// reach it (Host example.com, plain http).
const appURL = "http://example.com"

// newDevFake is the fake of a Development row: a development instance
// (pk_test_), and a client with the fake's publishable key and its
// sign-in page, as newPageFake's.
func newDevFake(tb testing.TB) *Fake {
	tb.Helper()
	return newFake(tb, nil, func(s *clerktest.Server, cfg *core.Config) {
		cfg.PublishableKey = s.PublishableKey()
		cfg.SignInURL = s.URL + "/sign-in"
	})
}

// browser is the browser of a row that walks Clerk's flows for real: its
// cookies for the app, kept as a browser keeps them (Set-Cookie of every
// answer, Max-Age counted on the injected clock), and a client with a
// cookie jar for the fake's host (its __client cookie), which follows no
// redirect by itself.
type browser struct {
	e    *env
	app  map[string]appCookie
	fake *http.Client
}

type appCookie struct {
	value   string
	expires time.Time // zero: a session cookie
}

// browser returns the row's browser, made at its first use.
func (e *env) browser() *browser {
	if e.b != nil {
		return e.b
	}
	jar, err := cookiejar.New(nil)
	if err != nil {
		e.t.Fatalf("cookie jar: %v", err)
	}
	c := *e.Server.Client()
	c.Jar = jar
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	e.b = &browser{e: e, app: map[string]appCookie{}, fake: &c}
	return e.b
}

// cookieHeader is the Cookie header the browser sends to the app, names
// in order ("" for none).
func (b *browser) cookieHeader() string {
	now := b.e.Clock.Now()
	var parts []string
	for name, c := range b.app {
		if !c.expires.IsZero() && !now.Before(c.expires) {
			delete(b.app, name)
			continue
		}
		parts = append(parts, name+"="+c.value)
	}
	slices.Sort(parts)
	return strings.Join(parts, "; ")
}

// store keeps the Set-Cookie headers of the app's answer.
func (b *browser) store(h http.Header) {
	for _, line := range h.Values("Set-Cookie") {
		c, err := http.ParseSetCookie(line)
		if err != nil {
			b.e.t.Errorf("the app set an unreadable cookie (%v)", err)
			continue
		}
		b.set(c)
	}
}

func (b *browser) set(c *http.Cookie) {
	switch {
	case c.MaxAge < 0:
		delete(b.app, c.Name)
	case c.MaxAge > 0:
		b.app[c.Name] = appCookie{value: c.Value, expires: b.e.Clock.Now().Add(time.Duration(c.MaxAge) * time.Second)}
	default:
		b.app[c.Name] = appCookie{value: c.Value}
	}
}

// signIn signs the browser in as the row's default user on the fake's
// sign-in page (POST /sign-in, redirect_url the app's /protected) and
// returns where the fake sends it back (on a development instance, with
// __clerk_db_jwt). The fake's __client_uat reaches the app too, as
// Clerk's, set on the root domain, does.
func (b *browser) signIn() string {
	t := b.e.t
	t.Helper()
	form := url.Values{"user_id": {b.e.userID}, "redirect_url": {appURL + "/protected"}}
	resp, err := b.fake.PostForm(b.e.Server.URL+"/sign-in", form)
	if err != nil {
		t.Fatalf("POST /sign-in: %v", err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("POST /sign-in: %d, want 303", resp.StatusCode)
	}
	for _, c := range resp.Cookies() {
		if c.Name == clerktest.CookieClientUat {
			b.set(c)
		}
	}
	return b.appPath("the sign-in page", resp.Header.Get("Location"))
}

// follow sends the browser to loc, the fake's handshake, and returns
// where the fake sends it back to the app.
func (b *browser) follow(loc string) string {
	t := b.e.t
	t.Helper()
	if !strings.HasPrefix(loc, b.e.Server.URL+"/") {
		t.Fatalf("following %q: not the fake's URL", redact(loc))
	}
	resp, err := b.fake.Get(loc)
	if err != nil {
		t.Fatalf("GET the handshake: %v", err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusTemporaryRedirect {
		t.Fatalf("GET the handshake: %d, want 307", resp.StatusCode)
	}
	return b.appPath("the handshake", resp.Header.Get("Location"))
}

// appPath is the request target of loc, an URL of the app.
func (b *browser) appPath(from, loc string) string {
	b.e.t.Helper()
	u, err := url.Parse(loc)
	if err != nil || u.Scheme+"://"+u.Host != appURL {
		b.e.t.Fatalf("%s sent the browser to %q, not to %s", from, redact(loc), appURL)
	}
	return u.RequestURI()
}

// redact is loc without its query (which may carry tokens).
func redact(loc string) string {
	base, _, _ := strings.Cut(loc, "?")
	return base
}

// browse is the browser's page request for path, with its cookies.
func browse(path string) func(e *env) request {
	return func(*env) request { return request{page: true, jar: true, path: path} }
}

// signInAndBrowse signs the browser in on the fake and sends it where the
// fake sends it back.
func signInAndBrowse(e *env) request {
	return request{page: true, jar: true, path: e.browser().signIn()}
}

// followBack follows the last answer's Location (a handshake) through the
// fake, and sends the browser's page request where the fake sends it back
// (with __clerk_handshake_nonce).
func followBack(e *env) request {
	e.t.Helper()
	if e.last == nil || e.last.header.Get("Location") == "" {
		e.t.Fatal("the last answer has no Location to follow")
	}
	return request{page: true, jar: true, path: e.browser().follow(e.last.header.Get("Location"))}
}

// setCookieValues are the token-like values (16 bytes or more) of the
// Set-Cookie headers in h.
func setCookieValues(h http.Header) []string {
	var out []string
	for _, line := range h.Values("Set-Cookie") {
		pair, _, _ := strings.Cut(line, ";")
		if _, v, ok := strings.Cut(pair, "="); ok && len(v) >= 16 {
			out = append(out, v)
		}
	}
	return out
}

// The development-browser token of the rows that do not walk the fake's
// flows: the app never checks it, only carries it.
const devBrowser = "dvb_2authtestdevbrowsertoken0123456789abc"

// hsJWT is a __clerk_handshake JWT signed by the instance, carrying the
// directives of a new __session and __client_uat (the fake's handshake
// without format=nonce answers such a token), and the new session token.
func hsJWT(e *env) (hs, session string) {
	session = e.token()
	return e.token(clerktest.WithClaim("handshake", []string{
		"__session=" + session + "; Path=/; SameSite=Lax",
		"__client_uat=" + unix(e.Clock.Now()) + "; Path=/; SameSite=Lax; Max-Age=31536000",
	})), session
}

// pastExpiry moves the clock past a session token's lifetime and the
// clock skew.
func pastExpiry(e *env) {
	e.Clock.Advance(clerktest.DefaultTokenTTL + core.DefaultClockSkew + time.Second)
}

// withCookies is w with the Set-Cookie names it expects ("@sfx" stands
// for the fake's cookie suffix).
func withCookies(w want, names ...string) want {
	w.setCookies = names
	return w
}

// sessionRows are the rows of a browser's session walked for real
// through the fake Clerk: a production handshake's nonce, the session
// refresh, and a development instance's flows (Setup.Development).
func sessionRows() []row {
	pages := Setup{FetchUser: true, BrowserPages: true}
	dev := Setup{FetchUser: true, BrowserPages: true, Development: true}
	signedIn := []string{"__session", "__client_uat", "__refresh_@sfx"}
	// A browser signed in on the fake, with __client_uat but no
	// __session at the app, goes through the handshake and comes back
	// with a nonce: signed in, with the cookies of its session.
	roundTrip := []step{
		{req: signInAndBrowse, want: handshake("client-uat-but-no-session-token", false)},
		{req: followBack, want: withCookies(ok(true, true), signedIn...)},
		{before: func(e *env) {
			e.wantRequests(clerktest.EndpointHandshake, 1)
			e.wantRequests(clerktest.EndpointHandshakePayload, 1)
		}, req: browse(""), want: ok(true, true)},
	}
	expiredRefresh := "session-token-expired-refresh-" + clerktest.RefreshErrSessionEnded
	devClean := func() want {
		return want{status: http.StatusTemporaryRedirect, location: appURL + "/protected?tab=2", noStore: true}
	}
	devSync := handshakes + "dev-browser-sync&format=nonce&__clerk_db_jwt="
	return []row{
		{name: "page: a production handshake's nonce, after a real sign-in, signs in with the session's cookies", setup: pages,
			steps: roundTrip},
		{name: "page: an expired session token is refreshed with the refresh cookie, then the ended session is handed to the handshake", setup: pages,
			steps: append(slices.Clone(roundTrip),
				step{before: pastExpiry, req: browse(""), want: withCookies(ok(true, true), "__session")},
				step{before: func(e *env) {
					e.wantRequests(clerktest.EndpointRefreshSession, 1)
					e.wantRequests(clerktest.EndpointHandshake, 1)
				}, req: browse(""), want: ok(true, true)}, // the new token
				step{before: func(e *env) {
					for _, s := range e.Server.BrowserSessions() {
						e.Server.EndSession(s.ID)
					}
					pastExpiry(e)
				}, req: browse(""), want: handshake(expiredRefresh, true)},
			),
			after: func(e *env) {
				e.wantRequests(clerktest.EndpointRefreshSession, 2)
				e.wantRequests(clerktest.EndpointHandshake, 1)
			}},
		{name: "page decision: the refresh needs a GET, not a page request", setup: pages,
			steps: append(slices.Clone(roundTrip),
				step{before: pastExpiry, req: func(*env) request {
					return request{method: http.MethodPost, path: "/any", jar: true}
				}, want: invalid(core.ReasonTokenExpired).clerk("session-token-expired-refresh-non-eligible-non-get")},
				step{req: func(*env) request {
					return request{jar: true, header: [2]string{"Accept", "application/json"}}
				}, want: withCookies(ok(true, true), "__session")},
			),
			after: func(e *env) { e.wantRequests(clerktest.EndpointRefreshSession, 1) }},

		{name: "page, development: no development-browser token: handshake", setup: dev,
			steps: []step{
				{req: page(nil), want: handshake("dev-browser-missing", false)},
				{req: page(func(e *env) string { return e.sessionCookie(e.token()) }), want: handshake("dev-browser-missing", true)},
				{req: api(nil), want: missing().clerk("dev-browser-missing")},
			},
			after: func(e *env) { e.wantRequests(clerktest.AnyEndpoint, 0) }},
		{name: "page, development: __clerk_db_jwt in the query: handshake to sync, redirect_url without it", setup: dev,
			steps: []step{
				{req: func(*env) request { return request{page: true, path: "/protected?__clerk_db_jwt=" + devBrowser} },
					want: func() want {
						w := handshake("dev-browser-sync", false)
						w.location += "&__clerk_db_jwt=" + devBrowser
						w.tokenInLocation = true
						return w
					}()},
				{req: func(e *env) request {
					return request{page: true, path: "/protected?tab=2&__clerk_db_jwt=" + devBrowser + "&x=1",
						cookies: []string{e.sessionCookie(e.token()) + "; __clerk_db_jwt=" + devBrowser}}
				}, want: func() want {
					w := handshake("dev-browser-sync", true)
					w.locationPrefix = strings.Replace(w.locationPrefix, pageURL, url.QueryEscape(appURL+"/protected?tab=2&x=1"), 1)
					return w
				}()},
			},
			after: func(e *env) { e.wantRequests(clerktest.AnyEndpoint, 0) }},
		{name: "page, development: a handshake JWT's return: 307 to the clean URL with its cookies", setup: dev,
			steps: one(func(e *env) request {
				hs, tok := hsJWT(e)
				return request{page: true, path: "/protected?tab=2&__clerk_handshake=" + hs + "&__clerk_db_jwt=" + devBrowser,
					cookies: []string{"__clerk_db_jwt=" + devBrowser}, setCookieTokens: []string{tok}}
			}, withCookies(devClean(), "__session", "__client_uat"))},
		{name: "page, development: a real sign-in syncs the development browser, and the nonce's return is a 307 to the clean URL with the cookies", setup: dev,
			steps: []step{
				{req: signInAndBrowse, want: func() want {
					w := handshake("dev-browser-sync", false)
					w.location, w.locationPrefix, w.tokenInLocation = "", devSync, true
					return w
				}()},
				{req: followBack, want: func() want {
					// The fake hands the development browser back with
					// the session (Clerk's Frontend API sets it on the
					// app's domain): the next page needs no handshake.
					w := withCookies(devClean(), append([]string{"__clerk_db_jwt"}, signedIn...)...)
					w.location = appURL + "/protected"
					return w
				}()},
				{req: browse(""), want: ok(true, true)},
			},
			after: func(e *env) {
				e.wantRequests(clerktest.EndpointHandshake, 1)
				e.wantRequests(clerktest.EndpointHandshakePayload, 1)
			}},
		{name: "page, development: a new browser's handshake comes back signed out: the clean URL, then the sign-in page with the development browser", setup: dev,
			steps: []step{
				{req: browse(""), want: handshake("dev-browser-missing", false)},
				{req: followBack, want: withCookies(want{status: http.StatusTemporaryRedirect, location: appURL + "/protected", noStore: true}.clerk("session-token-missing"),
					"__clerk_db_jwt", "__session", "__client_uat", "__refresh_@sfx")},
				{req: browse(""), want: func() want {
					w := toSignIn("session-token-and-uat-missing")
					w.location, w.locationPrefix, w.tokenInLocation = "", "@fake/sign-in?__clerk_db_jwt=dvb_", true
					return w
				}()},
			}},
		{name: "page, development: the sign-in redirect to another origin carries __clerk_db_jwt", setup: dev,
			steps: []step{
				{req: page(func(*env) string { return "__clerk_db_jwt=" + devBrowser }), want: func() want {
					w := toSignIn("session-token-and-uat-missing")
					w.location = "@fake/sign-in?__clerk_db_jwt=" + devBrowser + "&redirect_url=" + pageURL
					w.tokenInLocation = true
					return w
				}()},
				{req: page(func(e *env) string { return e.sessionCookie(e.token()) + "; __clerk_db_jwt=" + devBrowser }), want: ok(true, true)},
			}},
	}
}
