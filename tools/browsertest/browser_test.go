package browsertest

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/clerkgo/clerk/core/clerktest"
)

// clock is the fake's settable clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// app is a small server-rendered app doing the browser side of Clerk's
// protocol in a few lines (the core's browser flow does it in full): it
// resolves a handshake nonce through the Backend API, refreshes an expired
// __session with __refresh_<suffix>, hands a browser whose __client_uat
// says "signed in" without a usable __session to the handshake, and greets
// the user of a live __session. It trusts the token's claims without
// verifying them: the point here is the browser, not verification.
type app struct {
	fake *clerktest.Server
	dev  bool // a development instance: sync the development-browser token
}

func (a *app) bapi(method, path string, body any) (int, []byte, error) {
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, nil, err
		}
		r = strings.NewReader(string(b))
	}
	req, err := http.NewRequest(method, a.fake.URL+path, r)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+a.fake.SecretKey())
	req.Header.Set("Content-Type", "application/json")
	resp, err := a.fake.Client().Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	return resp.StatusCode, out, err
}

func claims(token string) (sub, sid string, exp int64) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return "", "", 0
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return "", "", 0
	}
	var c struct {
		Sub, Sid string
		Exp      int64
	}
	_ = json.Unmarshal(b, &c)
	return c.Sub, c.Sid, c.Exp
}

func (a *app) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/dashboard" {
		http.NotFound(w, r)
		return
	}
	self := "http://" + r.Host + r.URL.Path
	page := func(status int, msg string) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(status)
		fmt.Fprintf(w, `<!doctype html><title>app</title><p id="greeting">%s</p>`, html.EscapeString(msg))
	}
	if nonce := r.URL.Query().Get("__clerk_handshake_nonce"); nonce != "" {
		status, body, err := a.bapi("GET", "/v1/clients/handshake_payload?nonce="+url.QueryEscape(nonce), nil)
		var p clerktest.HandshakePayload
		if err != nil || status != http.StatusOK || json.Unmarshal(body, &p) != nil {
			page(http.StatusUnauthorized, "handshake failed")
			return
		}
		for _, d := range p.Directives {
			w.Header().Add("Set-Cookie", d)
		}
		w.Header().Set("Cache-Control", "no-store")
		http.Redirect(w, r, self, http.StatusTemporaryRedirect)
		return
	}
	if db := r.URL.Query().Get("__clerk_db_jwt"); db != "" && a.dev {
		http.SetCookie(w, &http.Cookie{Name: "__clerk_db_jwt", Value: db, Path: "/", SameSite: http.SameSiteLaxMode})
		w.Header().Set("Cache-Control", "no-store")
		http.Redirect(w, r, self, http.StatusTemporaryRedirect)
		return
	}
	cookie := func(name string) string {
		if c, err := r.Cookie(name); err == nil {
			return c.Value
		}
		return ""
	}
	session, uat := cookie("__session"), cookie("__client_uat")
	if session != "" {
		sub, sid, exp := claims(session)
		if a.fake.Now().Unix() < exp {
			page(http.StatusOK, "hello "+sub)
			return
		}
		if refresh := cookie("__refresh_" + a.fake.CookieSuffix()); refresh != "" {
			status, body, err := a.bapi("POST", "/v1/sessions/"+sid+"/refresh", map[string]any{
				"format": "cookie", "expired_token": session, "refresh_token": refresh, "request_origin": "http://" + r.Host})
			var c clerktest.Cookies
			if err == nil && status == http.StatusOK && json.Unmarshal(body, &c) == nil {
				for _, d := range c.Cookies {
					w.Header().Add("Set-Cookie", d)
				}
				page(http.StatusOK, "hello "+sub+" (refreshed)")
				return
			}
		}
	}
	if session != "" || (uat != "" && uat != "0") {
		q := url.Values{"redirect_url": {self}, "__clerk_api_version": {"2026-05-12"}, "suffixed_cookies": {"false"},
			"__clerk_hs_reason": {"client-uat-but-no-session-token"}, "format": {"nonce"}}
		if db := cookie("__clerk_db_jwt"); db != "" && a.dev {
			q.Set("__clerk_db_jwt", db)
		}
		w.Header().Set("Cache-Control", "no-store")
		http.Redirect(w, r, a.fake.URL+"/v1/client/handshake?"+q.Encode(), http.StatusTemporaryRedirect)
		return
	}
	page(http.StatusUnauthorized, "signed out")
}

// TestBrowserSignIn signs a headless Chromium in on the fake's page and
// checks what it holds: the app greets the user, the browser carries
// __session, __client_uat and an HttpOnly __refresh_<suffix> for the app's
// host, and past the token's lifetime on the fake's clock the app refreshes
// the token instead of answering 401. On a development instance the
// browser also carries the development-browser token the sign-in page
// handed back.
func TestBrowserSignIn(t *testing.T) {
	browser := os.Getenv("CLERKGO_CHROMIUM")
	if browser == "" {
		t.Skip("SKIPPED: CLERKGO_CHROMIUM is not set (scripts/chromium.sh finds or installs Chromium)")
	}
	t.Run("production", func(t *testing.T) { signInWithBrowser(t, browser, false) })
	t.Run("development", func(t *testing.T) { signInWithBrowser(t, browser, true) })
}

func signInWithBrowser(t *testing.T, browser string, dev bool) {
	clk := &clock{now: time.Date(2026, 5, 12, 12, 0, 0, 0, time.UTC)}
	opts := []clerktest.Option{clerktest.WithClock(clk.Now), clerktest.WithSessionTokenLifetime(30 * time.Second)}
	if !dev {
		opts = append(opts, clerktest.WithProductionInstance())
	}
	fake := clerktest.New(opts...)
	defer fake.Close()
	srv := httptest.NewServer(&app{fake: fake, dev: dev})
	defer srv.Close()
	dashboard := srv.URL + "/dashboard"
	user := fake.DefaultUserID()

	allocOpts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(browser), chromedp.NoSandbox, chromedp.Flag("disable-dev-shm-usage", true))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), allocOpts...)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	defer cancelTimeout()

	// greet navigates to u and returns the app's greeting.
	greet := func(u string) string {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.Navigate(u)); err != nil {
			t.Fatal(err)
		}
		text, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#greeting")))
		if err != nil {
			t.Fatal(err)
		}
		return text
	}
	if greeting := greet(dashboard); greeting != "signed out" {
		t.Fatalf("before sign-in: %q", greeting)
	}

	err := chromedp.Do(ctx,
		chromedp.Navigate(fake.URL+"/sign-in?redirect_url="+url.QueryEscape(dashboard)),
		chromedp.Click(chromedp.CSS(`button[value="`+user+`"]`)),
		chromedp.WaitReady(chromedp.CSS(`#greeting`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	greeting, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#greeting")))
	if err != nil {
		t.Fatal(err)
	}
	if greeting != "hello "+user {
		t.Fatalf("after sign-in: %q", greeting)
	}
	if n := fake.Requests(clerktest.EndpointHandshake); n != 1 {
		t.Errorf("%d handshakes, want 1", n)
	}

	got, err := chromedp.Call(ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{dashboard}})
	if err != nil {
		t.Fatal(err)
	}
	cookies := got.Cookies
	byName := map[string]*network.Cookie{}
	for _, c := range cookies {
		byName[c.Name] = c
	}
	want := []string{"__session", "__client_uat", "__refresh_" + fake.CookieSuffix()}
	if dev {
		want = append(want, "__clerk_db_jwt")
		if q := fake.LastHandshakeQuery(); q.Get("__clerk_db_jwt") == "" {
			t.Errorf("the handshake carried no development-browser token: %v", q)
		}
	}
	for _, name := range want {
		c := byName[name]
		if c == nil || c.Value == "" {
			t.Errorf("the browser has no %s for the app (cookies: %d)", name, len(cookies))
			continue
		}
		if c.Path != "/" || c.SameSite != network.CookieSameSiteLax {
			t.Errorf("%s: path %q SameSite %q", name, c.Path, c.SameSite)
		}
		if c.HTTPOnly != strings.HasPrefix(name, "__refresh") {
			t.Errorf("%s: HttpOnly %v", name, c.HTTPOnly)
		}
	}
	if c := byName["__client_uat"]; c != nil && c.Value == "0" {
		t.Error("__client_uat is 0 after sign-in")
	}

	clk.Advance(31 * time.Second)
	if greeting := greet(dashboard); greeting != "hello "+user+" (refreshed)" {
		t.Errorf("past the token's lifetime: %q", greeting)
	}
	if fake.Requests(clerktest.EndpointRefreshSession) != 1 || fake.Requests(clerktest.EndpointHandshake) != 1 {
		t.Errorf("refreshes %d, handshakes %d", fake.Requests(clerktest.EndpointRefreshSession),
			fake.Requests(clerktest.EndpointHandshake))
	}
}
