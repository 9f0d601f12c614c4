package core_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/clerkgo/clerk/core"
	"github.com/clerkgo/clerk/core/clerktest"
)

// pageSetup is a fake Clerk on an injected clock and an Authenticator with
// the browser decision on, for a production or a development instance.
type pageSetup struct {
	s   *clerktest.Server
	clk *fakeClock
	a   *core.Authenticator
	log *bytes.Buffer
}

func newPageSetup(t testing.TB, production bool, opts ...func(*core.Options)) *pageSetup {
	t.Helper()
	clk := newClock()
	fopts := []clerktest.Option{clerktest.WithSessionTokenLifetime(30 * time.Second)}
	if production {
		fopts = append(fopts, clerktest.WithProductionInstance())
	}
	s := newFake(t, clk, fopts...)
	cfg := fakeConfig(s, clk)
	cfg.PublishableKey = s.PublishableKey()
	cfg.SignInURL = s.URL + "/sign-in" // the fake's http, not the Account Portal's https
	buf := &bytes.Buffer{}
	cfg.Logger = slog.New(slog.NewTextHandler(buf, nil))
	o := core.Options{Client: newClient(t, cfg), BrowserPages: true, SkipUserFetch: true}
	for _, f := range opts {
		f(&o)
	}
	a, err := core.NewAuthenticator(o)
	if err != nil {
		t.Fatal(err)
	}
	return &pageSetup{s: s, clk: clk, a: a, log: buf}
}

// pageApp serves the decision: 307 for a redirect, 401 signed out, else
// "hello <user>".
func pageApp(a *core.Authenticator) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		res := a.AuthenticatePage(r.Context(), core.HTTPRequest(r))
		res.CopyHeaders(w.Header())
		switch {
		case res.Redirect():
			w.WriteHeader(http.StatusTemporaryRedirect)
		case res.Status != core.PageSignedIn:
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = io.WriteString(w, "signed out")
		default:
			_, _ = fmt.Fprintf(w, "hello %s", res.Auth.Subject)
		}
	})
}

const appURL = "http://app.example/dashboard?tab=2"

// pageReq is a browser's document request with the given cookies.
func pageReq(method, target string, cookies map[string]string, hdr ...string) *http.Request {
	r := httptest.NewRequest(method, target, nil)
	r.Header.Set("Sec-Fetch-Dest", "document")
	for k, v := range cookies {
		r.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		if hdr[i+1] == "" {
			r.Header.Del(hdr[i])
		} else {
			r.Header.Set(hdr[i], hdr[i+1])
		}
	}
	return r
}

func TestAuthenticatePageDecision(t *testing.T) {
	noSignIn := func(o *core.Options) { o.NoSignInRedirect = true } // TestSignInRedirect has them
	prod := newPageSetup(t, true, noSignIn)
	dev := newPageSetup(t, false, noSignIn)
	now := prod.clk.Now()
	uat := strconv.FormatInt(now.Add(-time.Minute).Unix(), 10)
	tok := func(s *clerktest.Server, o ...clerktest.TokenOption) string {
		return s.Token(append([]clerktest.TokenOption{clerktest.WithSessionID("sess_1")}, o...)...)
	}
	valid := tok(prod.s)
	expired := tok(prod.s, clerktest.WithIssuedAt(now.Add(-2*time.Minute)), clerktest.WithExpiry(now.Add(-time.Minute)))
	stale := tok(prod.s, clerktest.WithIssuedAt(now.Add(-2*time.Minute)), clerktest.WithExpiry(now.Add(time.Minute)))
	notYet := tok(prod.s, clerktest.WithNotBefore(now.Add(time.Hour)), clerktest.WithExpiry(now.Add(2*time.Hour)))
	future := tok(prod.s, clerktest.WithIssuedAt(now.Add(time.Hour)), clerktest.WithExpiry(now.Add(2*time.Hour)), clerktest.WithoutClaim("nbf"))
	machine := tok(prod.s, clerktest.WithSubject("mch_1"))
	sfx := clerktest.CookieSuffix(prod.s.PublishableKey())

	type cookies = map[string]string
	cases := []struct {
		name     string
		setup    *pageSetup
		req      *http.Request
		status   core.PageStatus
		reason   string
		session  string // the handshake's __session parameter
		devJWT   string // the handshake's __clerk_db_jwt parameter
		redirect string // the handshake's redirect_url
	}{
		{name: "nothing", setup: prod, req: pageReq("GET", appURL, nil), status: core.PageSignedOut, reason: "session-token-and-uat-missing"},
		{name: "signed in", setup: prod, req: pageReq("GET", appURL, cookies{"__session": valid, "__client_uat": uat}), status: core.PageSignedIn},
		{name: "uat without session", setup: prod, req: pageReq("GET", appURL, cookies{"__client_uat": uat}), status: core.PageHandshake, reason: "client-uat-but-no-session-token"},
		{name: "uat 0 and session", setup: prod, req: pageReq("GET", appURL, cookies{"__session": valid, "__client_uat": "0"}), status: core.PageHandshake, reason: "session-token-but-no-client-uat", session: valid},
		{name: "session without uat", setup: prod, req: pageReq("GET", appURL, cookies{"__session": valid}), status: core.PageHandshake, reason: "session-token-but-no-client-uat", session: valid},
		{name: "iat before uat", setup: prod, req: pageReq("GET", appURL, cookies{"__session": stale, "__client_uat": uat}), status: core.PageHandshake, reason: "session-token-iat-before-client-uat", session: stale},
		{name: "expired no refresh cookie", setup: prod, req: pageReq("GET", appURL, cookies{"__session": expired, "__client_uat": "1"}), status: core.PageHandshake, reason: "session-token-expired-refresh-non-eligible-no-refresh-cookie", session: expired},
		{name: "expired POST", setup: prod, req: pageReq("POST", appURL, cookies{"__session": expired, "__client_uat": "1"}), status: core.PageSignedOut, reason: "session-token-expired-refresh-non-eligible-non-get"},
		{name: "expired API call", setup: prod, req: pageReq("GET", appURL, cookies{"__session": expired, "__client_uat": "1"}, "Sec-Fetch-Dest", "empty"), status: core.PageSignedOut, reason: "session-token-expired-refresh-non-eligible-no-refresh-cookie"},
		{name: "expired accept html", setup: prod, req: pageReq("GET", appURL, cookies{"__session": expired, "__client_uat": "1"}, "Sec-Fetch-Dest", "", "Accept", "text/html,application/xhtml+xml"), status: core.PageHandshake, reason: "session-token-expired-refresh-non-eligible-no-refresh-cookie", session: expired},
		{name: "expired accept json", setup: prod, req: pageReq("GET", appURL, cookies{"__session": expired, "__client_uat": "1"}, "Sec-Fetch-Dest", "", "Accept", "application/json"), status: core.PageSignedOut, reason: "session-token-expired-refresh-non-eligible-no-refresh-cookie"},
		{name: "expired iframe", setup: prod, req: pageReq("GET", appURL, cookies{"__session": expired, "__client_uat": "1"}, "Sec-Fetch-Dest", "iframe"), status: core.PageHandshake, reason: "session-token-expired-refresh-non-eligible-no-refresh-cookie", session: expired},
		{name: "expired bad refresh", setup: prod, req: pageReq("GET", appURL, cookies{"__session": expired, "__client_uat": "1", "__refresh_" + sfx: "nope"}), status: core.PageHandshake, reason: "session-token-expired-refresh-resource_not_found", session: expired},
		{name: "not yet valid", setup: prod, req: pageReq("GET", appURL, cookies{"__session": notYet, "__client_uat": "1"}), status: core.PageHandshake, reason: "session-token-nbf", session: notYet},
		{name: "iat in the future", setup: prod, req: pageReq("GET", appURL, cookies{"__session": future, "__client_uat": "1"}), status: core.PageHandshake, reason: "session-token-iat-in-the-future", session: future},
		{name: "machine token in cookie", setup: prod, req: pageReq("GET", appURL, cookies{"__session": machine, "__client_uat": "1"}), status: core.PageSignedOut, reason: "token-type-mismatch"},
		{name: "garbage cookie", setup: prod, req: pageReq("GET", appURL, cookies{"__session": "x.y.z", "__client_uat": "1"}), status: core.PageSignedOut, reason: "token-malformed"},
		{name: "expired bearer on a page", setup: prod, req: pageReq("GET", appURL, nil, "Authorization", "Bearer "+expired), status: core.PageHandshake, reason: "session-token-expired-refresh-non-eligible-no-refresh-cookie", session: expired},
		// Clerk's sessionToken is the cookie's first: the handshake carries
		// the cookie's token even when the header's failed (found by the
		// differential test).
		{name: "expired bearer beside a valid cookie", setup: prod, req: pageReq("GET", appURL, cookies{"__session": valid, "__client_uat": uat}, "Authorization", "Bearer "+expired), status: core.PageHandshake, reason: "session-token-expired-refresh-non-eligible-no-refresh-cookie", session: valid},
		{name: "valid bearer", setup: prod, req: pageReq("GET", appURL, nil, "Authorization", "Bearer "+valid), status: core.PageSignedIn},
		{name: "loop guard at 3", setup: prod, req: pageReq("GET", appURL, cookies{"__client_uat": uat, "__clerk_redirect_count": "3"}), status: core.PageSignedOut, reason: "client-uat-but-no-session-token"},
		{name: "unknown nonce beside valid cookies", setup: prod, req: pageReq("GET", appURL+"&__clerk_handshake_nonce=unknown", cookies{"__session": valid, "__client_uat": uat}), status: core.PageSignedOut, reason: "session-token-missing"},
		{name: "dev browser missing", setup: dev, req: pageReq("GET", appURL, nil), status: core.PageHandshake, reason: "dev-browser-missing"},
		{name: "dev browser missing, API call", setup: dev, req: pageReq("GET", appURL, nil, "Sec-Fetch-Dest", "empty"), status: core.PageSignedOut, reason: "dev-browser-missing"},
		{name: "dev browser sync", setup: dev, req: pageReq("GET", "http://app.example/dashboard?__clerk_db_jwt=dvb_1&tab=2&__dev_session=x", nil), status: core.PageHandshake, reason: "dev-browser-sync", devJWT: "dvb_1", redirect: appURL},
		{name: "dev browser cookie, nothing else", setup: dev, req: pageReq("GET", appURL, cookies{"__clerk_db_jwt": "dvb_2"}), status: core.PageSignedOut, reason: "session-token-and-uat-missing"},
		{name: "dev uat without session", setup: dev, req: pageReq("GET", appURL, cookies{"__clerk_db_jwt": "dvb_2", "__client_uat": uat}), status: core.PageHandshake, reason: "client-uat-but-no-session-token", devJWT: "dvb_2"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := tc.setup.a.AuthenticatePage(context.Background(), core.HTTPRequest(tc.req))
			if res.Status != tc.status || res.Reason != tc.reason {
				t.Fatalf("status %q reason %q, want %q %q (err %v)", res.Status, res.Reason, tc.status, tc.reason, res.Err)
			}
			switch res.Status {
			case core.PageSignedIn:
				if res.Auth == nil || res.Auth.Subject == "" || res.Err != nil || res.Header.Get("X-Clerk-Auth-Status") != "" {
					t.Fatalf("signed in: %+v", res)
				}
				return
			case core.PageSignedOut:
				if res.Err == nil || res.Redirect() || core.FailureOf(res.Err).Status != http.StatusUnauthorized {
					t.Fatalf("signed out: %+v", res)
				}
			}
			var logged bytes.Buffer
			slog.New(slog.NewTextHandler(&logged, nil)).Info("page", "result", res)
			for _, v := range []string{fmt.Sprint(res), fmt.Sprintf("%+v", res), fmt.Sprintf("%#v", res), logged.String()} {
				if tc.session != "" && strings.Contains(v, tc.session) {
					t.Errorf("the token is in the formatted result: %s", v)
				}
			}
			if got := res.Header.Get("X-Clerk-Auth-Status"); got != string(tc.status) {
				t.Errorf("x-clerk-auth-status %q", got)
			}
			if got := res.Header.Get("X-Clerk-Auth-Reason"); got != tc.reason {
				t.Errorf("x-clerk-auth-reason %q", got)
			}
			if res.Status != core.PageHandshake {
				return
			}
			checkHandshake(t, tc.setup.s, res, tc.reason, tc.session, tc.devJWT, tc.redirect)
		})
	}
	if !strings.Contains(prod.log.String(), "keys do not match") {
		t.Errorf("the loop guard logged nothing about the keys: %q", prod.log.String())
	}
}

// checkHandshake checks a handshake answer: Location and its parameters in
// Clerk's order, Cache-Control and the loop guard cookie.
func checkHandshake(t *testing.T, s *clerktest.Server, res *core.PageResult, reason, session, devJWT, redirect string) {
	t.Helper()
	if redirect == "" {
		redirect = appURL
	}
	loc := res.Header.Get("Location")
	base, rawQuery, _ := strings.Cut(loc, "?")
	if base != s.URL+"/v1/client/handshake" {
		t.Errorf("Location %q", loc)
	}
	var names []string
	for _, part := range strings.Split(rawQuery, "&") {
		k, _, _ := strings.Cut(part, "=")
		names = append(names, k)
	}
	want := []string{"redirect_url", "__clerk_api_version", "suffixed_cookies", "__clerk_hs_reason", "format"}
	if session != "" {
		want = append(want, "__session")
	}
	if devJWT != "" {
		want = append(want, "__clerk_db_jwt")
	}
	if strings.Join(names, ",") != strings.Join(want, ",") {
		t.Errorf("parameters %v, want %v", names, want)
	}
	q, err := url.ParseQuery(rawQuery)
	if err != nil {
		t.Fatal(err)
	}
	if q.Get("redirect_url") != redirect || q.Get("__clerk_api_version") != "2026-05-12" || q.Get("suffixed_cookies") != "false" ||
		q.Get("__clerk_hs_reason") != reason || q.Get("format") != "nonce" || q.Get("__session") != session || q.Get("__clerk_db_jwt") != devJWT {
		t.Errorf("handshake query %v", q)
	}
	if res.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("Cache-Control %q", res.Header.Get("Cache-Control"))
	}
	if got := res.Header.Values("Set-Cookie"); len(got) != 1 || got[0] != "__clerk_redirect_count=1; SameSite=Lax; HttpOnly; Max-Age=2" {
		t.Errorf("Set-Cookie %q", got)
	}
}

func TestAuthenticatePageLoopCounter(t *testing.T) {
	p := newPageSetup(t, true)
	for n, want := range map[string]string{"": "1", "1": "2", "2": "3", "x": "1"} {
		c := map[string]string{"__client_uat": "1"}
		if n != "" {
			c["__clerk_redirect_count"] = n
		}
		res := p.a.AuthenticatePage(context.Background(), core.HTTPRequest(pageReq("GET", appURL, c)))
		if res.Status != core.PageHandshake || res.Header.Get("Set-Cookie") != "__clerk_redirect_count="+want+"; SameSite=Lax; HttpOnly; Max-Age=2" {
			t.Errorf("count %q: %v %q", n, res.Status, res.Header.Get("Set-Cookie"))
		}
	}
}

// TestAuthenticatePagePublicURL: the redirect_url comes from the Host and
// the connection; X-Forwarded-* only when trusted; a Host that is not a
// plain host:port makes no handshake.
func TestAuthenticatePagePublicURL(t *testing.T) {
	plain := newPageSetup(t, true)
	trusting := newPageSetup(t, true, func(o *core.Options) { o.TrustForwardedHeaders = true })
	fwd := []string{"X-Forwarded-Host", "public.example", "X-Forwarded-Proto", "https"}
	cases := []struct {
		name   string
		a      *core.Authenticator
		host   string
		hdr    []string
		status core.PageStatus
		want   string
	}{
		{"host", plain.a, "app.example:8080", nil, core.PageHandshake, "http://app.example:8080/dashboard?tab=2"},
		{"forwarded, not trusted", plain.a, "app.example", fwd, core.PageHandshake, "http://app.example/dashboard?tab=2"},
		{"forwarded, trusted", trusting.a, "app.example", fwd, core.PageHandshake, "https://public.example/dashboard?tab=2"},
		{"forwarded list, trusted", trusting.a, "app.example", []string{"X-Forwarded-Host", "a.example, b.example", "X-Forwarded-Proto", "https,http"}, core.PageHandshake, "https://a.example/dashboard?tab=2"},
		{"bad forwarded host", trusting.a, "app.example", []string{"X-Forwarded-Host", "evil.example/x?"}, core.PageSignedOut, ""},
		{"bad forwarded proto", trusting.a, "app.example", []string{"X-Forwarded-Proto", "javascript"}, core.PageSignedOut, ""},
		{"host with userinfo", plain.a, "user@evil.example", nil, core.PageSignedOut, ""},
		{"ipv6", plain.a, "[::1]:8080", nil, core.PageHandshake, "http://[::1]:8080/dashboard?tab=2"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := pageReq("GET", appURL, map[string]string{"__client_uat": "1"}, tc.hdr...)
			r.Host = tc.host
			res := tc.a.AuthenticatePage(context.Background(), core.HTTPRequest(r))
			if res.Status != tc.status {
				t.Fatalf("status %q", res.Status)
			}
			if tc.want == "" {
				return
			}
			u, err := url.Parse(res.Header.Get("Location"))
			if err != nil || u.Query().Get("redirect_url") != tc.want {
				t.Errorf("Location %q, want redirect_url %q", res.Header.Get("Location"), tc.want)
			}
		})
	}
}

// TestAuthenticatePageOff: without BrowserPages the result is
// Authenticate's, never a handshake.
func TestAuthenticatePageOff(t *testing.T) {
	p := newPageSetup(t, true, func(o *core.Options) { o.BrowserPages = false })
	res := p.a.AuthenticatePage(context.Background(), core.HTTPRequest(pageReq("GET", appURL, map[string]string{"__client_uat": "1"})))
	if res.Status != core.PageSignedOut || res.Redirect() || core.ReasonOf(res.Err) != core.ReasonTokenMissing {
		t.Fatalf("%+v", res)
	}
	opt := newPageSetup(t, true, func(o *core.Options) { o.BrowserPages, o.Optional = false, true })
	res = opt.a.AuthenticatePage(context.Background(), core.HTTPRequest(pageReq("GET", appURL, nil)))
	if res.Status != core.PageSignedOut || res.Err != nil || res.Auth != nil {
		t.Fatalf("optional: %+v", res)
	}
}

func TestAuthenticatePageConfig(t *testing.T) {
	clk := newClock()
	s := newFake(t, clk)
	cfg := fakeConfig(s, clk)
	c := newClient(t, cfg)
	if _, err := core.NewAuthenticator(core.Options{Client: c, BrowserPages: true, TokenFrom: []core.Extractor{core.FromCookie("x")}}); err == nil {
		t.Error("custom TokenFrom accepted")
	}
	if _, err := core.NewAuthenticator(core.Options{Client: c, BrowserPages: true, AcceptsToken: []core.TokenKind{core.APIKey}}); err == nil {
		t.Error("no session tokens accepted")
	}
	if _, err := core.NewAuthenticator(core.Options{Client: c, BrowserPages: true, SkipUserFetch: true}); err != core.ErrBrowserPagesNeedKeys {
		t.Errorf("no publishable key: %v", err)
	}

	// Without a ProxyURL the handshake goes to the publishable key's
	// Frontend API, over https.
	direct := cfg
	direct.ProxyURL = ""
	direct.PublishableKey = s.PublishableKey()
	a, err := core.NewAuthenticator(core.Options{Client: newClient(t, direct), BrowserPages: true, SkipUserFetch: true})
	if err != nil {
		t.Fatal(err)
	}
	res := a.AuthenticatePage(context.Background(), core.HTTPRequest(pageReq("GET", appURL, nil)))
	if loc := res.Header.Get("Location"); !strings.HasPrefix(loc, "https://"+s.Host()+"/v1/client/handshake?") {
		t.Errorf("Location %q", loc)
	}

	cfg.SecretKey = ""
	cfg.APIURL = ""
	cfg.PublishableKey = s.PublishableKey()
	noSecret := newClient(t, cfg)
	if _, err := core.NewAuthenticator(core.Options{Client: noSecret, BrowserPages: true, SkipUserFetch: true}); err != core.ErrBrowserPagesNeedKeys {
		t.Errorf("no secret key: %v", err)
	}
}

// browserClient is a browser: a cookie jar, Accept text/html, redirects
// followed (counted).
func browserClient(t *testing.T) (*http.Client, *int) {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	hops := new(int)
	return &http.Client{Jar: jar, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		*hops++
		if len(via) > 20 {
			return fmt.Errorf("too many redirects")
		}
		req.Header.Set("Accept", "text/html")
		return nil
	}}, hops
}

// newNavigation drops the loop guard cookie (Max-Age=2): the jar counts
// Max-Age on the real clock, and a person's navigations are seconds apart.
func newNavigation(b *http.Client, u string) {
	if pu, err := url.Parse(u); err == nil {
		b.Jar.SetCookies(pu, []*http.Cookie{{Name: "__clerk_redirect_count", Path: "/", MaxAge: -1}})
	}
}

func browserGet(t *testing.T, b *http.Client, u string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest("GET", u, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", "text/html")
	newNavigation(b, u)
	resp, err := b.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

// TestAuthenticatePageRoundTrip walks a browser through the fake's sign-in
// page, the handshake back to an app served by AuthenticatePage (nonce
// resolved through the Backend API), an expired token refreshed with the
// refresh cookie, and an ended session signed out by the next handshake,
// for a development and a production instance.
func TestAuthenticatePageRoundTrip(t *testing.T) {
	for _, production := range []bool{false, true} {
		t.Run("production="+strconv.FormatBool(production), func(t *testing.T) {
			p := newPageSetup(t, production)
			app := httptest.NewServer(pageApp(p.a))
			t.Cleanup(app.Close)
			b, _ := browserClient(t)
			dashboard := app.URL + "/dashboard?tab=2"
			get := func(wantStatus int, wantBody string) {
				t.Helper()
				resp, body := browserGet(t, b, dashboard)
				if resp.StatusCode != wantStatus || !strings.Contains(body, wantBody) {
					t.Fatalf("GET /dashboard: %d %q, want %d %q", resp.StatusCode, body, wantStatus, wantBody)
				}
				ended := *resp.Request.URL
				if production { // production stays at the nonce's URL, as Clerk's does
					q := ended.Query()
					q.Del("__clerk_handshake_nonce")
					ended.RawQuery = q.Encode()
				}
				if ended.String() != dashboard {
					t.Errorf("ended at %s, want the clean %s", resp.Request.URL, dashboard)
				}
			}
			// Signed out: sent to the sign-in page with redirect_url back
			// (development: after the dev-browser-missing handshake).
			signIn := func() {
				t.Helper()
				resp, body := browserGet(t, b, dashboard)
				if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Sign in") ||
					resp.Request.URL.Path != "/sign-in" || resp.Request.URL.Query().Get("redirect_url") != dashboard {
					t.Fatalf("GET /dashboard signed out: %d at %s %q", resp.StatusCode, resp.Request.URL, body)
				}
				// Development: back from the handshake at the clean URL
				// first, then to the sign-in page on another origin with
				// the development browser, as Clerk's redirectToSignIn.
				if !production && resp.Request.URL.Query().Get("__clerk_db_jwt") == "" {
					t.Errorf("development sign-in page %s without __clerk_db_jwt", resp.Request.URL)
				}
			}
			user := p.s.DefaultUserID()
			signIn()
			if n := p.s.Requests(clerktest.EndpointHandshake); !production && n != 1 || production && n != 0 {
				t.Errorf("%d handshakes before sign-in", n)
			}
			hs := p.s.Requests(clerktest.EndpointHandshake)

			form := url.Values{"user_id": {user}, "redirect_url": {dashboard}}
			req, _ := http.NewRequest("POST", p.s.URL+"/sign-in", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Accept", "text/html")
			newNavigation(b, dashboard)
			resp, err := b.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			// Production goes on signed in at the nonce's URL, as Clerk's
			// does; development redirects to the clean URL.
			if !production && resp.Request.URL.String() != dashboard ||
				production && !strings.Contains(resp.Request.URL.RawQuery, "__clerk_handshake_nonce=") {
				t.Errorf("after sign-in at %s", resp.Request.URL)
			}
			if resp.StatusCode != http.StatusOK || string(body) != "hello "+user {
				t.Fatalf("after sign-in: %d %q", resp.StatusCode, body)
			}
			if n := p.s.Requests(clerktest.EndpointHandshake) - hs; n < 1 || n > 2 {
				t.Errorf("%d handshakes after sign-in", n)
			}
			get(http.StatusOK, "hello "+user)

			// Past the token's lifetime on the fake's clock: refreshed, no
			// handshake.
			hs = p.s.Requests(clerktest.EndpointHandshake)
			p.clk.Advance(40 * time.Second) // past the lifetime and the clock skew
			get(http.StatusOK, "hello "+user)
			get(http.StatusOK, "hello "+user)
			if p.s.Requests(clerktest.EndpointRefreshSession) != 1 || p.s.Requests(clerktest.EndpointHandshake) != hs {
				t.Errorf("refreshes %d, handshakes %d", p.s.Requests(clerktest.EndpointRefreshSession), p.s.Requests(clerktest.EndpointHandshake)-hs)
			}

			// The session ends: the refresh fails with a code, the handshake
			// signs the browser out.
			if !p.s.EndSession(p.s.BrowserSessions()[0].ID) {
				t.Fatal("EndSession")
			}
			p.clk.Advance(40 * time.Second) // past the lifetime and the clock skew
			signIn()
			if r := p.s.LastHandshakeQuery().Get("__clerk_hs_reason"); r != "session-token-expired-refresh-"+clerktest.RefreshErrSessionEnded {
				t.Errorf("handshake reason %q", r)
			}
		})
	}
}

// TestAuthenticatePageHandshakeJWT: a __clerk_handshake JWT (the fake's
// handshake without format=nonce) is verified with the instance keys and
// its directives become Set-Cookie headers; production goes on signed in,
// development redirects to the clean URL. A forged one is ignored in
// production (the request's own cookies decide) and signs out in
// development.
func TestAuthenticatePageHandshakeJWT(t *testing.T) {
	for _, production := range []bool{true, false} {
		t.Run("production="+strconv.FormatBool(production), func(t *testing.T) {
			p := newPageSetup(t, production)
			b, _ := browserClient(t)
			b.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
			form := url.Values{"user_id": {p.s.DefaultUserID()}}
			req, _ := http.NewRequest("POST", p.s.URL+"/sign-in", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			resp, err := b.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			hsURL := p.s.URL + "/v1/client/handshake?redirect_url=" + url.QueryEscape(appURL) + "&suffixed_cookies=false"
			resp, _ = browserGet(t, b, hsURL)
			loc, err := url.Parse(resp.Header.Get("Location"))
			if err != nil || loc.Query().Get("__clerk_handshake") == "" {
				t.Fatalf("fake handshake: %d %q", resp.StatusCode, resp.Header.Get("Location"))
			}
			res := p.a.AuthenticatePage(context.Background(), core.HTTPRequest(pageReq("GET", loc.String(), nil)))
			if res.Status != core.PageSignedIn || res.Auth.Subject != p.s.DefaultUserID() {
				t.Fatalf("%+v", res)
			}
			var session bool
			for _, c := range res.Header.Values("Set-Cookie") {
				session = session || strings.HasPrefix(c, "__session=")
			}
			if !session {
				t.Errorf("Set-Cookie %q", res.Header.Values("Set-Cookie"))
			}
			if got := res.Header.Get("Location"); production && got != "" || !production && got != appURL {
				t.Errorf("Location %q", got)
			}

			forged := p.s.Token(clerktest.WithSigningKey(key(1), "other"), clerktest.WithClaim("handshake", []string{"__session=x"}))
			res = p.a.AuthenticatePage(context.Background(), core.HTTPRequest(pageReq("GET", appURL+"&__clerk_handshake="+forged, map[string]string{"__clerk_db_jwt": "dvb"})))
			if production && (res.Status != core.PageSignedOut || res.Reason != "session-token-and-uat-missing") ||
				!production && res.Status != core.PageSignedOut {
				t.Errorf("forged handshake: %v %q", res.Status, res.Reason)
			}
			if res.Header.Get("Set-Cookie") != "" {
				t.Errorf("forged handshake set cookies: %q", res.Header.Values("Set-Cookie"))
			}
		})
	}
}

// TestAuthenticatePageHandshakeDirectives: a handshake JWT signed by the
// instance carries the directives; those that are not single-line cookies
// are never copied onto the response, and a new __session that does not
// verify leaves the decision to the request's own cookies (in development
// too: only a refused handshake JWT signs a development browser out).
func TestAuthenticatePageHandshakeDirectives(t *testing.T) {
	for _, production := range []bool{true, false} {
		t.Run("production="+strconv.FormatBool(production), func(t *testing.T) {
			p := newPageSetup(t, production)
			hs := p.s.Token(clerktest.WithClaim("handshake", []string{
				"__client_uat=0; Path=/", "x=1\r\nLocation: https://evil.example", "=v", "__session=not-a-token; Path=/",
			}))
			res := p.a.AuthenticatePage(context.Background(), core.HTTPRequest(pageReq("GET", appURL+"&__clerk_handshake="+hs,
				map[string]string{"__clerk_db_jwt": "dvb"})))
			if res.Status != core.PageSignedOut || res.Reason != "session-token-and-uat-missing" {
				t.Fatalf("%v %q (%v)", res.Status, res.Reason, res.Err)
			}
			if got := res.Header.Values("Set-Cookie"); len(got) != 0 {
				t.Errorf("cookies of an unresolved handshake: %q", got)
			}

			valid := p.s.Token(clerktest.WithSessionID("sess_1"))
			hs = p.s.Token(clerktest.WithClaim("handshake", []string{
				"__client_uat=1; Path=/", "x=1\r\nLocation: https://evil.example", "=v", "__session=" + valid + "; Path=/",
			}))
			res = p.a.AuthenticatePage(context.Background(), core.HTTPRequest(pageReq("GET", appURL+"&__clerk_handshake="+hs, nil)))
			if res.Status != core.PageSignedIn {
				t.Fatalf("%v %q (%v)", res.Status, res.Reason, res.Err)
			}
			if got := res.Header.Values("Set-Cookie"); len(got) != 2 || got[0] != "__client_uat=1; Path=/" || got[1] != "__session="+valid+"; Path=/" {
				t.Errorf("Set-Cookie %q", got)
			}
			if res.Header.Get("Access-Control-Allow-Origin") != "null" || res.Header.Get("Access-Control-Allow-Credentials") != "true" {
				t.Errorf("headers %v", res.Header)
			}
		})
	}
}

// TestAuthenticatePageObserved: one Decision per page request, with the
// reason of a handshake; a signed-in request gets its user.
func TestAuthenticatePageObserved(t *testing.T) {
	clk := newClock()
	s := newFake(t, clk, clerktest.WithProductionInstance())
	obs := &recorder{}
	cfg := fakeConfig(s, clk)
	cfg.PublishableKey = s.PublishableKey()
	cfg.Observer = obs
	a, err := core.NewAuthenticator(core.Options{Client: newClient(t, cfg), BrowserPages: true})
	if err != nil {
		t.Fatal(err)
	}
	res := a.AuthenticatePage(context.Background(), core.HTTPRequest(pageReq("GET", appURL, map[string]string{"__client_uat": "1"})))
	if res.Status != core.PageHandshake {
		t.Fatalf("%v", res.Status)
	}
	res = a.AuthenticatePage(context.Background(), core.HTTPRequest(pageReq("GET", appURL,
		map[string]string{"__client_uat": "1", "__session": s.Token()})))
	if res.Status != core.PageSignedIn || res.Auth.User == nil || res.Auth.User.ID != s.DefaultUserID() {
		t.Fatalf("%+v", res)
	}
	obs.mu.Lock()
	defer obs.mu.Unlock()
	want := []string{"decision   token-missing", "decision  session_token "}
	if len(obs.lines) < 2 || obs.lines[0] != want[0] || obs.lines[len(obs.lines)-1] != want[1] {
		t.Errorf("decisions %q, want %q", obs.lines, want)
	}
}

// TestPageResultFormatsNoHeaderValues: a PageResult formatted as a value
// (not only as a pointer: a struct field, a slice element, a dereference)
// or logged with slog never shows its header values, which carry the
// session token, the refresh token and handshake cookies; a nil result
// formats without a panic.
func TestPageResultFormatsNoHeaderValues(t *testing.T) {
	const secret = "eyJ.secret-session-token.sig"
	res := &core.PageResult{Status: core.PageHandshake, Reason: "session-token-expired", Header: http.Header{
		"Location":   {"https://clerk.example/v1/client/handshake?__session=" + secret},
		"Set-Cookie": {"__session=" + secret + "; Path=/"},
	}}
	type holder struct{ Res core.PageResult }
	var logged bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logged, nil))
	log.Info("page", "value", *res, "pointer", res)
	log.Info("page", slog.Any("value", *res))
	outs := []string{logged.String()}
	for _, v := range []any{*res, res, holder{*res}, []core.PageResult{*res}, &holder{*res}} {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
			outs = append(outs, fmt.Sprintf(verb, v))
		}
	}
	for _, out := range outs {
		if strings.Contains(out, "secret-session-token") {
			t.Errorf("a header value is in the formatted result: %s", out)
		}
		if !strings.Contains(out, "Location") && strings.Contains(out, "core.PageResult") {
			t.Errorf("the header names are missing: %s", out)
		}
	}
	if got := fmt.Sprint((*core.PageResult)(nil)); got != "<nil>" {
		t.Errorf("nil result: %q", got)
	}
}
