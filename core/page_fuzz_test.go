package core_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/clerkgo/clerk/core"
)

// FuzzAuthenticatePage runs hostile page requests (Host, target,
// X-Forwarded-*, Referer, Cookie, Sec-Fetch-Dest) through the whole
// browser decision of a production instance (forwarded headers trusted,
// organization sync on) and a development one, against the fake Clerk:
// nothing panics; a Location is a URL without control bytes on a host the
// app was configured with (the Frontend API's, the sign-in page's) or the
// request's own public host, except a development primary's answer to
// __clerk_redirect_url (documented: any absolute URL without
// AuthorizedParties); no header holds the secret key; every Set-Cookie is
// one header line.
func FuzzAuthenticatePage(f *testing.F) {
	prod := newPageSetup(f, true, func(o *core.Options) {
		o.TrustForwardedHeaders = true
		o.OrganizationSync = &core.OrganizationSync{OrganizationPatterns: []string{"/orgs/:slug", "/orgs/:slug/(.*)"}, PersonalAccountPatterns: []string{"/me", "/me/(.*)"}}
	})
	dev := newPageSetup(f, false)
	fake, err := url.Parse(prod.s.URL)
	if err != nil {
		f.Fatal(err)
	}
	devFake, err := url.Parse(dev.s.URL)
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range [][6]string{
		{"app.example", "/dashboard?tab=2", "", "", "https://evil.example/", "__client_uat=1"},
		{"app.example", "/orgs/acme%0d%0aX:1/x", "evil.example", "https", "about:blank", "__session=x.y.z; __client_uat=1"},
		{"app.example:99999", "//evil.example/x?__clerk_handshake=eyJ.eyJ.x", "evil.example/y?", "javascript", "blob:https://evil.example/x", "__clerk_handshake_nonce=x"},
		{"[::1]:80", "/x?__clerk_redirect_url=https://evil.example/&__clerk_db_jwt=dvb_1", "a@b", "HTTPS", "https:evil.example", "__clerk_db_jwt=dvb_1; __client_uat=9999999999"},
		{"app.example", "/me?__clerk_synced=false&__clerk_handshake=" + strings.Repeat("A", 70<<10), "", "", "", "__refresh_x=r; __session=eyJhbGciOiJSUzI1NiJ9.eyJzaWQiOiJzZXNzXzEifQ.x; __client_uat=1"},
	} {
		f.Add(s[0], s[1], s[2], s[3], s[4], s[5], true, false)
		f.Add(s[0], s[1], s[2], s[3], s[4], s[5], false, true)
	}
	f.Fuzz(func(t *testing.T, host, target, fwdHost, fwdProto, referer, cookie string, document, development bool) {
		u, err := url.ParseRequestURI(target)
		if err != nil {
			return // net/http refuses the request line
		}
		r := &http.Request{Method: http.MethodGet, Host: host, URL: u, RequestURI: target, Header: http.Header{}}
		for k, v := range map[string]string{"X-Forwarded-Host": fwdHost, "X-Forwarded-Proto": fwdProto, "Referer": referer, "Cookie": cookie} {
			if v != "" {
				r.Header.Set(k, v)
			}
		}
		if document {
			r.Header.Set("Sec-Fetch-Dest", "document")
		} else {
			r.Header.Set("Accept", "text/html")
		}
		setup, fapi := prod, fake
		if development {
			setup, fapi = dev, devFake
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		start := time.Now()
		res := setup.a.AuthenticatePage(ctx, core.HTTPRequest(r))
		if res == nil {
			t.Fatal("nil result")
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Fatalf("the decision took %v (%v)", d, res)
		}
		for k, vs := range res.Header {
			for _, v := range vs {
				if strings.Contains(v, setup.s.SecretKey()) {
					t.Fatalf("%s holds the secret key", k)
				}
				for i := 0; i < len(v); i++ {
					if v[i] < ' ' || v[i] == 0x7f {
						t.Fatalf("%s: a control byte in %q", k, v)
					}
				}
			}
		}
		loc := res.Header.Get("Location")
		if loc == "" {
			return
		}
		lu, err := url.Parse(loc)
		if err != nil || (lu.Scheme != "http" && lu.Scheme != "https") {
			t.Fatalf("Location %q: %v", loc, err)
		}
		public := host
		if !development && fwdHost != "" {
			public = strings.TrimSpace(strings.SplitN(fwdHost, ",", 2)[0])
		}
		if lu.Host == fapi.Host || strings.EqualFold(lu.Host, public) {
			return
		}
		if development && r.URL.Query().Get("__clerk_redirect_url") != "" {
			return // a development primary's sync answer (docs/browser.md)
		}
		t.Fatalf("Location %q: host %q is neither Clerk's (%q) nor the request's (%q)", loc, lu.Host, fapi.Host, public)
	})
}
