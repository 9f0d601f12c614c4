package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/clerkgo/clerk/core"
	"github.com/clerkgo/clerk/core/clerktest"
	"github.com/clerkgo/clerk/examples/internal/demo"
	"github.com/clerkgo/clerk/examples/internal/demotest"
)

// TestOrganizations walks a browser (a cookie-jar client sending a
// navigation's headers) through the demo on its embedded fake Clerk: it
// signs in on the fake's page from acme's dashboard and comes back with
// acme active; globex's dashboard activates globex through one handshake
// with organization_id=globex (a second visit needs none); /me clears the
// active organization; acme's dashboard activates acme again; and the
// dashboard of an organization the user is not a member of ends, after
// Clerk's loop guard (three handshakes), signed in with no active
// organization and the 403 page, and Clerk's warning in the log. No
// response is a 401 or a 5xx.
func TestOrganizations(t *testing.T) {
	demotest.ClearEnv(t)
	logs := &syncBuffer{}
	app, err := demo.SetupFakeWith(nil, func(c *core.Config) { c.Logger = slog.New(slog.NewTextHandler(logs, nil)) })
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(app.Close)
	s := demotest.Start(t, func(ctx context.Context, stdout io.Writer) error { return serve(ctx, app, stdout) })
	demotest.RunBanner(t, s, nil)
	fake := app.Fake
	user, ok := fake.DefaultUser()
	if !ok {
		t.Fatal("the fake has no default user")
	}
	if !strings.Contains(s.Banner, "is a member of acme (org:admin) and globex (org:member).") {
		t.Errorf("banner:\n%s", s.Banner)
	}

	b := demotest.NewBrowser(t)
	acme := s.URL + "/orgs/acme/dashboard"
	resp, body := b.Open(t, acme, nil)
	at := resp.Request.URL
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(at.String(), fake.URL+"/sign-in?") || at.Query().Get("redirect_url") != acme {
		t.Fatalf("signed out: %d at %s, want the fake's sign-in page with redirect_url %s; %q", resp.StatusCode, at, acme, body)
	}
	form := url.Values{"user_id": {user.ID}, "redirect_url": {acme}, "__clerk_db_jwt": {at.Query().Get("__clerk_db_jwt")}}
	resp, body = b.Open(t, fake.URL+"/sign-in", form)
	if resp.StatusCode != http.StatusOK || resp.Request.URL.String() != acme ||
		!strings.Contains(body, `id="org-slug">acme<`) || !strings.Contains(body, `id="org-role">org:admin<`) {
		t.Fatalf("after signing in: %d at %s %q", resp.StatusCode, resp.Request.URL, body)
	}
	if got := activeOrg(t, fake); got != "acme" {
		t.Errorf("after signing in the fake's session has %q active, want acme", got)
	}

	for _, step := range []struct {
		path       string
		status     int
		want       string // in the body
		handshakes int
		active     string // the session's active organization afterwards
	}{
		{"/orgs/globex/dashboard", http.StatusOK, `id="org-slug">globex<`, 1, "globex"},
		{"/orgs/globex/dashboard", http.StatusOK, `id="org-slug">globex<`, 0, "globex"},
		{"/me", http.StatusOK, "Active organization: none", 1, ""},
		{"/orgs/acme/dashboard", http.StatusOK, `id="org-slug">acme<`, 1, "acme"},
		{"/orgs/initech/dashboard", http.StatusForbidden, "You are not a member of <strong>initech</strong>", 3, ""},
		{"/", http.StatusOK, "Active organization: none (personal account)", 0, ""},
	} {
		hs := fake.Requests(clerktest.EndpointHandshake)
		resp, body := b.Open(t, s.URL+step.path, nil)
		if resp.StatusCode != step.status || resp.Request.URL.String() != s.URL+step.path || !strings.Contains(body, step.want) {
			t.Fatalf("%s: %d at %s, want %d with %q: %s", step.path, resp.StatusCode, resp.Request.URL, step.status, step.want, body)
		}
		if !strings.Contains(body, user.ID) {
			t.Errorf("%s: not signed in as %s: %s", step.path, user.ID, body)
		}
		if n := fake.Requests(clerktest.EndpointHandshake) - hs; n != step.handshakes {
			t.Errorf("%s: %d handshakes, want %d", step.path, n, step.handshakes)
		}
		if step.handshakes > 0 {
			q := fake.LastHandshakeQuery()
			wantOrg := strings.TrimSuffix(strings.TrimPrefix(step.path, "/orgs/"), "/dashboard")
			if step.path == "/me" {
				wantOrg = ""
			}
			if got, ok := q["organization_id"]; !ok || got[0] != wantOrg || q.Get("__clerk_hs_reason") != "active-organization-mismatch" {
				t.Errorf("%s: handshake query %v, want organization_id %q", step.path, q, wantOrg)
			}
		}
		if got := activeOrg(t, fake); got != step.active {
			t.Errorf("%s: the fake's session has %q active, want %q", step.path, got, step.active)
		}
	}

	// Clerk's warning at the loop guard, and no token in the log.
	if l := logs.String(); !strings.Contains(l, "organization activation handshake loop detected") || strings.Contains(l, "eyJ") {
		t.Errorf("log:\n%s", l)
	}
	for _, h := range b.Hops() {
		if h.Status == http.StatusUnauthorized || h.Status >= 500 {
			t.Errorf("the browser saw %d at %s", h.Status, h.URL)
		}
	}
}

// syncBuffer is a bytes.Buffer safe for the server's goroutines.
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

// activeOrg is the slug of the active organization of the fake's one
// active browser session.
func activeOrg(t *testing.T, fake *clerktest.Server) string {
	t.Helper()
	var active []clerktest.BrowserSession
	for _, s := range fake.BrowserSessions() {
		if s.Status == clerktest.SessionActive {
			active = append(active, s)
		}
	}
	if len(active) != 1 {
		t.Fatalf("%d active sessions on the fake, want 1", len(active))
	}
	return active[0].Org.Slug
}

// TestRun: the command as run, with $PORT=0: the banner's commands answer
// as their comments say.
func TestRun(t *testing.T) {
	demotest.ClearEnv(t)
	s := demotest.Start(t, run)
	demotest.RunBanner(t, s, nil)
	if r := s.Get(t, "/", ""); r.Status != http.StatusOK || !strings.Contains(string(r.Body), "You are not signed in") {
		t.Errorf("GET /: %d %s", r.Status, r.Body)
	}
}

// TestServeNeedsTheFake: serve refuses an app without the embedded fake.
func TestServeNeedsTheFake(t *testing.T) {
	if err := serve(context.Background(), &demo.App{}, io.Discard); err == nil {
		t.Fatal("serve without a fake Clerk: no error")
	}
}
