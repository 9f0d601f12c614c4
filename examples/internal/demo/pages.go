package demo

import (
	"bytes"
	"html/template"
	"time"

	"github.com/clerkgo/clerk/core"
)

// The server-rendered pages of the demo: a public GET / and GET /dashboard,
// which needs a signed-in session. Both are served with the adapter's
// BrowserPages(true) (docs/browser.md): a browser whose session token has
// expired is refreshed or handed to Clerk's handshake, never answered 401,
// and a signed-out browser opening /dashboard is sent to the sign-in page.

// Paths of the pages.
const (
	HomePath      = "/"
	DashboardPath = "/dashboard"
)

// HTMLContentType is the Content-Type of the pages.
const HTMLContentType = "text/html; charset=utf-8"

// SessionTokenLifetime is the lifetime of the session tokens that the
// embedded fake Clerk gives browsers (sign-in page, handshake, refresh):
// 60 seconds, as Clerk's. A page opened after it is refreshed by the
// middleware with the __refresh cookie, without a 401.
const SessionTokenLifetime = 60 * time.Second

// PageData is what the pages show: the signed-in user, or nothing.
type PageData struct {
	// SignedIn is true when the request carries a signed-in session.
	SignedIn bool
	// UserID is the user's ID ("user_..."); "" when signed out.
	UserID string
	// Name is the user's display name (first and last name, else the
	// username, the email address, the ID).
	Name string
	// Email is the user's primary email address, or "".
	Email string
}

// PageOf returns what the pages show for the adapter's User getter and
// Session getter: signed in when session is not nil; user may be nil (no
// user fetched), then the page shows the session's user ID.
func PageOf(user *core.User, session *core.Claims) PageData {
	if session == nil && user == nil {
		return PageData{}
	}
	p := PageData{SignedIn: true}
	if session != nil {
		p.UserID = session.Subject
	}
	if user != nil {
		p.UserID, p.Name, p.Email = user.ID, user.DisplayName(), user.PrimaryEmail()
	}
	if p.Name == "" {
		p.Name = p.UserID
	}
	return p
}

var pages = template.Must(template.New("layout").Parse(`{{define "head"}}<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{.}} (clerkgo demo)</title></head>
<body>{{end}}
{{define "home"}}{{template "head" "Home"}}
<h1>clerkgo demo</h1>
{{if .SignedIn}}<p id="who">Signed in as <strong id="name">{{.Name}}</strong> ({{.UserID}}).</p>
{{else}}<p id="who">You are not signed in.</p>
<p><a id="sign-in" href="/dashboard">Sign in</a> (the dashboard sends you to the sign-in page and back).</p>
{{end}}<p><a id="dashboard" href="/dashboard">Dashboard</a></p>
</body></html>
{{end}}
{{define "dashboard"}}{{template "head" "Dashboard"}}
<h1>Dashboard</h1>
<dl>
<dt>Name</dt><dd id="name">{{.Name}}</dd>
<dt>Email</dt><dd id="email">{{.Email}}</dd>
<dt>User ID</dt><dd id="user-id">{{.UserID}}</dd>
</dl>
<p><a id="home" href="/">Home</a></p>
</body></html>
{{end}}`))

// HomePage renders GET /: who is signed in, a link to the dashboard, and,
// signed out, a sign-in link.
func HomePage(p PageData) ([]byte, error) { return render("home", p) }

// DashboardPage renders GET /dashboard: the signed-in user's name, email
// address and ID.
func DashboardPage(p PageData) ([]byte, error) { return render("dashboard", p) }

// render executes one of the pages into memory, so that a failure leaves
// no half-written page.
func render(name string, p PageData) ([]byte, error) {
	var b bytes.Buffer
	if err := pages.ExecuteTemplate(&b, name, p); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
