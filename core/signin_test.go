package core_test

import (
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/clerkgo/clerk/core"
	"github.com/clerkgo/clerk/core/clerktest"
)

// TestSignInRedirect: with BrowserPages, a page request signed out for
// want of credentials on a route that needs a session is sent to the
// sign-in page with redirect_url back; API requests, other methods,
// NoSignInRedirect and a Clerk outage keep their 4xx/5xx; an Optional
// route goes on anonymously with the sign-in URL kept for Require.
func TestSignInRedirect(t *testing.T) {
	prod := newPageSetup(t, true)
	signIn := prod.s.URL + "/sign-in"
	want := signIn + "?redirect_url=" + url.QueryEscape(appURL) // each setup's own fake: see wantFor
	keep401 := newPageSetup(t, true, func(o *core.Options) { o.NoSignInRedirect = true })
	optional := newPageSetup(t, true, func(o *core.Options) { o.Optional = true })
	dev := newPageSetup(t, false)
	down := newPageSetup(t, true)
	down.s.Fail(clerktest.EndpointJWKS, http.StatusInternalServerError)
	uat := strconv.FormatInt(prod.clk.Now().Add(-time.Minute).Unix(), 10)

	cases := []struct {
		name      string
		setup     *pageSetup
		req       *http.Request
		location  string // "" : no redirect
		signInURL string // PageResult.SignInURL
		status    int    // FailureOf(Err).Status; 0: Err nil
	}{
		{"document, no cookies", prod, pageReq("GET", appURL, nil), want, want, 401},
		{"Accept text/html, no Sec-Fetch-Dest", prod, pageReq("GET", appURL, nil, "Sec-Fetch-Dest", "", "Accept", "text/html,*/*"), want, want, 401},
		{"garbage cookie", prod, pageReq("GET", appURL, map[string]string{"__session": "x.y.z", "__client_uat": uat}), want, want, 401},
		{"fetch() call", prod, pageReq("GET", appURL, nil, "Sec-Fetch-Dest", "empty"), "", "", 401},
		{"API client", prod, pageReq("GET", appURL, nil, "Sec-Fetch-Dest", "", "Accept", "application/json"), "", "", 401},
		{"form POST", prod, pageReq("POST", appURL, nil), "", "", 401},
		{"NoSignInRedirect", keep401, pageReq("GET", appURL, nil), "", "", 401},
		{"Optional: anonymous, URL kept", optional, pageReq("GET", appURL, nil), "", want, 0},
		{"the sign-in page itself", prod, pageReq("GET", signIn, nil, "Host", prod.s.Host()), "", "", 401},
		{"handshake parameters dropped", prod, pageReq("GET", appURL+"&__clerk_help=1&__clerk_handshake_nonce=", nil), want, want, 401},
		{"Clerk down: 503, no redirect", down, pageReq("GET", appURL, map[string]string{"__session": down.s.Token(), "__client_uat": uat}), "", "", 503},
	}
	// A development browser going to another origin carries its token.
	devReq := pageReq("GET", appURL, map[string]string{"__clerk_db_jwt": "dvb_1"})
	devWant := prod.s.URL + "/sign-in?" + url.Values{"redirect_url": {appURL}, "__clerk_db_jwt": {"dvb_1"}}.Encode()
	cases = append(cases, struct {
		name      string
		setup     *pageSetup
		req       *http.Request
		location  string
		signInURL string
		status    int
	}{"development, cross-origin", dev, devReq, devWant, devWant, 401})

	// wantFor moves prod's sign-in URL onto the setup's own fake.
	wantFor := func(s *pageSetup, u string) string {
		if u == "" {
			return ""
		}
		return s.s.URL + u[len(prod.s.URL):]
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.location, tc.signInURL = wantFor(tc.setup, tc.location), wantFor(tc.setup, tc.signInURL)
			res := tc.setup.a.AuthenticatePage(t.Context(), core.HTTPRequest(tc.req))
			if res.Status != core.PageSignedOut {
				t.Fatalf("status %s, want signed out: %v", res.Status, res)
			}
			if got := res.Header.Get("Location"); got != tc.location || res.Redirect() != (tc.location != "") {
				t.Errorf("Location %q, want %q", got, tc.location)
			}
			if tc.location != "" && res.Header.Get("Cache-Control") != "no-store" {
				t.Errorf("Cache-Control %q", res.Header.Get("Cache-Control"))
			}
			if res.SignInURL != tc.signInURL {
				t.Errorf("SignInURL %q, want %q", res.SignInURL, tc.signInURL)
			}
			switch {
			case tc.status == 0 && res.Err != nil:
				t.Errorf("Err %v, want nil", res.Err)
			case tc.status != 0 && (res.Err == nil || core.FailureOf(res.Err).Status != tc.status):
				t.Errorf("Err %v, want status %d", res.Err, tc.status)
			}
			if res.Header.Get("X-Clerk-Auth-Status") != "signed-out" {
				t.Errorf("x-clerk-auth-status %q", res.Header.Get("X-Clerk-Auth-Status"))
			}
		})
	}
}

// TestSignInURLConfig: Config.SignInURL is a path or an http(s) URL, and
// defaults to the Account Portal derived from the publishable key as
// Clerk's buildAccountsBaseUrl derives it.
func TestSignInURLConfig(t *testing.T) {
	pk := func(prefix, host string) string {
		return prefix + base64.StdEncoding.EncodeToString([]byte(host+"$"))
	}
	page := url.QueryEscape(appURL)
	cases := []struct {
		name, publishable, signIn string
		want                      string // the Location; "" with problem
		problem                   bool
	}{
		{"production portal", pk("pk_live_", "clerk.example.com"), "", "https://accounts.example.com/sign-in?redirect_url=" + page, false},
		{"development portal", pk("pk_test_", "foo-bar-13.clerk.accounts.dev"), "", "https://foo-bar-13.accounts.dev/sign-in?__clerk_db_jwt=dvb_1&redirect_url=" + page, false},
		{"staging portal", pk("pk_test_", "x.clerk.accountsstage.dev"), "", "https://x.accountsstage.dev/sign-in?__clerk_db_jwt=dvb_1&redirect_url=" + page, false},
		{"path", pk("pk_live_", "clerk.example.com"), "/login?from=x", "http://app.example/login?from=x&redirect_url=" + page, false},
		{"absolute", pk("pk_live_", "clerk.example.com"), "https://auth.example.com/in", "https://auth.example.com/in?redirect_url=" + page, false},
		{"scheme-relative", pk("pk_live_", "clerk.example.com"), "//evil.example/in", "", true},
		{"javascript", pk("pk_live_", "clerk.example.com"), "javascript:alert(1)", "", true},
		{"user info", pk("pk_live_", "clerk.example.com"), "https://a@b.example/in", "", true},
		{"fragment", pk("pk_live_", "clerk.example.com"), "/in#x", "", true},
		{"space", pk("pk_live_", "clerk.example.com"), "/sign in", "", true},
		{"relative path", pk("pk_live_", "clerk.example.com"), "sign-in", "", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := core.New(core.Config{SecretKey: "sk_test_x", PublishableKey: tc.publishable, SignInURL: tc.signIn})
			var ce *core.ConfigError
			if tc.problem {
				if !errors.As(err, &ce) || ce.Field != "SignInURL" {
					t.Fatalf("New: %v, want a SignInURL ConfigError", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = c.Close() })
			a, err := core.NewAuthenticator(core.Options{Client: c, BrowserPages: true, SkipUserFetch: true})
			if err != nil {
				t.Fatal(err)
			}
			// A development browser already synced (no dev-browser-missing
			// handshake first): its token goes along to the portal.
			res := a.AuthenticatePage(t.Context(), core.HTTPRequest(pageReq("GET", appURL, map[string]string{"__clerk_db_jwt": "dvb_1"})))
			if got := res.Header.Get("Location"); got != tc.want {
				t.Errorf("Location %q, want %q", got, tc.want)
			}
		})
	}
}
