package core

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"
)

// FuzzPathPatterns: any organization-sync pattern either compiles or is
// refused with an error that names it; a compiled one matches any path
// quickly (Go's regexp is linear) and without a panic, and a parameter's
// value is a piece of the path.
func FuzzPathPatterns(f *testing.F) {
	for _, s := range [][2]string{
		{"/orgs/:slug", "/orgs/acme"}, {"/orgs/:slug/(.*)", "/orgs/a/b"}, {"/o/:id", "/o/org_1/"},
		{"/orgs{/:slug}?/x", "/orgs/x"}, {"/:slug-:id", "/a-b-c"}, {"/:a-xy:b", "/1-xy2"},
		{"/a\\:b/:slug", "/a:b/x"}, {"(.*)", "/"}, {"/orgs/:", ""}, {"/((a))", "/a"}, {"\\", "/"},
		{"/:slug(\\d+)", "/12"}, {"/{:id}*", "/a"}, {"/(?<x>a)", "/a"}, {"/:slug.html", "/x.html"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, pattern, path string) {
		pp, err := compilePathPatterns([]string{pattern})
		if err != nil {
			name := fmt.Sprintf("%q", pattern)
			if len(pattern) > maxPathPatternLen {
				name = fmt.Sprintf("%q", truncate(pattern, 64))
			}
			if !strings.Contains(err.Error(), name) {
				t.Fatalf("%q: the error does not name the pattern: %v", pattern, err)
			}
			return
		}
		start := time.Now()
		params, ok := pp.match(path)
		if d := time.Since(start); d > time.Second {
			t.Fatalf("%q on %q took %v", pattern, path, d)
		}
		if !ok {
			return
		}
		for k, v := range params {
			if !strings.Contains(path, v) {
				t.Fatalf("%q on %q: %s=%q is not in the path", pattern, path, k, v)
			}
		}
	})
}

// FuzzSyncURLs: the multi-domain sync's URL handling never panics; an
// origin is a plain scheme://host[:port] or "null"; setParam leaves
// exactly one parameter of its name, with its value; addParam keeps the
// URL's start; backToSatellite only builds absolute http(s) URLs without
// control characters.
func FuzzSyncURLs(f *testing.F) {
	for _, s := range []string{
		"http://sat.example/x?__clerk_synced=false&a=1#f", "https://A.Example:443/", "HTTP://[::1]:80/",
		"javascript:alert(1)", "//evil.example", "not a url", "http://", "android-app://com.x/", "https://a.example:99999/",
		"http://a.example/?__clerk_synced=1&__clerk_synced=2", "http://a.example/?%5F%5Fclerk%5Fsynced=x",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		if origin, _, ok := webOrigin(raw); ok && origin != "null" {
			u, err := url.Parse(origin)
			if err != nil || u.Scheme+"://"+u.Host != origin || u.Host == "" {
				t.Fatalf("%q: origin %q", raw, origin)
			}
		}
		set := setParam(raw, paramClerkSynced, syncCompleted)
		base, _, _ := strings.Cut(set, "#")
		_, query, _ := strings.Cut(base, "?")
		if q, err := url.ParseQuery(query); err == nil {
			if got := q[paramClerkSynced]; len(got) != 1 || got[0] != syncCompleted {
				t.Fatalf("%q: setParam gave %q", raw, set)
			}
		}
		if added := addParam(raw, "k", "v&w"); !strings.HasPrefix(added, strings.SplitN(raw, "#", 2)[0]) {
			t.Fatalf("%q: addParam gave %q", raw, added)
		}
		p := &pageCtx{c: &Client{s: &settings{}}, devJWT: "dvb_1"}
		if loc, ok := p.backToSatellite(raw); ok {
			u, err := url.Parse(loc)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || !validHost(u.Host) {
				t.Fatalf("%q: back to %q", raw, loc)
			}
			for i := 0; i < len(loc); i++ {
				if loc[i] <= ' ' || loc[i] >= 0x7f {
					t.Fatalf("%q: back to %q", raw, loc)
				}
			}
		}
	})
}
