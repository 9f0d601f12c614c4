package clerkref

import (
	"encoding/base64"
	"slices"
	"strings"
	"testing"
)

func TestCookieSuffix(t *testing.T) {
	// Vectors from @clerk/shared's getCookieSuffix (keys.ts), run under Node.
	for _, tc := range []struct{ pk, want string }{
		{"pk_live_Y2xlcmsuZXhhbXBsZS5jb20k", "naoXFJnI"},
		{"pk_test_Zm9vLWJhci0xMy5jbGVyay5hY2NvdW50cy5kZXYk", "nx2hSE6I"},
		{"pk_live_Y2xlcmsyMy5leGFtcGxlLmNvbSQ=", "-TQYJbEb"}, // + becomes -
	} {
		if got := cookieSuffix(tc.pk); got != tc.want {
			t.Errorf("cookieSuffix(%s) = %q, want %q", tc.pk, got, tc.want)
		}
	}
}

func TestObject(t *testing.T) {
	o := object{{"a", `1`}, {"b", `2`}}
	for _, tc := range []struct {
		name string
		got  object
		want string
	}{
		{"with replaces", o.with("a", `3`), `{"a":3,"b":2}`},
		{"with appends", o.with("c", `null`), `{"a":1,"b":2,"c":null}`},
		{"without", o.without("a"), `{"b":2}`},
		{"plus duplicates", o.plus("a", `4`), `{"a":1,"b":2,"a":4}`},
		{"renamed", o.renamed("b", "B"), `{"a":1,"B":2}`},
		{"original untouched", o, `{"a":1,"b":2}`},
		{"quoted name", object{{"x\"\n", `1`}}, `{"x\"\n":1}`},
		{"invalid UTF-8 kept", object{{"s", quote("\xff")}}, "{\"s\":\"\xff\"}"},
	} {
		if got := tc.got.String(); got != tc.want {
			t.Errorf("%s: got %s, want %s", tc.name, got, tc.want)
		}
	}
}

func TestFlipTrailingBits(t *testing.T) {
	lenient := base64.RawURLEncoding
	strict := base64.RawURLEncoding.Strict()
	for _, data := range []string{"a", "ab", "abcd", "abcde"} {
		s := seg(data)
		f := flipTrailingBits(s)
		if f == s {
			t.Fatalf("%q: flipTrailingBits changed nothing", data)
		}
		if got, err := lenient.DecodeString(f); err != nil || string(got) != data {
			t.Errorf("%q: lenient decoding of %s = %q, %v; want the same bytes", data, f, got, err)
		}
		if _, err := strict.DecodeString(f); err == nil {
			t.Errorf("%q: strict decoding accepted the stray bits of %s", data, f)
		}
	}
}

func TestGenerate(t *testing.T) {
	e, err := newEnv()
	if err != nil {
		t.Fatal(err)
	}
	cases, err := generate(e)
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]testCase{}
	families := map[string]int{}
	for _, tc := range cases {
		if tc.ID != tc.Family+"/"+tc.Name {
			t.Errorf("case %q: ID is not family/name", tc.ID)
		}
		if tc.Mode != "request" && tc.Mode != "verifyToken" {
			t.Errorf("case %s: mode %q", tc.ID, tc.Mode)
		}
		byID[tc.ID] = tc
		families[tc.Family]++
	}
	if len(byID) != len(cases) {
		t.Errorf("%d cases but %d IDs", len(cases), len(byID))
	}
	for _, f := range []string{"header", "encoding", "signature", "time", "claims", "org", "azp", "machine", "cookie", "suffix", "verifyToken"} {
		if families[f] == 0 {
			t.Errorf("family %s has no cases", f)
		}
	}
	if n := families["suffix"]; n != 5*3*2*3 {
		t.Errorf("suffix family has %d cases, want every combination (90)", n)
	}

	// The encoding variants say what they claim, next to a valid control.
	token := func(id string) string {
		tc, ok := byID[id]
		if !ok {
			t.Fatalf("no case %s", id)
		}
		if tc.Mode == "verifyToken" {
			return tc.Token
		}
		return strings.TrimPrefix(tc.Authorization, "Bearer ")
	}
	_, p, _ := parts(token("encoding/alphabet=standard-payload"))
	if !strings.ContainsAny(p, "+/") {
		t.Errorf("standard-alphabet payload %s has no + or /", p)
	}
	_, _, s := parts(token("encoding/alphabet=standard-signature"))
	if !strings.ContainsAny(s, "+/") {
		t.Errorf("standard-alphabet signature has no + or /")
	}
	if h, _, _ := parts(token("encoding/padding=header")); !strings.HasSuffix(h, "==") {
		t.Errorf("padded header %s has no padding", h)
	}
	if !strings.Contains(token("encoding/whitespace=lf-in-signature"), "\n") {
		t.Error("lf-in-signature has no LF")
	}
	sfx := byID["suffix/session=none,uat=none,session_sfx=own,uat_sfx=old"]
	if len(sfx.Cookies) != 1 || !strings.Contains(sfx.Cookies[0], "__session_"+e.cookieSuffix+"=") ||
		!strings.Contains(sfx.Cookies[0], "__client_uat_"+e.cookieSuffix+"=") || strings.Contains(sfx.Cookies[0], "__session=") {
		t.Errorf("suffixed-only case has cookies %q", sfx.Cookies)
	}
}

func TestLookupReason(t *testing.T) {
	for _, tc := range []struct {
		reason, message string
		ok              bool
		label           string
	}{
		{"token-expired", "", true, ""},
		{"session-token-expired-refresh-non-eligible-no-refresh-cookie", "", true, ""},
		{"token-verification-failed", "Subject claim (sub) is required", true, "sub"},
		{"token-verification-failed", "Error verifying JWT signature. Error: JWK", true, "key-import"},
		{"token-verification-failed", "something new", false, ""},
		{"token-invalid", "Invalid JWT type \"at+jwt\"", true, "typ"},
		{"handshake:dev-browser-missing", "", false, ""},
		{"", "", false, ""},
	} {
		rule, ok := lookupReason(tc.reason, tc.message)
		if ok != tc.ok || rule.Label != tc.label {
			t.Errorf("lookupReason(%q, %q) = %+v, %v; want ok=%v label %q", tc.reason, tc.message, rule, ok, tc.ok, tc.label)
		}
	}
	for _, rule := range reasonTable {
		if len(rule.Ours) == 0 {
			t.Errorf("rule %+v maps to no clerkgo reason", rule)
		}
	}
}

func TestCompare(t *testing.T) {
	tc := testCase{ID: "f/n", Family: "f", Name: "n"}
	session := outcome{Accepted: true, Sub: "user_1", Sid: "sess_1", OrgID: "org_1", OrgPermissions: []string{"org:a:read"}}
	for _, c := range []struct {
		name        string
		clerk, ours outcome
		kind        string // "" for agreement
		clerkText   string
		oursText    string
		wantErr     bool
	}{
		{name: "same session", clerk: session, ours: session},
		{name: "same reason", clerk: outcome{Reason: "token-expired"}, ours: outcome{Reason: "token-expired"}},
		{name: "mapped reason", clerk: outcome{Reason: "token-verification-failed", Message: "Invalid JWT expiry date claim (exp)"}, ours: outcome{Reason: "token-missing-expiry"}},
		{name: "other reason", clerk: outcome{Reason: "token-expired"}, ours: outcome{Reason: "token-invalid-signature"},
			kind: kindReason, clerkText: "reject: token-expired", oursText: "reject: token-invalid-signature"},
		{name: "labelled reason", clerk: outcome{Reason: "token-invalid", Message: "Invalid JWT form."}, ours: outcome{Reason: "token-expired"},
			kind: kindReason, clerkText: "reject: token-invalid (form)", oursText: "reject: token-expired"},
		{name: "clerk accepts", clerk: session, ours: outcome{Reason: "token-missing-kid"},
			kind: kindOutcome, clerkText: "accept", oursText: "reject: token-missing-kid"},
		{name: "clerkgo accepts", clerk: outcome{Reason: "token-type-mismatch"}, ours: session,
			kind: kindOutcome, clerkText: "reject: token-type-mismatch", oursText: "accept"},
		{name: "different org", clerk: session, ours: outcome{Accepted: true, Sub: "user_1", Sid: "sess_1", OrgID: "org_1"},
			kind: kindClaims, clerkText: `accept: orgPermissions=["org:a:read"]`, oursText: "accept: orgPermissions=[]"},
		{name: "different subject", clerk: session, ours: outcome{Accepted: true, Sub: "user_2", Sid: "sess_1", OrgID: "org_1", OrgPermissions: []string{"org:a:read"}},
			kind: kindClaims, clerkText: `accept: sub="user_1"`, oursText: `accept: sub="user_2"`},
		{name: "unmapped", clerk: outcome{Reason: "brand-new"}, ours: outcome{Reason: "token-expired"}, wantErr: true},
	} {
		d, err := compare(tc, c.clerk, c.ours)
		if (err != nil) != c.wantErr {
			t.Errorf("%s: err = %v", c.name, err)
			continue
		}
		switch {
		case c.wantErr:
		case c.kind == "" && d != nil:
			t.Errorf("%s: unexpected disagreement %+v", c.name, *d)
		case c.kind != "" && d == nil:
			t.Errorf("%s: no disagreement", c.name)
		case c.kind != "" && (d.Kind != c.kind || d.Clerk != c.clerkText || d.Clerkgo != c.oursText || d.ID != "f/n"):
			t.Errorf("%s: got %+v, want kind %s, %q vs %q", c.name, *d, c.kind, c.clerkText, c.oursText)
		}
	}
}

func TestCheckVerdicts(t *testing.T) {
	ds := []disagreement{{ID: "a/judged"}, {ID: "a/new"}, {ID: "a/todo"}}
	v := verdicts{"a/judged": "clerkgo stricter: x", "a/todo": todoVerdict, "a/gone": "clerkgo bug: y"}
	c := checkVerdicts(ds, v)
	if !slices.Equal(c.New, []string{"a/new"}) || !slices.Equal(c.Stale, []string{"a/gone"}) || !slices.Equal(c.Todo, []string{"a/todo"}) || c.ok() {
		t.Errorf("checkVerdicts = %+v", c)
	}
	u := v.updated(ds)
	want := verdicts{"a/judged": "clerkgo stricter: x", "a/new": todoVerdict, "a/todo": todoVerdict}
	if len(u) != len(want) {
		t.Fatalf("updated = %v, want %v", u, want)
	}
	for k, w := range want {
		if u[k] != w {
			t.Errorf("updated[%s] = %q, want %q", k, u[k], w)
		}
	}
	if c := checkVerdicts(ds, verdicts{"a/judged": "x: 1", "a/new": "y: 2", "a/todo": "z: 3"}); !c.ok() {
		t.Errorf("every disagreement judged, yet %+v", c)
	}
	if c := checkVerdicts(nil, verdicts{}); !c.ok() {
		t.Errorf("nothing to judge, yet %+v", c)
	}
	// The file round-trips, sorted and without HTML escaping.
	enc := string(verdicts{"b": "x < y", "a": "z"}.encode())
	if enc != "{\n  \"a\": \"z\",\n  \"b\": \"x < y\"\n}\n" {
		t.Errorf("encode = %q", enc)
	}
}

func TestRenderTable(t *testing.T) {
	ds := []disagreement{
		{ID: "f/a", Family: "f", Name: "a", Clerk: "accept", Clerkgo: "reject: token-malformed"},
		{ID: "f/b", Family: "f", Name: "b", Clerk: "reject: x", Clerkgo: "accept"},
	}
	out := string(renderTable(7, ds, verdicts{"f/a": "clerkgo stricter: a|b", "f/b": "clerkgo bug: c"}))
	for _, want := range []string{
		"7 cases compared, 2 disagreements.",
		"| clerkgo bug | 1 |", "| clerkgo stricter | 1 |",
		"| f | `a` | accept | reject: token-malformed | clerkgo stricter: a\\|b |",
		"| f | `b` | reject: x | accept | clerkgo bug: c |",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
}
