package demotest

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/clerkgo/clerk/core/clerktest"
	"github.com/clerkgo/clerk/examples/internal/demo"
)

// Browser is a cookie-jar HTTP client that sends what a browser's
// navigation sends (Sec-Fetch-Dest: document, Accept: text/html) on every
// request and every redirect it follows, and records the status of every
// response it sees, redirects included.
type Browser struct {
	client *http.Client
	mu     sync.Mutex
	seen   []Hop
}

// Hop is one response a [Browser] saw.
type Hop struct {
	// Status is the response's status code.
	Status int
	// URL is the request's URL.
	URL string
}

// NewBrowser returns a [Browser] with an empty cookie jar.
func NewBrowser(t *testing.T) *Browser {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	b := &Browser{}
	b.client = &http.Client{Jar: jar, Timeout: 30 * time.Second, Transport: b,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) > 20 {
				return fmt.Errorf("an endless redirect: %d hops", len(via))
			}
			return nil
		}}
	return b
}

// RoundTrip sends req as a browser's navigation and records the answer.
func (b *Browser) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	req.Header.Set("Accept", "text/html")
	req.Header.Set("Sec-Fetch-Dest", "document")
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err == nil {
		b.mu.Lock()
		b.seen = append(b.seen, Hop{Status: resp.StatusCode, URL: req.URL.String()})
		b.mu.Unlock()
	}
	return resp, err
}

// Hops returns the responses seen so far, in order.
func (b *Browser) Hops() []Hop {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]Hop(nil), b.seen...)
}

// Open navigates to u (GET, or POST of form when form is not nil),
// following redirects, and returns the final response with its body. It
// first drops the loop guard cookie (__clerk_redirect_count, Max-Age=2 on
// the real clock): a person's navigations are seconds apart.
func (b *Browser) Open(t *testing.T, u string, form url.Values) (*http.Response, string) {
	t.Helper()
	if pu, err := url.Parse(u); err == nil {
		// Deletes the jar's copy (MaxAge < 0): no cookie is sent.
		b.client.Jar.SetCookies(pu, []*http.Cookie{{Name: "__clerk_redirect_count", Path: "/", MaxAge: -1}}) //nolint:gosec // a deletion in a test client's jar
	}
	method, body := http.MethodGet, io.Reader(nil)
	if form != nil {
		method, body = http.MethodPost, strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(context.Background(), method, u, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := b.client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, u, err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading the body: %v", method, u, err)
	}
	return resp, string(out)
}

// CheckPages walks a browser through the demo's pages with the demo's
// embedded fake Clerk: GET / signed out; GET /dashboard, a page request,
// is sent (307) to Clerk and ends on the fake's sign-in page with
// redirect_url back; the browser picks the fake's default user there and
// comes back to /dashboard signed in, showing the user's name, email
// address and ID; GET / then says who is signed in. Requests that are not
// a browser's page requests keep the JSON 401. With advance (the clock of
// the fake and the client, see [demo.SetupFake]) it then moves past the
// session token's lifetime: the next pages are still signed in, through
// one session refresh and no handshake; and once the session has ended at
// Clerk, the next page goes to the sign-in page. No response the browser
// sees is a 401.
func CheckPages(t *testing.T, s *Server, fake *clerktest.Server, advance func(time.Duration)) {
	t.Helper()
	home, dashboard := s.URL+demo.HomePath, s.URL+demo.DashboardPath
	user, ok := fake.DefaultUser()
	if !ok {
		t.Fatal("the fake has no default user")
	}
	name := strings.TrimSpace(*user.FirstName + " " + *user.LastName)

	// Not a browser's page request: the public page, and the API's 401.
	r := s.Get(t, demo.HomePath, "")
	if r.Status != http.StatusOK || !strings.Contains(string(r.Body), "You are not signed in") ||
		r.Header.Get("Content-Type") != demo.HTMLContentType {
		t.Errorf("GET / (curl): %d %q %s", r.Status, r.Header.Get("Content-Type"), r.Body)
	}
	r = s.Get(t, demo.DashboardPath, "")
	wantFailure(t, "GET /dashboard (curl)", r, http.StatusUnauthorized, "Bearer", "token-missing")

	// A document request of /dashboard is a 307 to Clerk: the development
	// instance's handshake (no development browser yet).
	r = s.Get(t, demo.DashboardPath, "", "Sec-Fetch-Dest: document")
	if loc := r.Header.Get("Location"); r.Status != http.StatusTemporaryRedirect || !strings.HasPrefix(loc, fake.URL+"/") {
		t.Errorf("GET /dashboard (document): %d Location %q, want a 307 to the fake at %s", r.Status, loc, fake.URL)
	}

	b := NewBrowser(t)
	resp, body := b.Open(t, home, nil)
	if resp.StatusCode != http.StatusOK || resp.Request.URL.String() != home || !strings.Contains(body, "You are not signed in") {
		t.Errorf("browser GET / signed out: %d at %s %q", resp.StatusCode, resp.Request.URL, body)
	}

	resp, body = b.Open(t, dashboard, nil)
	at := resp.Request.URL
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(at.String(), fake.URL+"/sign-in?") ||
		at.Query().Get("redirect_url") != dashboard || !strings.Contains(body, `value="`+user.ID+`"`) {
		t.Fatalf("browser GET /dashboard signed out: %d at %s, want the fake's sign-in page with redirect_url %s; %q",
			resp.StatusCode, at, dashboard, body)
	}

	// The sign-in page's form, as the button posts it.
	form := url.Values{"user_id": {user.ID}, "redirect_url": {dashboard}, "__clerk_db_jwt": {at.Query().Get("__clerk_db_jwt")}}
	signedIn := func(what string) {
		t.Helper()
		resp, body := b.Open(t, dashboard, nil)
		if resp.StatusCode != http.StatusOK || resp.Request.URL.String() != dashboard {
			t.Fatalf("%s: %d at %s %q", what, resp.StatusCode, resp.Request.URL, body)
		}
		for _, want := range []string{name, user.PrimaryEmail(), user.ID} {
			if !strings.Contains(body, want) {
				t.Errorf("%s: the dashboard does not show %q: %s", what, want, body)
			}
		}
	}
	resp, body = b.Open(t, fake.URL+"/sign-in", form)
	if resp.StatusCode != http.StatusOK || resp.Request.URL.String() != dashboard || !strings.Contains(body, name) {
		t.Fatalf("after signing in: %d at %s %q", resp.StatusCode, resp.Request.URL, body)
	}
	signedIn("GET /dashboard signed in")
	resp, body = b.Open(t, home, nil)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Signed in as") || !strings.Contains(body, name) {
		t.Errorf("browser GET / signed in: %d %q", resp.StatusCode, body)
	}

	if advance != nil {
		hs, refreshes := fake.Requests(clerktest.EndpointHandshake), fake.Requests(clerktest.EndpointRefreshSession)
		advance(demo.SessionTokenLifetime + 10*time.Second) // past the lifetime and the clock skew
		signedIn("GET /dashboard past the token's lifetime")
		signedIn("GET /dashboard again")
		if n, m := fake.Requests(clerktest.EndpointRefreshSession)-refreshes, fake.Requests(clerktest.EndpointHandshake)-hs; n != 1 || m != 0 {
			t.Errorf("past the token's lifetime: %d refreshes and %d handshakes, want 1 and 0", n, m)
		}

		// The session ends at Clerk: the next page goes to sign in.
		for _, sess := range fake.BrowserSessions() {
			fake.EndSession(sess.ID)
		}
		advance(demo.SessionTokenLifetime + 10*time.Second)
		resp, _ = b.Open(t, dashboard, nil)
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Request.URL.String(), fake.URL+"/sign-in?") {
			t.Errorf("after the session ended: %d at %s, want the sign-in page", resp.StatusCode, resp.Request.URL)
		}
	}

	for _, h := range b.Hops() {
		if h.Status == http.StatusUnauthorized || h.Status >= 500 {
			t.Errorf("the browser saw %d at %s", h.Status, h.URL)
		}
	}
}

// clock is a settable clock for [PagesMode].
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

// PagesMode runs the demo with its embedded fake Clerk on a clock the test
// moves ([demo.SetupFake]) and walks a browser through its pages
// ([CheckPages]), past the session token's lifetime.
func PagesMode(t *testing.T, serve ServeFunc) {
	ClearEnv(t)
	clk := &clock{now: time.Now()}
	app, err := demo.SetupFake(clk.Now)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(app.Close)
	s := Start(t, func(ctx context.Context, stdout io.Writer) error { return serve(ctx, app, stdout) })
	wantBannerLines(t, s, pageLines...)
	CheckPages(t, s, app.Fake, clk.Advance)
}

// pageLines are the banner's lines about the pages, when they are served.
var pageLines = []string{
	"Pages: open http://HOST/dashboard in a browser: you are sent",
	"to the fake's sign-in page, pick a user, come back signed in; the session",
	fmt.Sprintf("token lasts %d s and is refreshed without a 401 (reload after a minute).", int(demo.SessionTokenLifetime.Seconds())),
	"http://HOST/ is public.",
	`curl -i HOST/dashboard   # 401: not a browser's page request`,
	`curl -i -H 'Accept: text/html' HOST/dashboard   # 307: a page request goes to Clerk`,
}

// checkNoPages checks that the banner says the pages are not served and
// that they are not.
func checkNoPages(t *testing.T, s *Server) {
	t.Helper()
	if !strings.Contains(s.Banner, "the pages "+demo.HomePath+" and "+demo.DashboardPath+" are not served") {
		t.Errorf("the banner does not say the pages are not served:\n%s", s.Banner)
	}
	for _, path := range []string{demo.HomePath, demo.DashboardPath} {
		if r := s.Get(t, path, "", "Sec-Fetch-Dest: document"); r.Status != http.StatusNotFound {
			t.Errorf("GET %s without pages: %d, want 404", path, r.Status)
		}
	}
}
