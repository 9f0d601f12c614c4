package clerkref

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestPageCases runs the page cases through clerkgo alone (no Node.js
// needed): every case is generated once, the nonces of the two sides are
// different, and the anchor cases come out as they must.
func TestPageCases(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	e, err := newEnv()
	if err != nil {
		t.Fatal(err)
	}
	ins, err := newPageInstances(ctx, e)
	for _, in := range ins {
		t.Cleanup(in.fake.Close)
	}
	if err != nil {
		t.Fatal(err)
	}
	cases, err := generatePages(ctx, e, ins)
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]*pageInstance{}
	for _, in := range ins {
		byName[in.name] = in
	}
	families := map[string]int{}
	for _, tc := range cases {
		families[tc.Family]++
		if tc.Mode != "page" || byName[tc.Instance] == nil || !strings.HasSuffix(tc.Family, "-"+tc.Instance) {
			t.Errorf("case %s: mode %q, instance %q", tc.ID, tc.Mode, tc.Instance)
		}
		needsNonce := strings.Contains(tc.URL, "{nonce}") || strings.Contains(strings.Join(tc.Cookies, ";"), "{nonce}")
		if needsNonce && (tc.Nonce == "" || tc.goNonce == "") {
			t.Errorf("case %s has {nonce} but no nonces", tc.ID)
		}
		if tc.Nonce != "" && tc.Nonce == tc.goNonce && !strings.Contains(tc.Name, "unknown") {
			t.Errorf("case %s: both sides get nonce %s, which resolves only once", tc.ID, tc.Nonce)
		}
		if strings.HasPrefix(tc.Family, "assert-") {
			// Both sides must refuse these configurations.
			if o := clerkgoPage(ctx, e, byName[tc.Instance], tc); o.Page != nil || !strings.HasPrefix(o.Reason, "config-error: ") {
				t.Errorf("assert case %s: clerkgo answered %+v (%s), want a configuration error", tc.ID, o.Page, o.Reason)
			}
		}
		want, isAnchor := pageAnchors[tc.ID]
		loc, isLocAnchor := pageLocationAnchors[tc.ID]
		if !isAnchor && !isLocAnchor {
			continue
		}
		o := clerkgoPage(ctx, e, byName[tc.Instance], tc)
		if isAnchor && (o.Page == nil || o.Page.Status != want) {
			t.Errorf("anchor %s: clerkgo answered %+v (%s), want %s", tc.ID, o.Page, o.Reason, want)
		}
		if isLocAnchor && (o.Page == nil || !strings.HasPrefix(o.Page.Location, loc)) {
			t.Errorf("anchor %s: clerkgo answered %+v (%s), want a Location starting %s", tc.ID, o.Page, o.Reason, loc)
		}
	}
	for _, f := range []string{"satellite", "sync", "referrer", "orgsync", "proxy", "assert"} {
		if families[f+"-live"] == 0 || families[f+"-test"] == 0 {
			t.Errorf("families %v: want %s cases for both instances", families, f)
		}
	}
	if families["page-live"] == 0 || families["page-test"] == 0 {
		t.Errorf("families %v: want cases for both instances", families)
	}
}

func TestNormalURL(t *testing.T) {
	for _, tc := range []struct{ a, b string }{
		{"https://a.example/p?b=2&a=1", "https://a.example/p?a=1&b=2"},
		{"https://a.example/a%20b?q=a%20b", "https://a.example/a%20b?q=a+b"},
		{"https://a.example/?s=~", "https://a.example/?s=%7E"},
	} {
		if x, y := normalURL(tc.a), normalURL(tc.b); x != y {
			t.Errorf("normalURL(%s) = %s, normalURL(%s) = %s; want equal", tc.a, x, tc.b, y)
		}
	}
	if normalURL("https://a.example/?a=1") == normalURL("https://a.example/?a=2") {
		t.Error("different queries compare equal")
	}
}

func TestComparePage(t *testing.T) {
	e, err := newEnv()
	if err != nil {
		t.Fatal(err)
	}
	n := newNormalizer(e, nil)
	tc := testCase{ID: "page-live/x", Family: "page-live", Name: "x", Nonce: "nonceA", goNonce: "nonceB"}
	tok := e.token(e.header(), e.claims())
	hs := func(extra string) outcome {
		return outcome{Page: &pageOutcome{
			Status:     "handshake",
			Reason:     "session-token-nbf",
			Location:   "https://clerk.example.com/v1/client/handshake?redirect_url=" + "https%3A%2F%2Fapp.example.com%2F%3Fb%3D2%26a%3D1" + "&format=nonce&__session=" + tok + extra,
			SetCookies: []string{"__clerk_redirect_count=1; SameSite=Lax; HttpOnly; Max-Age=2"},
			AuthStatus: "handshake", AuthReason: "session-token-nbf",
		}}
	}
	clerk := hs("")
	clerk.Page.Message = "JWT cannot be used prior to not before date claim (nbf). (reason=token-not-active-yet, token-carrier=cookie)"
	clerk.Page.AuthMessage = clerk.Page.Message
	ours := hs("")
	ours.Page.Location = "https://clerk.example.com/v1/client/handshake?__session=" + tok + "&format=nonce&redirect_url=" + "https%3A%2F%2Fapp.example.com%2F%3Fa%3D1%26b%3D2"
	if d, err := n.comparePage(tc, clerk, ours); err != nil || d != nil {
		t.Errorf("same answer spelled differently: %+v, %v", d, err)
	}
	if d, _ := n.comparePage(tc, clerk, hs("&organization_id=org_1")); d == nil || d.Clerkgo != "location: {organization_id=org_1}" || d.Clerk != "location: {}" {
		t.Errorf("an extra parameter: %+v", d)
	}
	signedOut := func(reason string) outcome {
		return outcome{Page: &pageOutcome{Status: "signed-out", Reason: reason, AuthStatus: "signed-out", AuthReason: reason}}
	}
	if d, err := n.comparePage(tc, signedOut("token-invalid-signature"), signedOut("token-invalid-signature")); d != nil || err != nil {
		t.Errorf("same reason: %+v %v", d, err)
	}
	if d, _ := n.comparePage(tc, signedOut("session-token-missing"), signedOut("token-missing")); d == nil || !strings.Contains(d.Clerk, "reason=session-token-missing") {
		t.Errorf("Clerk's AuthErrorReason must be spelled alike: %+v", d)
	}
	// Nonces of the two sides and JWTs are placeholders.
	a := outcome{Page: &pageOutcome{Status: "signed-in", SetCookies: []string{"__session=" + tok + "; Path=/", "x=nonceA"}}}
	b := outcome{Page: &pageOutcome{Status: "signed-in", SetCookies: []string{"x=nonceB", "__session=" + tok + "; Path=/"}}}
	if d, err := n.comparePage(tc, a, b); d != nil || err != nil {
		t.Errorf("nonces and cookie order: %+v %v", d, err)
	}
	if got := n.text(tc, tok); got != "jwt(sub=user_1,sid=sess_1,exp=now+60)" {
		t.Errorf("jwt summary %q", got)
	}
	// organization_id is last on Clerk's side: it must be on clerkgo's.
	orgLast := hs("&organization_id=beta")
	orgFirst := hs("")
	orgFirst.Page.Location = strings.Replace(orgLast.Page.Location, "?", "?organization_id=beta&", 1)
	orgFirst.Page.Location = strings.TrimSuffix(orgFirst.Page.Location, "&organization_id=beta")
	if d, err := n.comparePage(tc, orgLast, orgLast); d != nil || err != nil {
		t.Errorf("organization_id last on both sides: %+v %v", d, err)
	}
	if d, _ := n.comparePage(tc, orgLast, orgFirst); d == nil || d.Clerk != "last-parameter=organization_id" || d.Clerkgo != "last-parameter=__session" {
		t.Errorf("organization_id not last: %+v", d)
	}
	// A configuration both sides refuse, with the same message or not.
	threw := outcome{Reason: "exception", Message: "Error: Missing domain and proxyUrl. A satellite application needs to specify a domain or a proxyUrl"}
	refused := func(problem string) outcome {
		return outcome{Reason: "config-error: clerk: invalid config: Domain: " + problem}
	}
	if d, err := n.comparePage(tc, threw, refused("Missing domain and proxyUrl. A satellite application needs to specify a domain or a proxyUrl")); d != nil || err != nil {
		t.Errorf("the same assert: %+v %v", d, err)
	}
	if d, _ := n.comparePage(tc, threw, refused("Missing signInUrl.")); d == nil {
		t.Error("different asserts compare equal")
	}
	if d, _ := n.comparePage(tc, threw, signedOut("session-token-and-uat-missing")); d == nil {
		t.Error("an assert against an answer compares equal")
	}
	// Clerk threw.
	if d, _ := n.comparePage(tc, outcome{Reason: "exception", Message: "Error: boom"}, signedOut("x")); d == nil || !strings.HasPrefix(d.Clerk, "status=threw: exception Error: boom") {
		t.Errorf("a throw: %+v", d)
	}
}
