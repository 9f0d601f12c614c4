// Command orgs is the multi-organization demo: the URL names the
// organization a page acts for, and the session's active organization
// follows it (Clerk's organizationSyncOptions; chiclerk.OrganizationSync).
//
//	GET /orgs/{slug}/dashboard  the organization's dashboard: its name, your
//	                            role, and links to your other organizations
//	GET /me                     the personal account: no active organization
//	GET /                       public: who is signed in, and the links
//
// A signed-in browser that opens /orgs/globex/dashboard while acme is active
// is sent (307) through Clerk's handshake with organization_id=globex, which
// activates globex on the session and sends the browser back to the page;
// /me clears the active organization the same way. Run it from the
// repository root:
//
//	go run ./examples/orgs
//
// It always runs against an embedded fake Clerk (core/clerktest) with two
// organizations, acme and globex, and one user who is a member of both.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"

	"github.com/clerkgo/clerk/chiclerk"
	"github.com/clerkgo/clerk/core"
	"github.com/clerkgo/clerk/core/clerktest"
	"github.com/clerkgo/clerk/examples/internal/demo"
)

// orgs are the demo's organizations; the fake's default user is a member
// of each, with these roles.
var orgs = []clerktest.OrgMembership{
	{OrgID: "org_acme", Slug: "acme", Role: "org:admin"},
	{OrgID: "org_globex", Slug: "globex", Role: "org:member"},
}

// strangerSlug names an organization the user is not a member of (the
// banner's example).
const strangerSlug = "initech"

// organizationSync: /orgs/<slug> and below name an organization, /me and
// below the personal account.
var organizationSync = core.OrganizationSync{
	OrganizationPatterns:    []string{"/orgs/:slug", "/orgs/:slug/(.*)"},
	PersonalAccountPatterns: []string{"/me", "/me/(.*)"},
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Stdout); err != nil {
		log.Fatal(err)
	}
}

// run starts the embedded fake Clerk and serves the demo until ctx is
// done.
func run(ctx context.Context, stdout io.Writer) error {
	app, err := demo.SetupFakeWith(nil, func(c *core.Config) {
		// Clerk's warnings in the demo's output: the organization
		// activation loop of a slug the user is not a member of.
		c.Logger = slog.New(slog.NewTextHandler(stdout, nil))
	})
	if err != nil {
		return err
	}
	defer app.Close()
	return serve(ctx, app, stdout)
}

// serve makes the fake's default user a member of the organizations and
// serves app until ctx is done, then shuts down cleanly.
func serve(ctx context.Context, app *demo.App, stdout io.Writer) error {
	if app.Fake == nil {
		return errors.New("the organizations demo runs on the embedded fake Clerk")
	}
	user, ok := app.Fake.DefaultUser()
	if !ok {
		return errors.New("the fake Clerk has no default user")
	}
	for _, m := range orgs {
		app.Fake.AddOrgMembership(user.ID, m)
	}
	app.Log.SetOutput(stdout)

	srv := &http.Server{Handler: routes(app), ReadHeaderTimeout: 10 * time.Second}
	ln, err := app.Listen()
	if err != nil {
		return err
	}
	printBanner(stdout, app, user, ln.Addr())
	return demo.Serve(ctx, func() error { return srv.Serve(ln) }, srv.Shutdown)
}

// routes returns the demo's router: the pages behind one middleware with
// BrowserPages and OrganizationSync.
func routes(app *demo.App) http.Handler {
	opts := []chiclerk.Option{chiclerk.WithClient(app.Client), chiclerk.BrowserPages(true),
		chiclerk.OrganizationSync(organizationSync)}
	page := chiclerk.Middleware(opts...)
	public := chiclerk.Middleware(append(opts, chiclerk.Optional(true))...)

	r := chi.NewRouter()
	r.Use(middleware.Recoverer)
	r.Get("/health", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		_ = json.NewEncoder(w).Encode(demo.Health())
	})
	r.With(public).Get("/", func(w http.ResponseWriter, r *http.Request) {
		writePage(w, http.StatusOK, "home", pageOf(r, ""))
	})
	r.With(page).Get("/orgs/{slug}/dashboard", func(w http.ResponseWriter, r *http.Request) {
		p := pageOf(r, chi.URLParam(r, "slug"))
		if p.Org == nil || p.Org.Slug != p.Slug {
			// Past Clerk's loop guard the request goes on signed in without
			// the organization: the user is not a member of it, or it does
			// not exist.
			writePage(w, http.StatusForbidden, "not-member", p)
			return
		}
		writePage(w, http.StatusOK, "dashboard", p)
	})
	r.With(page).Get("/me", func(w http.ResponseWriter, r *http.Request) {
		writePage(w, http.StatusOK, "personal", pageOf(r, ""))
	})
	return r
}

// pageData is what the pages show.
type pageData struct {
	SignedIn bool
	Name     string             // the user's display name
	UserID   string             // user_...
	Org      *core.Organization // the session's active organization, or nil
	Slug     string             // the organization the URL names, or ""
	Orgs     []clerktest.OrgMembership
}

// pageOf reads the signed-in user and the session's active organization.
func pageOf(r *http.Request, slug string) pageData {
	p := pageData{Slug: slug, Orgs: orgs}
	s := chiclerk.Session(r.Context())
	if s == nil {
		return p
	}
	p.SignedIn, p.UserID, p.Name, p.Org = true, s.Subject, s.Subject, s.Org
	if u := chiclerk.User(r.Context()); u != nil && u.DisplayName() != "" {
		p.Name = u.DisplayName()
	}
	return p
}

var pages = template.Must(template.New("layout").Parse(`{{define "head"}}<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{.}} (clerkgo organizations demo)</title></head>
<body>{{end}}
{{define "links"}}<ul id="orgs">
{{range .Orgs}}<li><a id="org-{{.Slug}}" href="/orgs/{{.Slug}}/dashboard">{{.Slug}}</a></li>
{{end}}<li><a id="personal" href="/me">Personal account</a></li>
</ul>
</body></html>
{{end}}
{{define "home"}}{{template "head" "Home"}}
<h1>clerkgo organizations demo</h1>
{{if .SignedIn}}<p id="who">Signed in as <strong id="name">{{.Name}}</strong> ({{.UserID}}).</p>
<p id="active">Active organization: {{with .Org}}{{.Slug}}{{else}}none (personal account){{end}}</p>
{{else}}<p id="who">You are not signed in: open an organization's dashboard to sign in.</p>
{{end}}{{template "links" .}}{{end}}
{{define "dashboard"}}{{template "head" .Org.Slug}}
<h1>Organization <span id="org-slug">{{.Org.Slug}}</span></h1>
<dl>
<dt>Organization ID</dt><dd id="org-id">{{.Org.ID}}</dd>
<dt>Your role</dt><dd id="org-role">{{.Org.Role}}</dd>
<dt>Signed in as</dt><dd id="name">{{.Name}} ({{.UserID}})</dd>
</dl>
<p>Open another organization: the link's URL names it, and Clerk's handshake makes it the active one.</p>
{{template "links" .}}{{end}}
{{define "not-member"}}{{template "head" "Not a member"}}
<h1>Not a member</h1>
<p id="not-member">You are not a member of <strong>{{.Slug}}</strong>, or it does not exist.
Active organization: {{with .Org}}{{.Slug}}{{else}}none{{end}}.</p>
<p id="who">Signed in as <strong id="name">{{.Name}}</strong> ({{.UserID}}).</p>
{{template "links" .}}{{end}}
{{define "personal"}}{{template "head" "Personal account"}}
<h1>Personal account</h1>
<p id="who">Signed in as <strong id="name">{{.Name}}</strong> ({{.UserID}}).</p>
<p id="active">Active organization: {{with .Org}}{{.Slug}}{{else}}none{{end}}</p>
{{template "links" .}}{{end}}`))

// writePage renders page into memory, so that a failure leaves no
// half-written page, and answers it with status.
func writePage(w http.ResponseWriter, status int, page string, p pageData) {
	var b bytes.Buffer
	if err := pages.ExecuteTemplate(&b, page, p); err != nil {
		http.Error(w, "rendering the page failed", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", demo.HTMLContentType)
	w.WriteHeader(status)
	_, _ = w.Write(b.Bytes())
}

// printBanner writes, in one Write, where the demo listens and what to
// try.
func printBanner(w io.Writer, app *demo.App, user clerktest.User, addr net.Addr) {
	base := "localhost:" + app.Port
	if tcp, ok := addr.(*net.TCPAddr); ok {
		base = "localhost:" + strconv.Itoa(tcp.Port)
	}
	var memberships []string
	for _, m := range orgs {
		memberships = append(memberships, m.Slug+" ("+m.Role+")")
	}
	name := displayName(user)
	first, second := orgs[0].Slug, orgs[1].Slug
	var b strings.Builder
	fmt.Fprintf(&b, "clerkgo organizations demo (chi) listening on http://%s\n", base)
	fmt.Fprintf(&b, "Verifying tokens against the %s.\n\n", app.Source)
	fmt.Fprintf(&b, "%s (%s) is a member of %s.\n\n", name, user.ID, strings.Join(memberships, " and "))
	fmt.Fprintf(&b, "Open http://%s/orgs/%s/dashboard in a browser: you are sent to the fake's\n", base, first)
	fmt.Fprintf(&b, "sign-in page; pick %s and you come back with %s active. Follow the link to\n", name, first)
	fmt.Fprintf(&b, "%s: its URL names %s, so the middleware hands the browser to Clerk's handshake\n", second, second)
	fmt.Fprintf(&b, "with organization_id=%s, which activates it. http://%s/me is the personal\n", second, base)
	fmt.Fprintf(&b, "account (no active organization); http://%s/orgs/%s/dashboard names an\n", base, strangerSlug)
	b.WriteString("organization you are not a member of: after Clerk's loop guard (three handshakes)\n")
	b.WriteString("it is a 403 page. http://" + base + "/ is public.\n\n")
	fmt.Fprintf(&b, "  curl -i %s/orgs/%s/dashboard   # 401: not a browser's page request\n", base, first)
	fmt.Fprintf(&b, "  curl -i -H 'Accept: text/html' %s/orgs/%s/dashboard   # 307: a page request goes to Clerk\n", base, first)
	b.WriteString("\nStop with Ctrl-C.\n")
	_, _ = io.WriteString(w, b.String())
}

// displayName is the user's first and last name, else the ID.
func displayName(u clerktest.User) string {
	var parts []string
	for _, p := range []*string{u.FirstName, u.LastName} {
		if p != nil && *p != "" {
			parts = append(parts, *p)
		}
	}
	if len(parts) == 0 {
		return u.ID
	}
	return strings.Join(parts, " ")
}
