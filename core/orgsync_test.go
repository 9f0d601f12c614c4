package core

import (
	"strings"
	"testing"
)

// TestPathPatternsAsClerk: the matcher against @clerk/shared 4.41.0's
// bundled path-to-regexp (match(patterns) as OrganizationMatcher calls
// it). Each row's expectation was computed with that very function in
// Node (/tmp/ref, @clerk/backend 3.25.0's dependency tree).
func TestPathPatternsAsClerk(t *testing.T) {
	cases := []struct {
		patterns []string
		path     string
		ok       bool
		id, slug string
	}{
		{[]string{"/orgs/:slug"}, "/orgs/acme", true, "", "acme"},
		{[]string{"/orgs/:slug"}, "/orgs/acme/", true, "", "acme"},
		{[]string{"/orgs/:slug"}, "/ORGS/Acme", true, "", "Acme"},
		{[]string{"/orgs/:slug"}, "/orgs/acme/x", false, "", ""},
		{[]string{"/orgs/:slug"}, "/orgs", false, "", ""},
		{[]string{"/orgs/:slug"}, "/orgs/", false, "", ""},
		{[]string{"/orgs/:slug"}, "/orgs/a%20b", true, "", "a%20b"},
		{[]string{"/orgs/:slug"}, "/orgs/a.b", true, "", "a.b"},
		{[]string{"/orgs/:slug"}, "/xorgs/acme", false, "", ""},
		{[]string{"/orgs/:slug", "/orgs/:slug/(.*)"}, "/orgs/acme", true, "", "acme"},
		{[]string{"/orgs/:slug", "/orgs/:slug/(.*)"}, "/orgs/acme/settings", true, "", "acme"},
		{[]string{"/orgs/:slug", "/orgs/:slug/(.*)"}, "/orgs/acme/a/b/", true, "", "acme"},
		{[]string{"/orgs/:slug", "/orgs/:slug/(.*)"}, "/orgs//x", false, "", ""},
		{[]string{"/orgs/:id/(.*)", "/orgs/:id"}, "/orgs/org_1", true, "org_1", ""},
		{[]string{"/orgs/:id/(.*)", "/orgs/:id"}, "/orgs/org_1/members", true, "org_1", ""},
		{[]string{"/orgs/:id/(.*)", "/orgs/:id"}, "/orgs/org_1/", true, "org_1", ""},
		{[]string{"/t/:id/o/:slug"}, "/t/1/o/acme", true, "1", "acme"},
		{[]string{"/t/:id/o/:slug"}, "/t/1/o/", false, "", ""},
		{[]string{"/orgs/{:slug}?"}, "/orgs", false, "", ""},
		{[]string{"/orgs/{:slug}?"}, "/orgs/", true, "", ""},
		{[]string{"/orgs/{:slug}?"}, "/orgs/acme", true, "", "acme"},
		{[]string{"/orgs{/:slug}?/x"}, "/orgs/x", true, "", ""},
		{[]string{"/orgs{/:slug}?/x"}, "/orgs/acme/x", true, "", "acme"},
		{[]string{"/orgs{/:slug}?/x"}, "/orgs/acme", false, "", ""},
		{[]string{"/o-:slug"}, "/o-acme", true, "", "acme"},
		{[]string{"/o-:slug"}, "/o-", false, "", ""},
		{[]string{"/o-:slug"}, "/o-a/b", false, "", ""},
		{[]string{"/:slug.html"}, "/acme.html", true, "", "acme"},
		{[]string{"/:slug.html"}, "/acme.x.html", true, "", "acme.x"},
		{[]string{"/:slug-:id"}, "/acme-1", true, "1", "acme"},
		{[]string{"/:slug-:id"}, "/a-b-c", true, "c", "a-b"},
		{[]string{"/orgs/:slug(\\d+)"}, "/orgs/12", true, "", "12"},
		{[]string{"/orgs/:slug(\\d+)"}, "/orgs/ab", false, "", ""},
		{[]string{"/me", "/me/(.*)"}, "/me", true, "", ""},
		{[]string{"/me", "/me/(.*)"}, "/me/", true, "", ""},
		{[]string{"/me", "/me/(.*)"}, "/me/x", true, "", ""},
		{[]string{"/me", "/me/(.*)"}, "/mex", false, "", ""},
		{[]string{"/orgs/:slug/:rest*"}, "/orgs/a", true, "", "a"},
		{[]string{"/orgs/:slug/:rest*"}, "/orgs/a/b/c", true, "", "a"},
		{[]string{"/a\\:b/:slug"}, "/a:b/x", true, "", "x"},
		{[]string{"(.*)"}, "/anything", true, "", ""},
		{[]string{"(.*)"}, "/", true, "", ""},
		{[]string{"/orgs/:slug#x"}, "/orgs/a#x", true, "", "a"},
	}
	for _, tc := range cases {
		pp, err := compilePathPatterns(tc.patterns)
		if err != nil {
			t.Errorf("%q: %v", tc.patterns, err)
			continue
		}
		params, ok := pp.match(tc.path)
		if ok != tc.ok || params["id"] != tc.id || params["slug"] != tc.slug {
			t.Errorf("%q on %q: %t %v, want %t id %q slug %q", tc.patterns, tc.path, ok, params, tc.ok, tc.id, tc.slug)
		}
	}
}

// TestPathPatternErrors: patterns path-to-regexp refuses are refused, and
// the ones Go's regexp cannot match as JavaScript's would are refused too
// (clerkgo is stricter there, see docs/browser.md).
func TestPathPatternErrors(t *testing.T) {
	cases := []struct {
		patterns []string
		clerkErr bool // path-to-regexp 6 throws
	}{
		{[]string{"/:"}, true},
		{[]string{"/(?x)"}, true},
		{[]string{"/((a))"}, true},
		{[]string{"/(a"}, true},
		{[]string{"/()"}, true},
		{[]string{"/:a:b"}, true},
		{[]string{"\\"}, false},
		{[]string{"/{a"}, true},
		{[]string{"/:a*"}, false},
		{[]string{"/orgs/(?=x)"}, true},
	}
	for _, tc := range cases {
		_, err := compilePathPatterns(tc.patterns)
		if tc.clerkErr && err == nil {
			t.Errorf("%q: accepted", tc.patterns)
		}
		if !tc.clerkErr && err != nil {
			t.Errorf("%q: %v", tc.patterns, err)
		}
	}
	stricter := []string{"/:a-xy:b", "/:id+", "/(a(?<n>b))", "/((?!x)y)"}
	for _, pat := range stricter {
		if _, err := compilePathPatterns([]string{pat}); err == nil {
			t.Errorf("%q: accepted", pat)
		} else if !strings.Contains(err.Error(), pat) {
			t.Errorf("%q: the error does not name the pattern: %v", pat, err)
		}
	}
}
