package browsertest

import (
	"bytes"
	"context"
	"html"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/clerkgo/clerk/core"
	"github.com/clerkgo/clerk/core/clerktest"
)

// clock is the settable clock of the fake and of the app's client.
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

// syncBuffer is a bytes.Buffer safe for the client's logger and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// tokenLifetime is the fake's session-token lifetime in these tests.
const tokenLifetime = 30 * time.Second

// An appServer serves, with one adapter's middleware and BrowserPages on:
// GET /dashboard (a signed-in session; the page shows
// <p id="greeting">hello NAME</p>) and a public GET / (Optional). It
// returns the app's base URL; the server stops at the end of the test.
type appServer func(t *testing.T, c *core.Client) string

// greeting is the dashboard's body for user.
func greeting(user *core.User) string {
	return `<!doctype html><title>dashboard</title><p id="greeting">hello ` + html.EscapeString(user.DisplayName()) + `</p>`
}

// homePage is the public page's body.
func homePage(session *core.Claims) string {
	who := "signed out"
	if session != nil {
		who = "signed in as " + session.Subject
	}
	return `<!doctype html><title>home</title><p id="who">` + html.EscapeString(who) + `</p>`
}

// hop is one response the browser saw: a redirect or a final answer.
type hop struct {
	status int64
	url    string
}

// recorder records every response a browser tab sees, redirects included,
// and the URL of every request it sends, from the DevTools network events.
type recorder struct {
	mu       sync.Mutex
	hops     []hop
	requests []string
	changed  chan struct{} // signalled after each new hop
}

func newRecorder() *recorder { return &recorder{changed: make(chan struct{}, 1)} }

func (r *recorder) listen(ev any) {
	var h hop
	switch e := ev.(type) {
	case *network.EventRequestWillBeSent:
		r.mu.Lock()
		r.requests = append(r.requests, e.Request.URL)
		r.mu.Unlock()
		if e.RedirectResponse == nil {
			return
		}
		h = hop{e.RedirectResponse.Status, e.RedirectResponse.URL}
	case *network.EventResponseReceived:
		h = hop{e.Response.Status, e.Response.URL}
	default:
		return
	}
	r.mu.Lock()
	r.hops = append(r.hops, h)
	r.mu.Unlock()
	select {
	case r.changed <- struct{}{}:
	default: // a signal is pending
	}
}

// await waits until cond holds for the hops seen so far, or ctx ends.
func (r *recorder) await(ctx context.Context, cond func([]hop) bool) error {
	for !cond(r.all()) {
		select {
		case <-r.changed:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

func (r *recorder) all() []hop {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]hop(nil), r.hops...)
}

// sent returns the URLs of the requests the tab sent so far.
func (r *recorder) sent() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.requests...)
}

// count returns how many responses came from a URL starting with prefix.
func (r *recorder) count(prefix string) int {
	n := 0
	for _, h := range r.all() {
		if strings.HasPrefix(h.url, prefix) {
			n++
		}
	}
	return n
}

// noUnauthorized fails the test for every 401 (or 5xx) the browser saw.
func (r *recorder) noUnauthorized(t *testing.T) {
	t.Helper()
	for _, h := range r.all() {
		if h.status == http.StatusUnauthorized || h.status >= 500 {
			t.Errorf("the browser saw %d at %s", h.status, h.url)
		}
	}
}

// browser is the package's one headless Chromium: starting one costs
// seconds, so every test opens a browser context of its own in it instead
// (its own cookies, cache and storage, as a fresh profile would have).
// The first test that needs it starts it; TestMain stops it.
var browser struct {
	once sync.Once
	ctx  context.Context
	stop func()
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if browser.stop != nil {
		browser.stop()
	}
	os.Exit(code)
}

// newBrowser opens a tab in a new browser context of the package's
// Chromium (cookies of its own) that records every response; it closes,
// and its browser context is disposed of, at the end of the test.
func newBrowser(t *testing.T, exec string) (context.Context, *recorder) {
	t.Helper()
	browser.once.Do(func() {
		allocOpts := append(chromedp.DefaultExecAllocatorOptions[:],
			chromedp.ExecPath(exec), chromedp.NoSandbox, chromedp.Flag("disable-dev-shm-usage", true))
		actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), allocOpts...)
		bctx, cancelBrowser := chromedp.NewContext(actx)
		browser.ctx, browser.stop = bctx, func() { cancelBrowser(); cancelAlloc() }
		browser.err = chromedp.Do(bctx) // starts the browser
	})
	if browser.err != nil {
		t.Fatalf("starting %s: %v", exec, browser.err)
	}
	rec := newRecorder()
	ctx, cancel := chromedp.NewContext(browser.ctx, chromedp.WithNewBrowserContext(), chromedp.WithListener(rec.listen))
	t.Cleanup(cancel)
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(cancelTimeout)
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	return ctx, rec
}

// chromium returns the browser to drive, or skips the test loudly.
func chromium(t *testing.T) string {
	t.Helper()
	exec := os.Getenv("CLERKGO_CHROMIUM")
	if exec == "" {
		t.Skip("SKIPPED: CLERKGO_CHROMIUM is not set (scripts/chromium.sh finds or installs Chromium)")
	}
	return exec
}

// newClient is the app's client of fake: its keys, Backend API, Frontend
// API (ProxyURL) and sign-in page, on the clock now, logging to log.
func newClient(t *testing.T, fake *clerktest.Server, now func() time.Time, log *syncBuffer, edit func(*core.Config)) *core.Client {
	t.Helper()
	cfg := core.Config{SecretKey: fake.SecretKey(), PublishableKey: fake.PublishableKey(), APIURL: fake.URL,
		ProxyURL: fake.URL, SignInURL: fake.URL + "/sign-in", Now: now, MaxRetries: -1,
		Logger: slog.New(slog.NewTextHandler(log, nil))}
	if edit != nil {
		edit(&cfg)
	}
	c, err := core.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// TestBrowserWalk: a headless Chromium opens /dashboard of an app served
// by a real adapter with BrowserPages; the app sends it to Clerk (the
// development instance's handshake first) and on to the fake's sign-in
// page; a click on the user brings it back to /dashboard signed in, with
// Clerk's cookies (__session, __client_uat, an HttpOnly
// __refresh_<suffix>); past the session token's lifetime on the injected
// clock the next navigations are still signed in, through one refresh and
// no handshake; and the browser never sees a 401.
func TestBrowserWalk(t *testing.T) {
	exec := chromium(t)
	for _, fw := range frameworks {
		for _, production := range []bool{false, true} {
			instance := map[bool]string{false: "development", true: "production"}[production]
			t.Run(fw.name+"/"+instance, func(t *testing.T) { walk(t, exec, fw.serve, production) })
		}
	}
}

func walk(t *testing.T, exec string, serve appServer, production bool) {
	clk := &clock{now: time.Now()}
	opts := []clerktest.Option{clerktest.WithClock(clk.Now), clerktest.WithSessionTokenLifetime(tokenLifetime)}
	if production {
		opts = append(opts, clerktest.WithProductionInstance())
	}
	fake := clerktest.New(opts...)
	t.Cleanup(fake.Close)
	log := &syncBuffer{}
	base := serve(t, newClient(t, fake, clk.Now, log, nil))
	dashboard := base + "/dashboard"
	user, _ := fake.DefaultUser()
	hello := "hello " + *user.FirstName + " " + *user.LastName
	ctx, rec := newBrowser(t, exec)

	button := chromedp.CSS(`button[value="` + user.ID + `"]`)
	err := chromedp.Do(ctx, chromedp.Navigate(dashboard), chromedp.WaitVisible(button))
	if err != nil {
		t.Fatal(err)
	}
	at := location(t, ctx)
	if u, err := url.Parse(at); err != nil || !strings.HasPrefix(at, fake.URL+"/sign-in?") || u.Query().Get("redirect_url") != dashboard {
		t.Fatalf("signed out, /dashboard ended at %s, want the fake's sign-in page with redirect_url %s", at, dashboard)
	}
	if n := rec.count(fake.URL + "/v1/client/handshake"); !production && n != 1 || production && n != 0 {
		t.Errorf("%d handshakes before sign-in", n)
	}

	err = chromedp.Do(ctx, chromedp.Click(button), chromedp.WaitVisible(chromedp.CSS(`#greeting`)))
	if err != nil {
		t.Fatal(err)
	}
	greet, at := text(t, ctx, "#greeting"), location(t, ctx)
	if greet != hello || !strings.HasPrefix(at, dashboard) {
		t.Fatalf("after sign-in: %q at %s", greet, at)
	}
	if !production && at != dashboard {
		t.Errorf("a development instance ends at %s, want the clean %s", at, dashboard)
	}
	// Production: one handshake (client-uat-but-no-session-token).
	// Development: the dev-browser-sync handshake, and one more
	// (dev-browser-missing) because the fake's handshake hands the
	// development-browser cookie back only when the query has none, while
	// the app, now on suffixed cookies, reads __clerk_db_jwt_<suffix>.
	if n := rec.count(fake.URL + "/v1/client/handshake"); production && n != 1 || !production && (n < 2 || n > 3) {
		t.Errorf("%d handshakes in all after sign-in", n)
	}
	checkCookies(t, ctx, fake, dashboard, production)

	// Past the token's lifetime (and the 5 s clock skew) on the fake's and
	// the app's clock.
	hs, refreshes := fake.Requests(clerktest.EndpointHandshake), fake.Requests(clerktest.EndpointRefreshSession)
	clk.Advance(tokenLifetime + 10*time.Second)
	for i := range 2 {
		if err := chromedp.Do(ctx, chromedp.Navigate(dashboard)); err != nil {
			t.Fatal(err)
		}
		if greet := text(t, ctx, "#greeting"); greet != hello {
			t.Errorf("navigation %d past the token's lifetime: %q", i+1, greet)
		}
	}
	if n, m := fake.Requests(clerktest.EndpointRefreshSession)-refreshes, fake.Requests(clerktest.EndpointHandshake)-hs; n != 1 || m != 0 {
		t.Errorf("past the token's lifetime: %d refreshes and %d handshakes, want 1 and 0", n, m)
	}

	// The public page says who is signed in.
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/")); err != nil {
		t.Fatal(err)
	}
	if who := text(t, ctx, "#who"); who != "signed in as "+user.ID {
		t.Errorf("GET /: %q", who)
	}
	rec.noUnauthorized(t)
	if strings.Contains(log.String(), "level=ERROR") {
		t.Errorf("the client logged an error:\n%s", log)
	}
	t.Logf("%d responses, %d handshakes, %d refreshes", len(rec.all()), fake.Requests(clerktest.EndpointHandshake),
		fake.Requests(clerktest.EndpointRefreshSession))
}

// checkCookies checks the cookies the browser holds for the app: the ones
// Clerk's handshake sets, on path /, SameSite=Lax, only the refresh token
// HttpOnly; and on a development instance the development-browser token.
func checkCookies(t *testing.T, ctx context.Context, fake *clerktest.Server, dashboard string, production bool) {
	t.Helper()
	res, err := chromedp.Call(ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{dashboard}})
	if err != nil {
		t.Fatal(err)
	}
	got := res.Cookies
	byName := map[string]*network.Cookie{}
	for _, c := range got {
		byName[c.Name] = c
	}
	want := []string{"__session", "__client_uat", "__refresh_" + fake.CookieSuffix()}
	if !production {
		want = append(want, "__clerk_db_jwt")
	}
	for _, name := range want {
		c := byName[name]
		if c == nil || c.Value == "" {
			t.Errorf("the browser has no %s for the app (cookies: %d)", name, len(got))
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
}

// TestBrowserKeysMismatch: an app whose instance keys do not match the
// browser's instance (its JWT key is a second fake's, so every session the
// handshake brings back fails verification) stops handing the browser to
// the handshake after the loop guard (__clerk_redirect_count reaches 3):
// the browser ends on a signed-out page (the sign-in page) after at most 3
// + 1 handshakes, never in an endless redirect, and the client logs why.
func TestBrowserKeysMismatch(t *testing.T) {
	exec := chromium(t)
	for _, fw := range frameworks {
		t.Run(fw.name, func(t *testing.T) {
			fake := clerktest.New(clerktest.WithSessionTokenLifetime(tokenLifetime))
			t.Cleanup(fake.Close)
			other := clerktest.New()
			t.Cleanup(other.Close)
			log := &syncBuffer{}
			base := fw.serve(t, newClient(t, fake, nil, log, func(c *core.Config) { c.JWTKey = other.PublicKeyPEM() }))
			dashboard := base + "/dashboard"
			user := fake.DefaultUserID()
			ctx, rec := newBrowser(t, exec)

			button := chromedp.CSS(`button[value="` + user + `"]`)
			err := chromedp.Do(ctx,
				chromedp.Navigate(fake.URL+"/sign-in?redirect_url="+url.QueryEscape(dashboard)),
				chromedp.Click(button),
			)
			if err != nil {
				t.Fatal(err)
			}
			// The loop guard's end: the sign-in page again, after a handshake.
			err = rec.await(ctx, func(hops []hop) bool {
				handshake := false
				for _, h := range hops {
					handshake = handshake || strings.HasPrefix(h.url, fake.URL+"/v1/client/handshake")
					if handshake && h.status == http.StatusOK && strings.HasPrefix(h.url, fake.URL+"/sign-in?") {
						return true
					}
				}
				return false
			})
			if err != nil {
				t.Fatalf("no sign-in page after a handshake: %v; responses %v", err, rec.all())
			}
			if err := chromedp.Do(ctx, chromedp.WaitVisible(button)); err != nil {
				t.Fatal(err)
			}
			at := location(t, ctx)
			if !strings.HasPrefix(at, fake.URL+"/sign-in?") {
				t.Errorf("ended at %s, want the sign-in page", at)
			}
			seen := rec.count(fake.URL + "/v1/client/handshake")
			if n := fake.Requests(clerktest.EndpointHandshake); n < 1 || n > 3+1 || seen != n {
				t.Errorf("%d handshakes (the browser saw %d), want 1 to 3 + 1", n, seen)
			}
			if !strings.Contains(log.String(), "infinite redirect loop") {
				t.Errorf("the client did not log the redirect loop:\n%s", log)
			}
			for _, h := range rec.all() {
				if h.status >= 500 {
					t.Errorf("the browser saw %d at %s", h.status, h.url)
				}
			}
			t.Logf("%d responses, %d handshakes", len(rec.all()), fake.Requests(clerktest.EndpointHandshake))
		})
	}
}

// location returns the tab's URL.
func location(t *testing.T, ctx context.Context) string {
	t.Helper()
	at, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	return at
}

// text returns the text of the element css selects.
func text(t *testing.T, ctx context.Context, css string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(css)))
	if err != nil {
		t.Fatal(err)
	}
	return s
}
