package core_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/clerkgo/clerk/core"
	"github.com/clerkgo/clerk/core/clerktest"
)

// TestOpaqueJunkCostsNoCall: an opaque token not in the form Clerk issues
// is refused as malformed locally, with no Backend API call, wherever it
// comes in; every real token the fake mints, and the spec's examples, have
// the form.
func TestOpaqueJunkCostsNoCall(t *testing.T) {
	clk := newClock()
	s := newFake(t, clk)
	c := newClient(t, fakeConfig(s, clk))
	ctx := context.Background()
	junk := map[string]string{
		"a space":            "ak_has space" + strings.Repeat("x", 20),
		"a tab":              "mt_" + strings.Repeat("a", 20) + "\tb",
		"a NUL":              "ak_" + strings.Repeat("a", 20) + "\x00b",
		"a newline":          "oat_" + strings.Repeat("a", 20) + "\nb",
		"DEL":                "ak_" + strings.Repeat("a", 20) + "\x7f",
		"non-ASCII":          "ak_" + strings.Repeat("é", 20),
		"invalid UTF-8":      "mt_" + strings.Repeat("\xff", 20),
		"10 KB":              "ak_" + strings.Repeat("a", 10<<10),
		"257 characters":     "oat_" + strings.Repeat("a", 257),
		"the prefix alone":   "ak_",
		"too short":          "mt_abc",
		"a dot":              "ak_" + strings.Repeat("a", 20) + ".b",
		"a slash":            "oat_" + strings.Repeat("a", 20) + "/",
		"a plus":             "ak_" + strings.Repeat("a", 20) + "+",
		"a percent-encoding": "ak_" + strings.Repeat("a", 20) + "%20",
		"a quote":            `mt_` + strings.Repeat("a", 20) + `"`,
	}
	a, err := core.NewAuthenticator(core.Options{Client: c, SkipUserFetch: true, AcceptsToken: []core.TokenKind{core.AnyToken}, TokenFrom: []core.Extractor{core.FromHeader("X-API-Key")}})
	if err != nil {
		t.Fatal(err)
	}
	for name, tok := range junk {
		_, err := c.VerifyMachineToken(ctx, tok, core.AnyToken)
		if core.ReasonOf(err) != core.ReasonTokenMalformed {
			t.Errorf("%s: %v, want token-malformed", name, err)
		}
		if err != nil && strings.Contains(err.Error(), strings.TrimSpace(tok)) {
			t.Errorf("%s: the error shows the token", name)
		}
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Header["X-Api-Key"] = []string{tok} // as received, control characters included
		_, err = a.Authenticate(ctx, core.HTTPRequest(r))
		if f := core.FailureOf(err); f.Status != http.StatusUnauthorized || (f.Reason != core.ReasonTokenMalformed && f.Reason != core.ReasonTokenTooLarge) {
			t.Errorf("%s through the authenticator: %+v, want 401 token-malformed", name, f)
		}
		// A session route refuses it without a call too.
		if _, err := c.VerifyToken(ctx, tok); core.ReasonOf(err) != core.ReasonTokenMalformed {
			t.Errorf("%s at VerifyToken: %v, want token-malformed", name, err)
		}
	}
	if n := s.Requests(clerktest.AnyEndpoint); n != 0 {
		t.Fatalf("%d requests to Clerk for junk, want none", n)
	}

	// Real forms: the fake's tokens verify; the spec's example forms, and
	// the longest and shortest accepted, reach Clerk (one call each).
	for _, m := range []clerktest.MachineToken{
		s.NewAPIKey(clerktest.MachineTokenParams{}), s.NewM2MToken(clerktest.MachineTokenParams{}), s.NewOAuthToken(clerktest.MachineTokenParams{}),
	} {
		if _, err := c.VerifyMachineToken(ctx, m.Token, core.AnyToken); err != nil {
			t.Errorf("the fake's %s: %v", m.Kind, err)
		}
	}
	unknown := []string{
		"ak_3beecc9c60adb5f9b850e91a8ee1e992", "mt_f7f0ba8c3b4843ce7d85fcdd5e71853e", "oat_0ef5a7a33d87ed87ee7954c845d80450",
		"ak_XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX", "mt_2xKa9Bgv7NxMRDFyQw8LpZ3cTmU1vHjE", "ak_test_in-header_params",
		"ak_" + strings.Repeat("a", 16), "oat_" + strings.Repeat("Z", 256),
	}
	for _, tok := range unknown {
		if _, err := c.VerifyMachineToken(ctx, tok, core.AnyToken); core.ReasonOf(err) != core.ReasonTokenNotFound {
			t.Errorf("%.12s...: %v, want token-not-found (asked Clerk)", tok, err)
		}
	}
	if n := s.Requests(clerktest.EndpointVerifyAPIKey) + s.Requests(clerktest.EndpointVerifyM2MToken) + s.Requests(clerktest.EndpointVerifyOAuthToken); n != 3+len(unknown) {
		t.Errorf("%d verify calls, want %d", n, 3+len(unknown))
	}
}
